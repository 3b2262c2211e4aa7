import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { GatewayProcess } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Two replicas on one management cluster write at the same instant what must be unique
// (docs/replicas.md §2): the management cluster, not each replica's view, decides. And what
// belongs to a cluster leaves the store with it.
let run: TestClusters;
let management: TestCluster;
let replicas: GatewayProcess[];

const replica = (n: 1 | 2) => replicas[n - 1] as GatewayProcess;
const ROUNDS = 20;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'uniq' });
  [management] = run.clusters as [TestCluster];
  replicas = await startReplicas(management, join(run.runDir, 'replicas'), 2);
});

after(async () => {
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

/** The store's objects of a kind, as kubectl reads them. */
const storeObjects = async <T>(plural: string): Promise<T[]> =>
  (
    JSON.parse(
      await management.kubectlOk('admin', ['get', plural, '-n', 'fleetgate-system', '-o', 'json']),
    ) as { items: T[] }
  ).items;

describe('what must be unique stays unique across replicas', () => {
  test('of two replicas registering one cluster name in the same instant, exactly one succeeds, every time', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const name = `race-${round}`;
      const answers = await Promise.all(
        [replica(1), replica(2)].map((r) => r.api<{ code?: string }>('POST', '/v1/clusters', { name })),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, 409], `round ${round}: ${JSON.stringify(answers)}`);
    }
    const clusters = await storeObjects<{ spec: { displayName: string } }>('fleetgateclusters');
    for (let round = 0; round < ROUNDS; round++)
      assert.equal(
        clusters.filter((c) => c.spec.displayName === `race-${round}`).length,
        1,
        `race-${round} is stored once`,
      );
  });

  test('of two replicas adding the same membership in the same instant, exactly one succeeds, every time', async () => {
    const registered = await replica(1).api<{ cluster: { clusterId: string } }>('POST', '/v1/clusters', {
      name: 'members',
    });
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    const { clusterId } = registered.body.cluster;
    await within('replica 2 knows the cluster', 5_000, async () => {
      const known = await replica(2).api('GET', `/v1/clusters/${clusterId}`);
      return known.status === 200;
    });
    for (let round = 0; round < ROUNDS; round++) {
      const membership = {
        clusterId,
        subjectKind: 'Group',
        subjectName: `local:team-${round}`,
        templateId: 'cluster-member',
      };
      const answers = await Promise.all(
        [replica(1), replica(2)].map((r) => r.api('POST', '/v1/access/memberships', membership)),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(statuses, [201, 409], `round ${round}: ${JSON.stringify(answers)}`);
    }
    const memberships = await storeObjects<{ spec: { clusterId: string; subject: { name: string } } }>(
      'fleetgatememberships',
    );
    for (let round = 0; round < ROUNDS; round++)
      assert.equal(
        memberships.filter(
          (m) => m.spec.clusterId === clusterId && m.spec.subject.name === `local:team-${round}`,
        ).length,
        1,
        `the membership of team-${round} is stored once`,
      );
  });

  test('a removed membership can be added again at once, through either replica', async () => {
    const { clusterId } = (
      await replica(1).api<{ clusters: { clusterId: string; name: string }[] }>('GET', '/v1/clusters')
    ).body.clusters.find((c) => c.name === 'members') as { clusterId: string };
    const membership = {
      clusterId,
      subjectKind: 'Group',
      subjectName: 'local:again',
      templateId: 'cluster-member',
    };
    const first = await replica(1).api<{ membership: { membershipId: string } }>(
      'POST',
      '/v1/access/memberships',
      membership,
    );
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const removed = await replica(1).api(
      'DELETE',
      `/v1/access/memberships/${first.body.membership.membershipId}`,
    );
    assert.ok(removed.status < 300, JSON.stringify(removed.body));
    const again = await replica(2).api('POST', '/v1/access/memberships', membership);
    assert.equal(again.status, 201, JSON.stringify(again.body));
  });

  test('a deleted cluster frees its name at once, for either replica', async () => {
    const first = await replica(1).api<{ cluster: { clusterId: string } }>('POST', '/v1/clusters', {
      name: 'reused',
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const removed = await replica(1).api('DELETE', `/v1/clusters/${first.body.cluster.clusterId}`);
    assert.ok(removed.status < 300, JSON.stringify(removed.body));
    const again = await replica(2).api('POST', '/v1/clusters', { name: 'reused' });
    assert.equal(again.status, 201, JSON.stringify(again.body));
  });
});

/** Registers a cluster through replica 1 with a project and a membership in it. */
const clusterWithPolicy = async (name: string) => {
  const registered = await replica(1).api<{ cluster: { clusterId: string } }>('POST', '/v1/clusters', {
    name,
  });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const { clusterId } = registered.body.cluster;
  const project = await replica(1).api<{ project: { projectId: string } }>('POST', '/v1/access/projects', {
    clusterId,
    name: 'payments',
    namespaces: ['team-a'],
  });
  assert.equal(project.status, 201, JSON.stringify(project.body));
  const added = await replica(1).api('POST', '/v1/access/memberships', {
    projectId: project.body.project.projectId,
    subjectKind: 'Group',
    subjectName: 'local:payments',
    templateId: 'project-member',
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  return clusterId;
};

/** The store's projects, memberships and claims that belong to the cluster. */
const leftOf = async (clusterId: string) => {
  const projects = await storeObjects<{ metadata: { name: string } }>('fleetgateclusterprojects');
  const memberships = await storeObjects<{ metadata: { name: string }; spec: { clusterId: string } }>(
    'fleetgatememberships',
  );
  const claims = await storeObjects<{ spec: { owner: string } }>('fleetgateclaims');
  const membershipIds = new Set(
    memberships.filter((m) => m.spec.clusterId === clusterId).map((m) => m.metadata.name),
  );
  return [
    ...projects.filter((p) => p.metadata.name === clusterId).map((p) => `projects ${p.metadata.name}`),
    ...[...membershipIds].map((id) => `membership ${id}`),
    ...claims
      .filter((c) => c.spec.owner === clusterId || membershipIds.has(c.spec.owner))
      .map((c) => `claim of ${c.spec.owner}`),
  ];
};

describe("a cluster's access policy leaves the store with it", () => {
  test('deleting a cluster through a replica deletes its projects, memberships and claims before it answers', async () => {
    const clusterId = await clusterWithPolicy('removed');
    assert.equal((await leftOf(clusterId)).length, 4, 'projects, a membership, its claim and the name claim');
    const removed = await replica(2).api('DELETE', `/v1/clusters/${clusterId}`);
    assert.equal(removed.status, 204, JSON.stringify(removed.body));
    assert.deepEqual(await leftOf(clusterId), []);
  });

  test("a cluster's object deleted behind the replicas' back (a replica dying mid-delete) takes its projects, memberships and claims with it", async () => {
    const clusterId = await clusterWithPolicy('deleted-by-hand');
    await management.kubectlOk('admin', ['delete', 'fgc', clusterId, '-n', 'fleetgate-system']);
    // The management cluster's garbage collector follows the ownerReferences.
    await within('the garbage collector removes what belonged to the cluster', 30_000, async () => {
      return (await leftOf(clusterId)).length === 0;
    });
  });
});
