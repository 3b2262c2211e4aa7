import assert from 'node:assert/strict';
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

const secret43 = (c: string) => c.repeat(43);

/** The close of a raw agent presenting `token`. */
function refusalOf(token: string | undefined) {
  return connectRawAgent(gateway.url, token, { caPem: gateway.caPem }).closed;
}

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

  test('on its first connection the agent exchanges the registration token for a credential of its cluster, kept in its Secret', async () => {
    await gateway.waitForCluster(one.cluster.clusterId, isReady, 'Active');
    const credential = await waitForStoredCredential(agentOne);
    assert.match(credential, new RegExp(`^${one.cluster.clusterId}\\.agent\\.[A-Za-z0-9_-]{43}$`));
    assert.notEqual(credential, one.registrationToken);
  });

  test('a used registration token opens nothing: a second agent holding only it is refused, and the cluster keeps its own tunnel', async () => {
    // The hijack: whoever learnt the token after the install must not become the newest tunnel.
    const rogue = connectRawAgent(gateway.url, one.registrationToken, { caPem: gateway.caPem });
    assert.deepEqual(await rogue.closed, {
      code: CloseCode.UNAUTHORIZED,
      reason: 'registration token already used',
    });
    assert.equal(rogue.frames.length, 0, 'the refused agent got a frame');
    assert.equal((await gateway.cluster(one.cluster.clusterId)).state, 'Active');
  });

  test('killing the agent turns the cluster Disconnected; restarted, it reconnects with the credential from its Secret', async () => {
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
    // A new process has only its Secret: the registration token in its token file is used up.
    assert.equal((await refusalOf(one.registrationToken)).reason, 'registration token already used');
    agentOne.start();
    await gateway.waitForCluster(one.cluster.clusterId, (c) => c.state === 'Active', 'Active again', 15_000);
    assert.equal(await agentOne.logCount('tunnel closed'), 0, 'the restarted agent was refused first');
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
      ['wrong credential', `${one.cluster.clusterId}.agent.${secret43('A')}`, 'invalid agent credential'],
      ['credential of an unknown cluster', `c-zzzzzzzzzz.agent.${secret43('A')}`, 'unknown cluster'],
    ];
    for (const [name, token, reason] of cases) {
      const closed = await connectRawAgent(gateway.url, token, { caPem: gateway.caPem }).closed;
      assert.deepEqual(closed, { code: CloseCode.UNAUTHORIZED, reason }, name);
    }
  });

  test('an agent cannot take over another cluster with its own secret or credential', async () => {
    const secretOfOne = one.registrationToken.split('.')[1];
    const closed = await refusalOf(`${two.cluster.clusterId}.${secretOfOne}`);
    assert.deepEqual(closed, { code: CloseCode.UNAUTHORIZED, reason: 'invalid registration token' });
    // A credential of cluster one opens nothing for cluster two.
    const credentialOfOne = await waitForStoredCredential(agentOne);
    const credentialSecret = credentialOfOne.split('.agent.')[1];
    assert.deepEqual(await refusalOf(`${two.cluster.clusterId}.agent.${credentialSecret}`), {
      code: CloseCode.UNAUTHORIZED,
      reason: 'invalid agent credential',
    });
    // With its own credential, the agent is always told its own cluster id.
    const honest = connectRawAgent(gateway.url, credentialOfOne, { caPem: gateway.caPem });
    const hello = await honest.hello;
    assert.equal(hello.type === 'HELLO' && hello.hello.clusterId, one.cluster.clusterId);
    assert.equal(hello.type === 'HELLO' && hello.hello.agentCredential, undefined);
    honest.socket.close();
  });

  test('an expired registration token opens nothing', async () => {
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
      /unsupported tunnel protocol version; this gateway speaks fleetgate\.tunnel\.v2/,
    );
  });

  test('rotating the registration token issues a fresh, unused one for a re-install; no tunnel closes', async () => {
    await gateway.waitForCluster(two.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    const closedBefore = await agentTwo.logCount('tunnel closed');
    const rotated = await gateway.api<Registration>(
      'POST',
      `/v1/clusters/${two.cluster.clusterId}/registration-token`,
      { graceSeconds: 60 },
    );
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.registrationToken, two.registrationToken);
    // The fresh token installs (its manifest is served); the used one stays used within its grace.
    assert.equal((await gateway.request(new URL(rotated.body.installUrl).pathname)).status, 200);
    assert.equal((await refusalOf(two.registrationToken)).reason, 'registration token already used');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await gateway.cluster(two.cluster.clusterId)).state, 'Active');
    assert.equal(await agentTwo.logCount('tunnel closed'), closedBefore);
  });

  test('rotating the agent credential: the connected agent receives and stores the new one and keeps its tunnel; a tunnel on the old one closes when the grace ends', async () => {
    await gateway.waitForCluster(two.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    const old = await waitForStoredCredential(agentTwo);
    const closedBefore = await agentTwo.logCount('tunnel closed');
    const graceSeconds = 4;
    const rotated = await gateway.api<{ deliveredTo: number; graceUntil: string }>(
      'POST',
      `/v1/clusters/${two.cluster.clusterId}/agent-credential`,
      { graceSeconds },
    );
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.deliveredTo, 1);
    const fresh = await waitForStoredCredential(agentTwo, (c) => c !== old);
    assert.match(fresh, new RegExp(`^${two.cluster.clusterId}\\.agent\\.`));

    // Within the grace the old credential still opens a tunnel (an agent that had not read the
    // Secret yet)...
    const late = connectRawAgent(gateway.url, old, { caPem: gateway.caPem });
    await late.hello;
    const openedAt = Date.now();
    // ... which is closed when the grace ends.
    assert.deepEqual(await late.closed, {
      code: CloseCode.UNAUTHORIZED,
      reason: 'agent credential rotated out',
    });
    assert.ok(Date.now() >= Date.parse(rotated.body.graceUntil) - 100, 'closed before the grace ended');
    assert.ok(Date.now() - openedAt < graceSeconds * 1000 + 2_000, 'closed long after the grace ended');
    assert.deepEqual(await refusalOf(old), {
      code: CloseCode.UNAUTHORIZED,
      reason: 'agent credential rotated out',
    });

    // The agent that received the new credential kept its tunnel, and it still carries requests.
    assert.equal(await agentTwo.logCount('tunnel closed'), closedBefore);
    assert.equal((await gateway.cluster(two.cluster.clusterId)).state, 'Active');
    const login = await gateway.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: gateway.adminPassword }),
    });
    const { token } = JSON.parse(login.text) as { token: string };
    const version = await gateway.request(`/k8s/clusters/${two.cluster.clusterId}/version`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(version.status, 200, version.text);
    assert.equal((JSON.parse(version.text) as { gitVersion: string }).gitVersion, 'v1.35.4');
  });

  test('rotating the agent credential with no grace refuses the old one at once; the agent restarted reconnects with the new one', async () => {
    const old = await waitForStoredCredential(agentTwo);
    const rotated = await gateway.api<{ deliveredTo: number }>(
      'POST',
      `/v1/clusters/${two.cluster.clusterId}/agent-credential`,
      { graceSeconds: 0 },
    );
    assert.equal(rotated.body.deliveredTo, 1);
    assert.equal((await refusalOf(old)).reason, 'agent credential rotated out');
    await waitForStoredCredential(agentTwo, (c) => c !== old);
    await agentTwo.kill();
    await gateway.waitForCluster(
      two.cluster.clusterId,
      (c) => c.state === 'Disconnected',
      'Disconnected',
      5_000,
    );
    agentTwo.start();
    await gateway.waitForCluster(two.cluster.clusterId, (c) => c.state === 'Active', 'Active again', 15_000);
    assert.equal(await agentTwo.logCount('tunnel closed'), 0, 'the restarted agent was refused first');
  });

  test('the install manifest is served only for a valid, unused token', async () => {
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
    // A used token installs nothing more.
    const used = await gateway.request(new URL(one.installUrl).pathname);
    assert.equal(used.status, 401);
    assert.match(used.text, /registration token already used/);
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

/** Waits until the agent has stored a credential (one that `accept`s), and answers it. */
async function waitForStoredCredential(
  agent: AgentProcess,
  accept: (credential: string) => boolean = () => true,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  let last: string | undefined;
  while (Date.now() < deadline) {
    last = await agent.storedCredential();
    if (last && accept(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no credential stored after 10 s (last seen: ${last ? 'another one' : 'none'})`);
}
