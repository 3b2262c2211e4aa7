import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { IDLE_APISERVER_CONNECTIONS } from '../../agent/apiserver-proxy.ts';
import { AGENT_IDENTITY, type Identity } from '../../src/kube/identity.ts';
import { ResetCode, StreamResetError } from '../../src/shared/tunnel/codes.ts';
import { INITIAL_WINDOW_BYTES } from '../../src/shared/tunnel/limits.ts';
import type { TunnelStream } from '../../src/shared/tunnel/stream.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { type InProcessFleet, startInProcessFleet } from './in-process-fleet.ts';

let run: TestClusters;
let cluster: TestCluster;
let fleet: InProcessFleet;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'tunnel' });
  cluster = run.clusters[0] as TestCluster;
  fleet = await startInProcessFleet(cluster);
});

after(async () => {
  await fleet?.stop();
  await run?.stop();
});

const asAlice: Identity = { kind: 'person', user: 'alice', groups: ['developers', 'team-a'], extra: {} };

/** One GET through the tunnel, its status and JSON body whatever the status. */
async function get(path: string, as: Identity = AGENT_IDENTITY) {
  const answer = await fleet.gateway.kube.send(
    { clusterId: fleet.clusterId, as },
    { method: 'GET', path, headers: [['Accept', 'application/json']] },
  );
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    items?: { metadata: { name: string } }[];
    kind?: string;
  };
  return { status: answer.status, body };
}

describe('agent tunnel against a real cluster', () => {
  test('the gateway lists namespaces through the tunnel as the impersonated user, under that user’s RBAC', async () => {
    const denied = await get('/api/v1/namespaces', asAlice);
    assert.equal(denied.status, 403, 'alice may not list namespaces before a binding exists');
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrole',
      'ns-reader',
      '--verb=list',
      '--resource=namespaces',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'team-a-reads-ns',
      '--clusterrole=ns-reader',
      '--group=team-a',
    ]);
    const allowed = await get('/api/v1/namespaces', asAlice);
    assert.equal(allowed.status, 200);
    const names = allowed.body.items?.map((n) => n.metadata.name) ?? [];
    assert.ok(names.includes('default') && names.includes('fleetgate-system'), names.join(','));
  });

  test('200 concurrent requests over one tunnel all succeed', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => get('/api/v1/nodes')));
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
    for (const a of answers) assert.equal(a.body.items?.length, 3);
    assert.equal(fleet.gateway.connections.streamCount(), 0);
  });

  test('a 100 MB stream to a slow reader does not hold up small requests on the same tunnel', async () => {
    // KWOK serves every container's log from this file: 100,000 lines of 1,023 characters.
    const lineCount = 100_000;
    const payload = 'x'.repeat(1023);
    const stamp = '2026-01-01T00:00:00.000000000Z stdout F ';
    await writeFile(cluster.containerLogFile, `${stamp}${payload}\n`.repeat(lineCount));
    const expectedBytes = lineCount * (payload.length + 1);
    await cluster.kubectlOk('admin', ['create', 'namespace', 'bulk']);
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'chatty', namespace: 'bulk' },
        spec: { containers: [{ name: 'main', image: 'registry.invalid/chatty:1' }] },
      }),
    });
    await cluster.kubectlOk('admin', [
      'wait',
      '--for=condition=Ready',
      'pod/chatty',
      '-n',
      'bulk',
      '--timeout=60s',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      'alice-logs',
      '-n',
      'bulk',
      '--clusterrole=view',
      '--user=alice',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'role',
      'log-reader',
      '-n',
      'bulk',
      '--verb=get',
      '--resource=pods/log',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      'alice-reads-logs',
      '-n',
      'bulk',
      '--role=log-reader',
      '--user=alice',
    ]);

    const answer = await fleet.gateway.kube.send(
      { clusterId: fleet.clusterId, as: asAlice },
      { method: 'GET', path: '/api/v1/namespaces/bulk/pods/chatty/log' },
    );
    assert.equal(answer.status, 200);
    const big = { stream: answer.body };
    // The slow reader: takes one chunk, then stops reading for a while.
    let bigBytes = 0;
    big.stream.once('data', (chunk: Buffer) => {
      bigBytes += chunk.length;
      big.stream.pause();
    });
    await sleep(500);
    const stalledAt = bigBytes;

    // Small requests on the same tunnel complete while the big stream is stalled.
    const small = await Promise.all(Array.from({ length: 20 }, () => get('/version')));
    assert.deepEqual(new Set(small.map((s) => s.status)), new Set([200]));
    assert.equal(bigBytes, stalledAt, 'the big stream made no progress while its reader was paused');
    assert.ok(bigBytes < expectedBytes, 'the big stream is not finished yet');
    // What the gateway holds for the stalled stream is bounded by its window.
    assert.ok(
      big.stream.readableLength <= INITIAL_WINDOW_BYTES,
      `buffered ${big.stream.readableLength} bytes`,
    );

    // Once the reader reads again, every byte arrives.
    big.stream.on('data', (chunk: Buffer) => {
      bigBytes += chunk.length;
    });
    big.stream.resume();
    await new Promise((resolve, reject) => {
      big.stream.once('end', resolve);
      big.stream.once('error', reject);
    });
    assert.equal(bigBytes, expectedBytes);
    await writeFile(cluster.containerLogFile, `${stamp}container started\n`);
  });

  test('the agent refuses any stream to an address other than its apiserver', async () => {
    let dialled = 0;
    const bystander = createServer((socket) => {
      dialled++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve));
    const port = (bystander.address() as { port: number }).port;
    const session = fleet.gateway.connections.sessionFor(fleet.clusterId);
    assert.ok(session);
    const attempts: [string, number][] = [
      [`http://127.0.0.1:${port}/`, ResetCode.BAD_REQUEST_HEAD],
      [`//127.0.0.1:${port}/`, ResetCode.BAD_REQUEST_HEAD],
      [`/\\127.0.0.1:${port}/`, ResetCode.REFUSED],
      [`/\\\\127.0.0.1:${port}/api`, ResetCode.REFUSED],
      ['169.254.169.254/latest/meta-data', ResetCode.BAD_REQUEST_HEAD],
    ];
    for (const [path, code] of attempts) {
      const stream: TunnelStream = await session.openStream({ method: 'GET', path, headers: [] });
      stream.end();
      await assert.rejects(stream.response, (error: unknown) => {
        assert.ok(error instanceof StreamResetError, String(error));
        assert.equal(error.resetCode, code, `${path}: ${error.message}`);
        return true;
      });
    }
    bystander.close();
    assert.equal(dialled, 0);
  });

  test('the agent refuses to impersonate system identities', async () => {
    // Straight onto the tunnel: the gateway's own layer refuses these before they leave.
    const session = fleet.gateway.connections.sessionFor(fleet.clusterId);
    assert.ok(session);
    const get = async (path: string, headers: [string, string][]) => {
      const stream: TunnelStream = await session.openStream({ method: 'GET', path, headers });
      stream.end();
      const head = await stream.response;
      stream.resume();
      return { status: head.status };
    };
    for (const header of [
      ['Impersonate-Group', 'system:masters'],
      ['Impersonate-User', 'system:kube-controller-manager'],
      ['Impersonate-User', 'system:serviceaccount:kube-system:default'],
    ] as [string, string][]) {
      await assert.rejects(
        get('/api/v1/secrets', [['Impersonate-User', 'alice'], header]),
        (error: unknown) => {
          assert.ok(error instanceof StreamResetError);
          assert.equal(error.resetCode, ResetCode.REFUSED);
          return true;
        },
      );
    }
    // system:authenticated is every person's group and stays allowed.
    const ok = await get('/version', [
      ['Impersonate-User', 'alice'],
      ['Impersonate-Group', 'system:authenticated'],
    ]);
    assert.equal(ok.status, 200);
  });

  test('row 4: a header name or value holding any byte 0x00–0xff is answered or resets only its own stream; the tunnel survives', async () => {
    const session = fleet.gateway.connections.sessionFor(fleet.clusterId);
    const agentSession = fleet.connector.session;
    assert.ok(session && agentSession);
    /** The status of one GET /version with `headers`, or the code its stream was reset with. */
    const outcome = async (headers: [string, string][]): Promise<string> => {
      const stream: TunnelStream = await session.openStream({ method: 'GET', path: '/version', headers });
      stream.end();
      try {
        const head = await stream.response;
        stream.resume();
        return String(head.status);
      } catch (error) {
        assert.ok(error instanceof StreamResetError, String(error));
        return `reset ${error.resetCode}`;
      }
    };
    const bytes = Array.from({ length: 256 }, (_, byte) => byte);
    const char = (byte: number) => String.fromCharCode(byte);
    const names = await Promise.all(bytes.map((byte) => outcome([[`X-Probe-${char(byte)}`, 'v']])));
    const values = await Promise.all(bytes.map((byte) => outcome([['X-Probe', `a${char(byte)}b`]])));

    // What HTTP allows is answered; anything else is refused as a bad head, stream by stream.
    const refused = `reset ${ResetCode.BAD_REQUEST_HEAD}`;
    const tchar = /^[!#$%&'*+.^_`|~0-9A-Za-z-]$/;
    const valueChar = (byte: number) => byte === 0x09 || (byte >= 0x20 && byte !== 0x7f);
    for (const byte of bytes) {
      const hex = `0x${byte.toString(16).padStart(2, '0')}`;
      assert.equal(names[byte], tchar.test(char(byte)) ? '200' : refused, `header name with ${hex}`);
      assert.equal(values[byte], valueChar(byte) ? '200' : refused, `header value with ${hex}`);
    }
    assert.equal(session.closed, undefined, 'the gateway side of the tunnel is open');
    assert.equal(agentSession.closed, undefined, 'the agent side of the tunnel is open');
    assert.equal(fleet.connector.session, agentSession, 'the agent did not reconnect');
    assert.equal(fleet.gateway.connections.sessionFor(fleet.clusterId), session);
    assert.equal(fleet.gateway.registry.get(fleet.clusterId)?.state, 'Active');
    assert.equal((await get('/version')).status, 200);
  });

  test('after 10,000 streams opened and closed, gateway and agent hold no stream, timer or socket more than before', async () => {
    const agentSession = fleet.connector.session;
    assert.ok(agentSession);
    const resources = () => {
      const counts = new Map<string, number>();
      for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return counts;
    };
    await get('/version');
    await sleep(200);
    const before = resources();

    let cancelled = 0;
    const total = 10_000;
    const concurrency = 50;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          if (i % 10 === 0) {
            // Every tenth stream is abandoned before its answer: the reset path.
            const session = fleet.gateway.connections.sessionFor(fleet.clusterId);
            const stream = await session?.openStream({ method: 'GET', path: '/version', headers: [] });
            stream?.end();
            stream?.destroy();
            cancelled++;
          } else {
            const answer = await get('/version');
            assert.equal(answer.status, 200);
          }
        }
      }),
    );
    assert.equal(cancelled, total / 10);
    // Let resets and keep-alive sockets settle.
    await sleep(1_000);
    const afterwards = resources();

    assert.equal(fleet.gateway.connections.streamCount(), 0, 'gateway streams');
    assert.equal(agentSession.streamCount, 0, 'agent streams');
    assert.equal(
      fleet.gateway.connections.sessionFor(fleet.clusterId)?.pendingHeadTimers,
      0,
      'response-head timers',
    );
    assert.ok(
      (afterwards.get('Timeout') ?? 0) <= (before.get('Timeout') ?? 0),
      `timers: ${before.get('Timeout')} -> ${afterwards.get('Timeout')}`,
    );
    // Idle keep-alive connections to the apiserver are kept up to a fixed number.
    const socketsBefore = before.get('TCPSocketWrap') ?? 0;
    const socketsAfter = afterwards.get('TCPSocketWrap') ?? 0;
    assert.ok(
      socketsAfter <= socketsBefore + IDLE_APISERVER_CONNECTIONS,
      `sockets: ${socketsBefore} -> ${socketsAfter}`,
    );
  });
});
