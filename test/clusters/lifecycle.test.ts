import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { CloseCode } from '../../src/shared/tunnel/codes.ts';
import { AgentProcess, GatewayProcess, type Registration, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { connectRawAgent } from '../tunnel/raw-agent.ts';

let run: TestClusters;
let gateway: GatewayProcess;
let c1: TestCluster;
let c2: TestCluster;
let one: Registration;
let two: Registration;
let agentOne: AgentProcess;
let agentTwo: AgentProcess;

before(async () => {
  run = await startClusters({ count: 2 });
  [c1, c2] = run.clusters as [TestCluster, TestCluster];
  gateway = await GatewayProcess.start({ dir: run.runDir, heartbeatMs: 500, livenessMs: 2000 });
  one = await registerCluster(gateway, 'one');
  two = await registerCluster(gateway, 'two');
  agentOne = await AgentProcess.install(c1, gateway, one);
  agentTwo = await AgentProcess.install(c2, gateway, two);
});

after(async () => {
  await agentOne?.stop();
  await agentTwo?.stop();
  await gateway?.stop();
  await run?.stop();
});

const isReady = (c: { state: string; health: string | null; kubernetesVersion: string | null }) =>
  c.state === 'Active' && c.health === 'ok' && c.kubernetesVersion === 'v1.35.4';

describe('cluster lifecycle', () => {
  test('a registered cluster starts Pending until its agent connects', async () => {
    const { body } = await registerCluster(gateway, 'never-connected').then(async (r) => ({
      body: await gateway.cluster(r.cluster.clusterId),
    }));
    assert.equal(body.state, 'Pending');
  });

  test('an installed agent connects and its cluster becomes Active with its version and health', async () => {
    const cluster = await gateway.waitForCluster(one.cluster.clusterId, isReady, 'Active and healthy');
    assert.equal(cluster.agentVersion, '0.1.0');
    assert.ok(cluster.lastConnectedAt);
    await gateway.waitForCluster(two.cluster.clusterId, isReady, 'Active and healthy');
  });

  test('killing the agent turns the cluster Disconnected; restarting it makes it Active again', async () => {
    await gateway.waitForCluster(one.cluster.clusterId, isReady, 'Active');
    await agentOne.kill();
    const lost = await gateway.waitForCluster(
      one.cluster.clusterId,
      (c) => c.state === 'Disconnected',
      'Disconnected',
      5_000,
    );
    assert.match(lost.stateReason, /tunnel closed/);
    // The other cluster is unaffected.
    assert.equal((await gateway.cluster(two.cluster.clusterId)).state, 'Active');
    agentOne.start();
    await gateway.waitForCluster(one.cluster.clusterId, (c) => c.state === 'Active', 'Active again', 15_000);
  });

  test('after a gateway restart the agents reconnect and the registry is intact', async () => {
    await gateway.waitForCluster(two.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    const before = (
      await gateway.api<{ clusters: { clusterId: string; name: string; createdAt: string }[] }>(
        'GET',
        '/v1/clusters',
      )
    ).body.clusters;
    await gateway.restart();
    const afterRestart = (
      await gateway.api<{ clusters: { clusterId: string; name: string; createdAt: string }[] }>(
        'GET',
        '/v1/clusters',
      )
    ).body.clusters;
    assert.deepEqual(
      afterRestart.map((c) => [c.clusterId, c.name, c.createdAt]),
      before.map((c) => [c.clusterId, c.name, c.createdAt]),
    );
    await gateway.waitForCluster(one.cluster.clusterId, isReady, 'reconnected', 20_000);
    await gateway.waitForCluster(two.cluster.clusterId, isReady, 'reconnected', 20_000);
  });

  test('a wrong token is refused with a clear close reason', async () => {
    const cases: [string, string | undefined, string][] = [
      ['no token', undefined, 'malformed registration token'],
      ['not a token', 'hello', 'malformed registration token'],
      ['unknown cluster', `c-zzzzzzzzzz.${'A'.repeat(43)}`, 'unknown cluster'],
      ['wrong secret', `${one.cluster.clusterId}.${'A'.repeat(43)}`, 'invalid registration token'],
    ];
    for (const [name, token, reason] of cases) {
      const closed = await connectRawAgent(gateway.url, token, { caPem: gateway.caPem }).closed;
      assert.deepEqual(closed, { code: CloseCode.UNAUTHORIZED, reason }, name);
    }
  });

  test('an agent cannot take over another cluster with its own secret', async () => {
    const secretOfOne = one.registrationToken.split('.')[1];
    const closed = await connectRawAgent(gateway.url, `${two.cluster.clusterId}.${secretOfOne}`, {
      caPem: gateway.caPem,
    }).closed;
    assert.deepEqual(closed, { code: CloseCode.UNAUTHORIZED, reason: 'invalid registration token' });
    // With its own token, the agent is always told its own cluster id.
    const honest = connectRawAgent(gateway.url, one.registrationToken, { caPem: gateway.caPem });
    const hello = await honest.hello;
    assert.equal(hello.type === 'HELLO' && hello.hello.clusterId, one.cluster.clusterId);
    honest.socket.close();
  });

  test('an expired token is refused', async () => {
    const shortLived = await registerCluster(gateway, 'short-lived', 1);
    await new Promise((r) => setTimeout(r, 1_100));
    const closed = await connectRawAgent(gateway.url, shortLived.registrationToken, { caPem: gateway.caPem })
      .closed;
    assert.deepEqual(closed, { code: CloseCode.UNAUTHORIZED, reason: 'registration token expired' });
  });

  test('a client that speaks no common protocol version is told which versions the gateway speaks', async () => {
    const refused = await connectRawAgent(gateway.url, one.registrationToken, {
      protocols: ['fleetgate.tunnel.v0'],
      caPem: gateway.caPem,
    }).refused;
    assert.equal(refused.status, 400);
    assert.match(
      refused.body,
      /unsupported tunnel protocol version; this gateway speaks fleetgate\.tunnel\.v1/,
    );
  });

  test('rotating the token: the old one works during its grace period, is refused after it, and the agent moves to the new one', async () => {
    await gateway.waitForCluster(two.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    const graceful = await gateway.api<Registration>(
      'POST',
      `/v1/clusters/${two.cluster.clusterId}/registration-token`,
      { graceSeconds: 60 },
    );
    assert.equal(graceful.status, 200);
    // Within the grace period the old token still opens a tunnel.
    const stillOk = connectRawAgent(gateway.url, two.registrationToken, { caPem: gateway.caPem });
    await stillOk.hello;
    stillOk.socket.close();

    // Rotating again with no grace retires the previous token at once and closes tunnels opened with it.
    const immediate = await gateway.api<Registration>(
      'POST',
      `/v1/clusters/${two.cluster.clusterId}/registration-token`,
      { graceSeconds: 0 },
    );
    const refused = await connectRawAgent(gateway.url, graceful.body.registrationToken, {
      caPem: gateway.caPem,
    }).closed;
    assert.deepEqual(refused, { code: CloseCode.UNAUTHORIZED, reason: 'registration token rotated out' });
    const original = await connectRawAgent(gateway.url, two.registrationToken, { caPem: gateway.caPem })
      .closed;
    assert.deepEqual(original, { code: CloseCode.UNAUTHORIZED, reason: 'invalid registration token' });
    await gateway.waitForCluster(
      two.cluster.clusterId,
      (c) => c.state === 'Disconnected',
      'Disconnected',
      5_000,
    );

    // The agent re-reads its token file at every attempt: give it the new token.
    await writeFile(agentTwo.tokenFile, immediate.body.registrationToken);
    await gateway.waitForCluster(
      two.cluster.clusterId,
      (c) => c.state === 'Active',
      'Active with the new token',
      15_000,
    );
  });

  test('the install manifest is served only for a valid token', async () => {
    const rotated = await gateway.api<Registration>(
      'POST',
      `/v1/clusters/${one.cluster.clusterId}/registration-token`,
      {
        graceSeconds: 3600,
      },
    );
    const good = await gateway.request(new URL(rotated.body.installUrl).pathname);
    assert.equal(good.status, 200);
    assert.match(good.text, /kind: Deployment/);
    // The manifest tells the agent to trust the gateway's own CA.
    assert.match(good.text, /ca\.crt: \|/);
    const bad = await gateway.request(`/v1/install/${one.cluster.clusterId}.${'B'.repeat(43)}.yaml`);
    assert.equal(bad.status, 401);
  });

  test('removing a cluster closes its tunnel with 4404', async () => {
    const doomed = await registerCluster(gateway, 'doomed');
    const agent = connectRawAgent(gateway.url, doomed.registrationToken, { caPem: gateway.caPem });
    await agent.hello;
    const removed = await gateway.api('DELETE', `/v1/clusters/${doomed.cluster.clusterId}`);
    assert.equal(removed.status, 204);
    assert.deepEqual(await agent.closed, {
      code: CloseCode.CLUSTER_REMOVED,
      reason: 'cluster removed from the gateway',
    });
    assert.equal((await gateway.api('GET', `/v1/clusters/${doomed.cluster.clusterId}`)).status, 404);
  });
});
