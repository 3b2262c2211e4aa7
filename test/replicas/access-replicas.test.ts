import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentProcess, downloadKubeconfig, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Two replicas sharing one management cluster hold the access policy there
// (docs/replicas.md §2): what one writes, the other reads, and the cluster's owner applies.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let agent: AgentProcess | undefined;
let clusterId: string;
let dir: string;

const replica = (n: 1 | 2) => replicas[n - 1] as GatewayProcess;

interface Membership {
  membershipId: string;
  status: { state: string; message: string };
}

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'acr' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  dir = join(run.runDir, 'replicas');
  replicas = await startReplicas(management, dir, 2, 'fleetgate-system', { sharedTls: true });
  const registration = await registerCluster(replica(1), 'shared');
  clusterId = registration.cluster.clusterId;
  agent = await AgentProcess.install(downstream, replica(1), registration);
  await replica(2).waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  for (const namespace of ['team-a', 'team-c'])
    await downstream.kubectlOk('admin', ['create', 'namespace', namespace]);
});

after(async () => {
  await agent?.stop();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

describe('the access policy is shared by the replicas', () => {
  test('a membership created through replica 1 is seen by replica 2 and lets the member work through it', async () => {
    const user = await replica(1).api('POST', '/v1/users', {
      username: 'alice',
      password: 'alice-password-123456',
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const project = await replica(1).api<{ project: { projectId: string } }>('POST', '/v1/access/projects', {
      clusterId,
      name: 'payments',
      namespaces: ['team-a'],
    });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const added = await replica(1).api<{ membership: Membership }>('POST', '/v1/access/memberships', {
      projectId: project.body.project.projectId,
      subjectKind: 'User',
      subjectName: 'local:alice',
      templateId: 'project-member',
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const { membershipId } = added.body.membership;

    await within('replica 2 lists the membership', 2_000, async () => {
      const listed = await replica(2).api<{ memberships: Membership[] }>('GET', '/v1/access/memberships');
      return listed.body.memberships.some((m) => m.membershipId === membershipId);
    });

    const aliceViaSecond = join(dir, 'alice-via-2.kubeconfig');
    await downloadKubeconfig(replica(2), 'alice', 'alice-password-123456', aliceViaSecond);
    await within('alice may create a Deployment in team-a through replica 2', 20_000, async () => {
      const made = await runKubectl(aliceViaSecond, [
        'create',
        'deployment',
        'web',
        '-n',
        'team-a',
        '--image=nginx',
      ]);
      return made.code === 0;
    });
    const elsewhere = await runKubectl(aliceViaSecond, [
      'create',
      'deployment',
      'web',
      '-n',
      'team-c',
      '--image=nginx',
    ]);
    assert.notEqual(elsewhere.code, 0);
    assert.match(elsewhere.stderr, /forbidden/i);

    // The owner's controller records the status; both replicas read it.
    for (const each of [replica(1), replica(2)])
      await within(
        `replica ${each === replica(1) ? 1 : 2} shows the membership Applied`,
        30_000,
        async () => {
          const listed = await each.api<{ memberships: Membership[] }>('GET', '/v1/access/memberships');
          return (
            listed.body.memberships.find((m) => m.membershipId === membershipId)?.status.state === 'Applied'
          );
        },
      );

    // One replica, the cluster's owner, runs its access controller.
    interface Seen {
      replicaId: string;
      accessControllers: string[];
      clusters: { clusterId: string; owner: string | null }[];
    }
    const seen = await Promise.all(
      replicas.map(async (r) => (await r.api<Seen>('GET', '/v1/replicas')).body),
    );
    const owner = seen[0]?.clusters.find((c) => c.clusterId === clusterId)?.owner;
    assert.ok(owner, 'the cluster has an owner');
    for (const each of seen)
      assert.equal(
        each.accessControllers.includes(clusterId),
        each.replicaId === owner,
        `${each.replicaId} runs the controller of a cluster owned by ${owner}: ${JSON.stringify(each)}`,
      );

    // Removed through replica 2: alice loses her rights, whichever replica owns the cluster.
    const removed = await replica(2).api('DELETE', `/v1/access/memberships/${membershipId}`);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    await within('alice is forbidden in team-a again', 20_000, async () => {
      const denied = await runKubectl(aliceViaSecond, ['get', 'deployments', '-n', 'team-a']);
      return denied.code !== 0 && /forbidden/i.test(denied.stderr);
    });
  });

  test('one namespace claimed by two projects through two replicas at once goes to exactly one', async () => {
    for (let round = 0; round < 5; round++) {
      const namespace = `contested-${round}`;
      const answers = await Promise.all(
        ([1, 2] as const).map((n) =>
          replica(n).api<{ project?: { projectId: string }; code?: string }>('POST', '/v1/access/projects', {
            clusterId,
            name: `claimant-${round}-${n}`,
            namespaces: [namespace],
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, 409], `round ${round}: ${JSON.stringify(answers.map((a) => a.body))}`);
      // The refused project was not made at all, and the namespace has one holder on both replicas.
      for (const each of [replica(1), replica(2)])
        await within(`round ${round}: one project holds ${namespace}`, 2_000, async () => {
          const listed = await each.api<{ projects: { name: string; namespaces: string[] }[] }>(
            'GET',
            `/v1/access/projects?clusterId=${clusterId}`,
          );
          const holders = listed.body.projects.filter((p) => p.namespaces.includes(namespace));
          const claimants = listed.body.projects.filter((p) => p.name.startsWith(`claimant-${round}-`));
          return holders.length === 1 && claimants.length === 1;
        });
    }
  });

  test('two replicas adding one namespace to two existing projects at once: one wins, the other is refused', async () => {
    const made = await Promise.all(
      ([1, 2] as const).map((n) =>
        replica(n).api<{ project: { projectId: string } }>('POST', '/v1/access/projects', {
          clusterId,
          name: `grower-${n}`,
        }),
      ),
    );
    for (const answer of made) assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const [one, two] = made.map((a) => a.body.project.projectId) as [string, string];
    await within('replica 1 knows both projects', 2_000, async () => {
      const listed = await replica(1).api<{ projects: { projectId: string }[] }>(
        'GET',
        '/v1/access/projects',
      );
      return listed.body.projects.filter((p) => p.projectId === one || p.projectId === two).length === 2;
    });
    await within('replica 2 knows both projects', 2_000, async () => {
      const listed = await replica(2).api<{ projects: { projectId: string }[] }>(
        'GET',
        '/v1/access/projects',
      );
      return listed.body.projects.filter((p) => p.projectId === one || p.projectId === two).length === 2;
    });
    const answers = await Promise.all([
      replica(1).api('POST', `/v1/access/projects/${one}/namespaces`, { namespaces: ['grown'] }),
      replica(2).api('POST', `/v1/access/projects/${two}/namespaces`, { namespaces: ['grown'] }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status).sort(),
      [200, 409],
      JSON.stringify(answers.map((a) => a.body)),
    );
  });
});
