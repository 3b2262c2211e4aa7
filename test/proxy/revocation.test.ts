import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { AgentProcess, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';

let run: TestClusters;
let cluster: TestCluster;
let gateway: GatewayProcess;
let agent: AgentProcess;
let clusterId: string;

const PASSWORD = 'bob-password-123456';

async function login(): Promise<string> {
  const answer = await gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: PASSWORD }),
  });
  assert.equal(answer.status, 200, answer.text);
  return (JSON.parse(answer.text) as { token: string }).token;
}

/** A raw TLS connection to the gateway that records what it receives and when it closes. */
function openRaw(): Promise<{ socket: TLSSocket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    let text = '';
    let onClose: () => void = () => {};
    const closed = new Promise<void>((r) => {
      onClose = r;
    });
    const socket = connect(
      { host: '127.0.0.1', port: Number(port), ca: gateway.caPem, servername: 'localhost' },
      () => resolve({ socket, received: () => text, closed }),
    );
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => onClose());
    socket.on('error', reject);
  });
}

/** Resolves true when `closed` settles within `ms`, false otherwise. */
function closesWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

/** Opens a raw connection and sends a chunked ConfigMap create whose body is not finished. */
async function startCreate(token: string, name: string): Promise<Awaited<ReturnType<typeof openRaw>>> {
  const raw = await openRaw();
  raw.socket.write(
    [
      `POST /k8s/clusters/${clusterId}/api/v1/namespaces/uploads/configmaps HTTP/1.1`,
      'Host: gateway',
      `Authorization: Bearer ${token}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      '',
      '',
    ].join('\r\n'),
  );
  const start = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},`;
  raw.socket.write(`${start.length.toString(16)}\r\n${start}\r\n`);
  return raw;
}

/** Streams open across the gateway's tunnels, from its /metrics. */
async function tunnelStreams(): Promise<number> {
  const answer = await gateway.request('/metrics', {
    headers: { authorization: `Basic ${Buffer.from(`admin:${gateway.adminPassword}`).toString('base64')}` },
  });
  assert.equal(answer.status, 200, answer.text);
  const line = answer.text.split('\n').find((l) => l.startsWith('fleetgate_tunnel_streams '));
  assert.ok(line, 'no fleetgate_tunnel_streams in /metrics');
  return Number(line.split(' ')[1]);
}

/** Waits until `probe` is true, failing with `what` after `timeoutMs`. */
async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'rvk' });
  cluster = run.clusters[0] as TestCluster;
  gateway = await GatewayProcess.start({ dir: run.runDir });
  const registration = await registerCluster(gateway, 'rvk');
  clusterId = registration.cluster.clusterId;
  agent = await AgentProcess.install(cluster, gateway, registration);
  await gateway.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  assert.equal((await gateway.api('POST', '/v1/users', { username: 'bob', password: PASSWORD })).status, 201);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'uploads']);
  await cluster.kubectlOk('admin', [
    'create',
    'role',
    'writer',
    '-n',
    'uploads',
    '--verb=create,get,list',
    '--resource=configmaps',
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'bob-writer',
    '-n',
    'uploads',
    '--role=writer',
    '--user=local:bob',
  ]);
});

after(async () => {
  await agent?.stop();
  await gateway?.stop();
  await run?.stop();
});

describe('revoking a token reaches every passthrough request still open with it', () => {
  test('a create whose body is still arriving is cut when its token is revoked, nothing is written, and its tunnel stream ends', async () => {
    const token = await login();
    const before = await tunnelStreams();
    // A body sent slowly: the request is authenticated, the apiserver waits for the rest.
    const raw = await startCreate(token, 'after-revocation');
    assert.equal(await closesWithin(raw.closed, 1_500), false, 'the request is open before the revocation');
    assert.equal(raw.received(), '', 'no answer yet: the body is not complete');

    const revoked = await gateway.api<{ revoked: number }>('DELETE', '/v1/users/local%3Abob/tokens');
    assert.ok(revoked.body.revoked >= 1);
    const cut = await closesWithin(raw.closed, 6_000);
    if (!cut) {
      // The rest of the body arrives after the revocation: it must not be written.
      const rest = '"data":{"written":"yes"}}';
      raw.socket.write(`${rest.length.toString(16)}\r\n${rest}\r\n0\r\n\r\n`);
      await closesWithin(raw.closed, 3_000);
      raw.socket.destroy();
    }
    const found = await cluster.kubectl('admin', ['get', 'configmap', 'after-revocation', '-n', 'uploads']);
    assert.notEqual(found.code, 0, 'the configmap was created after its token was revoked');
    assert.ok(
      cut,
      `the request stayed open after the revocation; it answered:\n${raw.received().slice(0, 400)}`,
    );
    await waitFor('the tunnel stream is gone', 5_000, async () => (await tunnelStreams()) === before);
  });

  test('a client that goes away mid-upload leaves no tunnel stream behind (the apiserver is not left waiting for the rest)', async () => {
    const token = await login();
    const before = await tunnelStreams();
    const raw = await startCreate(token, 'never-finished');
    await waitFor('the upload is a tunnel stream', 5_000, async () => (await tunnelStreams()) === before + 1);
    raw.socket.destroy();
    await waitFor('the tunnel stream is gone', 5_000, async () => (await tunnelStreams()) === before);
  });

  test('a create sent whole with a live token still works', async () => {
    const token = await login();
    const answer = await gateway.request(`/k8s/clusters/${clusterId}/api/v1/namespaces/uploads/configmaps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'with-live-token' } }),
    });
    assert.equal(answer.status, 201, answer.text);
  });
});
