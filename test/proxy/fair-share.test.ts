// Security round 2, row 2: one person cannot starve others of a cluster's tunnel.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localPrincipal } from '../../src/auth/local-users.ts';
import type { Gateway } from '../../src/gateway.ts';
import { MAX_STREAMS_PER_PERSON_PER_CLUSTER } from '../../src/proxy/stream-quota.ts';
import { MAX_STREAMS_PER_SESSION, RESERVED_SHORT_STREAMS } from '../../src/shared/tunnel/limits.ts';
import { graphqlWsClient } from '../graphql/people.ts';
import type { TestCluster } from '../harness/index.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';
import { runKubectl } from '../harness/kubectl.ts';
import {
  type InProcessAgent,
  type OneClusterFleet,
  startOneClusterFleet,
} from '../tunnel/in-process-fleet.ts';

let fleet: OneClusterFleet;
let cluster: TestCluster;
let gateway: Gateway;
let agent: InProcessAgent;
let adminKubeconfig: string;
const held: (() => void)[] = [];

before(async () => {
  fleet = await startOneClusterFleet('share');
  ({ cluster, gateway, agent } = fleet);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'work']);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'people-view',
    '-n',
    'work',
    '--clusterrole=view',
    '--group=local:people',
  ]);
  const admin = gateway.users.get('admin');
  assert.ok(admin);
  adminKubeconfig = join(fleet.run.runDir, 'share-admin.kubeconfig');
  await writeKubeconfig(adminKubeconfig, {
    clusterName: 'share',
    server: `${gateway.url}/k8s/clusters/${agent.clusterId}`,
    caPem: gateway.caPem ?? '',
    userName: 'admin',
    token: (
      await gateway.tokens.create(localPrincipal(admin), {
        kind: 'api',
        description: 'test',
        ttlSeconds: 3600,
      })
    ).token,
  });
});

after(async () => {
  for (const release of held.splice(0)) release();
  await fleet?.stop();
});

let people = 0;
async function newPersonToken(): Promise<string> {
  const user = await gateway.users.create(`sharer-${++people}`, 'sharer-password-123456', false, ['people']);
  return (
    await gateway.tokens.create(localPrincipal(user), { kind: 'api', description: 'test', ttlSeconds: 3600 })
  ).token;
}

// One socket per request, as a person opening many watches from many processes would.
const agentOfRequests = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/** Opens a passthrough request and holds it open; resolves with its status and Retry-After. */
function open(token: string, path: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${gateway.url}/k8s/clusters/${agent.clusterId}${path}`,
      { headers: { authorization: `Bearer ${token}` }, ca: gateway.caPem, agent: agentOfRequests },
      (res) => {
        held.push(() => req.destroy());
        const retryAfter = res.headers['retry-after'];
        if ((res.statusCode ?? 0) >= 300) res.resume();
        resolve({
          status: res.statusCode ?? 0,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function releaseAll(): void {
  for (const release of held.splice(0)) release();
}

const WATCH = '/api/v1/namespaces/work/pods?watch=1';

describe("fair share of a cluster's tunnel", () => {
  test("row 2: with 1,100 watches held by one person, another person's kubectl get ns answers, and the hoarder gets 429 beyond the cap", async (t) => {
    const hoarder = await newPersonToken();
    const answers = await Promise.all(Array.from({ length: 1_100 }, () => open(hoarder, WATCH)));
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(ok, MAX_STREAMS_PER_PERSON_PER_CLUSTER, 'watches up to the cap are served');
    assert.equal(refused.length, 1_100 - MAX_STREAMS_PER_PERSON_PER_CLUSTER, 'the rest are refused');
    assert.ok(
      refused.every((a) => a.retryAfter === '1'),
      'each refusal says when to retry',
    );
    const startedAt = performance.now();
    const namespaces = await runKubectl(adminKubeconfig, ['get', 'ns', '-o', 'name'], { timeoutMs: 30_000 });
    const tookMs = performance.now() - startedAt;
    t.diagnostic(`kubectl get ns beside 1,100 watches: ${tookMs.toFixed(0)} ms`);
    assert.equal(namespaces.code, 0, namespaces.stderr);
    assert.match(namespaces.stdout, /namespace\/work/);
    releaseAll();
  });

  test('row 2: when long-lived streams fill a tunnel, short requests still run and one more watch is refused with 503 and Retry-After', async () => {
    const longLivedSlots = MAX_STREAMS_PER_SESSION - RESERVED_SHORT_STREAMS;
    const perPerson = MAX_STREAMS_PER_PERSON_PER_CLUSTER;
    const tokens = await Promise.all(
      Array.from({ length: Math.ceil(longLivedSlots / perPerson) }, () => newPersonToken()),
    );
    const opened = await Promise.all(
      Array.from({ length: longLivedSlots }, (_, i) =>
        open(tokens[Math.floor(i / perPerson)] as string, WATCH),
      ),
    );
    assert.deepEqual(new Set(opened.map((a) => a.status)), new Set([200]));
    const newcomer = await newPersonToken();
    const list = await open(newcomer, '/api/v1/namespaces/work/pods');
    assert.equal(list.status, 200, 'a short request finds a reserved slot');
    const startedAt = Date.now();
    const watch = await open(newcomer, WATCH);
    assert.equal(watch.status, 503, 'a watch finds no slot');
    assert.equal(watch.retryAfter, '1');
    assert.ok(Date.now() - startedAt < 15_000, 'the wait for a slot is bounded');
    // Watches whose clients leave while they wait for a slot, and get one after: nothing of
    // theirs may stay behind (their slots of the person's quota, their tunnel streams).
    const impatient = await newPersonToken();
    const leaving = Array.from({ length: MAX_STREAMS_PER_PERSON_PER_CLUSTER }, () => {
      const req = request(`${gateway.url}/k8s/clusters/${agent.clusterId}${WATCH}`, {
        headers: { authorization: `Bearer ${impatient}` },
        ca: gateway.caPem,
        agent: agentOfRequests,
      });
      req.on('error', () => {});
      req.end();
      return req;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const req of leaving) req.destroy();
    releaseAll(); // slots come free while those requests still wait for one
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(gateway.connections.streamCount(), 0, 'no stream is left open for clients that left');
    const after = await open(impatient, WATCH);
    assert.equal(after.status, 200, 'the person who left got every slot back');
    releaseAll();
  });

  test('row 2: one graphql-ws socket may hold 100 subscriptions; the next is refused with TOO_MANY_REQUESTS', async () => {
    const { client } = graphqlWsClient(gateway, await newPersonToken());
    const stops: (() => void)[] = [];
    try {
      for (let i = 0; i < 100; i++)
        stops.push(
          client.subscribe(
            { query: 'subscription { clusterStatus { id } }' },
            { next: () => {}, error: () => {}, complete: () => {} },
          ),
        );
      const refused = await new Promise<unknown>((resolve) =>
        stops.push(
          client.subscribe(
            { query: 'subscription { clusterStatus { id } }' },
            { next: resolve, error: resolve, complete: () => {} },
          ),
        ),
      );
      assert.match(JSON.stringify(refused), /TOO_MANY_REQUESTS/);
    } finally {
      for (const stop of stops) stop();
      await client.dispose();
    }
  });
});
