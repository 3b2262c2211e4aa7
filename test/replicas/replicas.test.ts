import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentProcess, downloadKubeconfig, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { kubectlOk } from '../harness/kubectl.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Three gateway processes with their state in a management cluster (one more real control
// plane), and a downstream cluster whose agent connects to one of them.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let agent: AgentProcess | undefined;

const replica = (n: 1 | 2 | 3) => replicas[n - 1] as GatewayProcess;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'repl' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  replicas = await startReplicas(management, join(run.runDir, 'replicas'), 3);
});

after(async () => {
  await agent?.stop();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

async function signIn(gateway: GatewayProcess, username: string, password: string) {
  return gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

async function whoamiStatus(gateway: GatewayProcess, token: string): Promise<number> {
  return (await gateway.request('/v1/auth/whoami', { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('replicas share one store in the management cluster', () => {
  test('a user created through replica 1 signs in through replicas 2 and 3, and its session token works on all', async () => {
    const created = await replica(1).api('POST', '/v1/users', {
      username: 'carol_ops',
      password: 'carol-password-123456',
      groups: ['ops'],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    let session = '';
    await within('replica 2 knows carol_ops', 2_000, async () => {
      const answer = await signIn(replica(2), 'carol_ops', 'carol-password-123456');
      if (answer.status === 200) session = (JSON.parse(answer.text) as { token: string }).token;
      return answer.status === 200;
    });
    await within('replica 3 knows the session token of replica 2', 2_000, async () => {
      return (await whoamiStatus(replica(3), session)) === 200;
    });
    assert.equal(await whoamiStatus(replica(1), session), 200);
    // The same name once more, through another replica: one user per name across replicas.
    const again = await replica(3).api('POST', '/v1/users', {
      username: 'carol_ops',
      password: 'another-password-123456',
    });
    assert.equal(again.status, 409);
  });

  test('a token revoked through replica 1 is refused by replica 3 within 2 s', async () => {
    const issued = await replica(1).api<{ token: string; tokenId: string }>('POST', '/v1/tokens', {
      description: 'revocation across replicas',
    });
    assert.equal(issued.status, 201);
    const { token, tokenId } = issued.body;
    await within(
      'replica 3 knows the token',
      2_000,
      async () => (await whoamiStatus(replica(3), token)) === 200,
    );
    const revoked = await replica(1).api('DELETE', `/v1/tokens/${tokenId}`);
    assert.equal(revoked.status, 204);
    const tookMs = await within(
      'replica 3 refuses the revoked token',
      2_000,
      async () => (await whoamiStatus(replica(3), token)) === 401,
    );
    assert.ok(tookMs < 2_000);
    assert.equal(await whoamiStatus(replica(2), token), 401);
    assert.equal(await whoamiStatus(replica(1), token), 401);
  });

  test('a cluster registered through replica 1 is installed through replica 2, and kubectl reaches it through replica 2', async () => {
    const registration = await registerCluster(replica(1), 'shared');
    await within(
      'replica 2 lists the cluster',
      2_000,
      async () =>
        (await replica(2).api('GET', `/v1/clusters/${registration.cluster.clusterId}`)).status === 200,
    );
    agent = await AgentProcess.install(downstream, replica(2), registration);
    await replica(2).waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    // Replica 3 holds no tunnel, but reads the cluster's state from the store.
    const seen = await replica(3).waitForCluster(
      registration.cluster.clusterId,
      (c) => c.state === 'Active',
      'Active',
    );
    assert.ok(seen.agentVersion);
    const kubeconfig = join(run.runDir, 'replicas', 'admin-via-2.kubeconfig');
    await mkdir(join(run.runDir, 'replicas'), { recursive: true });
    await downloadKubeconfig(replica(2), 'admin', replica(2).adminPassword, kubeconfig);
    // The downstream cluster's own RBAC decides: it lets the gateway's admin read namespaces.
    await downstream.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'fleetgate-admin-reads',
      '--clusterrole=view',
      '--user=local:admin',
    ]);
    const pods = await kubectlOk(kubeconfig, ['get', 'pods', '-n', 'default', '-o', 'name']);
    assert.equal(typeof pods, 'string');
    const serviceAccounts = await kubectlOk(kubeconfig, [
      'get',
      'serviceaccounts',
      '-n',
      'default',
      '-o',
      'name',
    ]);
    assert.match(serviceAccounts, /serviceaccount\/default/);
    // The registration token was used once, through replica 2: replica 3 refuses it too.
    const manifest = await replica(3).request(new URL(registration.installUrl).pathname);
    assert.equal(manifest.status, 401, manifest.text);
  });

  test("a cluster registered through replica 1 is in every replica's list within 2 s, and out of every list within 2 s of its deletion through replica 3", async () => {
    const names = async (n: 1 | 2 | 3) =>
      (await replica(n).api<{ clusters: { name: string }[] }>('GET', '/v1/clusters')).body.clusters.map(
        (c) => c.name,
      );
    const everyList = async (holds: boolean) =>
      (await Promise.all(([1, 2, 3] as const).map(names))).every((list) => list.includes('listed') === holds);
    // Each replica has listed its clusters (and keeps the list) before the changes.
    assert.ok(await everyList(false));
    const registration = await registerCluster(replica(1), 'listed');
    await within('every replica lists the new cluster', 2_000, () => everyList(true));
    const removed = await replica(3).api('DELETE', `/v1/clusters/${registration.cluster.clusterId}`);
    assert.equal(removed.status, 204);
    await within('no replica lists the deleted cluster', 2_000, () => everyList(false));
  });

  test('an agent credential rotated through a replica without the tunnel reaches the agent through the replica with it', async () => {
    const clusterId = (
      await replica(2).api<{ clusters: { clusterId: string; name: string }[] }>('GET', '/v1/clusters')
    ).body.clusters.find((c) => c.name === 'shared')?.clusterId as string;
    assert.ok(agent);
    const before = await agent.storedCredential();
    const rotation = await replica(1).api<{ deliveredTo: number }>(
      'POST',
      `/v1/clusters/${clusterId}/agent-credential`,
      {
        graceSeconds: 2,
      },
    );
    assert.equal(rotation.status, 200, JSON.stringify(rotation.body));
    assert.equal(rotation.body.deliveredTo, 0, 'replica 1 holds no tunnel of the cluster');
    await within('the agent stores a new credential', 5_000, async () => {
      const now = await agent?.storedCredential();
      return now !== undefined && now !== before;
    });
    // After the grace the tunnel is still held (by the new credential): the cluster stays Active.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const cluster = await replica(2).cluster(clusterId);
    assert.equal(cluster.state, 'Active', cluster.stateReason);
    assert.equal(await agent.logCount('tunnel closed'), 0);
  });

  test('kubectl reads the store as FleetgateClusters, FleetgateUsers and FleetgateApiTokens, with hashes and no secret', async () => {
    const registration = await registerCluster(replica(3), 'listed');
    const table = await management.kubectlOk('admin', ['get', 'fleetgateclusters', '-n', 'fleetgate-system']);
    assert.match(table.split('\n')[0] ?? '', /NAME\s+CLUSTER\s+STATE\s+HEALTH\s+VERSION\s+REPLICA\s+AGE/);
    assert.match(table, new RegExp(`${registration.cluster.clusterId}\\s+listed\\s+Pending`));
    const everything = await management.kubectlOk('admin', [
      'get',
      'fleetgateclusters,fleetgateusers,fleetgateapitokens',
      '-n',
      'fleetgate-system',
      '-o',
      'yaml',
    ]);
    const secret = registration.registrationToken.split('.')[1] as string;
    assert.equal(everything.includes(secret), false, 'a registration token secret is in a custom resource');
    assert.equal(everything.includes(replica(1).adminPassword), false, 'a password is in a custom resource');
    assert.match(everything, /passwordHash: scrypt/);
    const users = await management.kubectlOk('admin', ['get', 'fgu', '-n', 'fleetgate-system']);
    assert.match(users, /carol_ops\s+false/);
  });
});
