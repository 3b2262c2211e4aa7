// The access controllers against real clusters, with real kubectl through the gateway
// (issue "Access control across the fleet", the Bar).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestCluster } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';
import { reconnectInProcessAgent } from '../tunnel/in-process-fleet.ts';
import { type AccessFleet, dataOf, type Person, startAccessFleet, within } from './access-fleet.ts';

let fleet: AccessFleet;
let alice: Person;
let carol: Person;
let bob: Person;
let cluster1: TestCluster;
let projectId: string;
let aliceMembershipId: string;

const ADD_MEMBERSHIP = `mutation ($input: MembershipInput!) {
  addMembership(input: $input) { membershipId status { state } }
}`;

const canCreateDeployment = async (who: Person, index: number, namespace: string, name: string) => {
  const result = await fleet.kubectl(who, index, [
    'create',
    'deployment',
    name,
    '--image=nginx',
    '-n',
    namespace,
  ]);
  return result.code === 0 || /already exists/.test(result.stderr);
};

const forbidden = async (who: Person, index: number, args: readonly string[]) => {
  const result = await fleet.kubectl(who, index, args);
  return result.code !== 0 && /forbidden/i.test(result.stderr);
};

before(async () => {
  fleet = await startAccessFleet('acl');
  cluster1 = fleet.clusters[0] as TestCluster;
  alice = await fleet.person('alice');
  carol = await fleet.person('carol', ['devs']);
  bob = await fleet.person('bob');
  for (const cluster of fleet.clusters)
    for (const namespace of ['a', 'c']) await cluster.kubectlOk('admin', ['create', 'namespace', namespace]);
  const created = dataOf(
    await fleet.graphql<{ createProject: { projectId: string; namespaces: string[] } }>(
      fleet.admin,
      'mutation ($input: ProjectInput!) { createProject(input: $input) { projectId namespaces } }',
      { input: { clusterId: fleet.clusterIds[0], name: 'shop', namespaces: ['a', 'b'] } },
    ),
  );
  projectId = created.createProject.projectId;
});

after(async () => {
  await fleet?.stop();
});

describe('memberships become RBAC in the cluster, and only there', () => {
  test('alice made project-member of P (a, b) can create Deployments in a and b within 10 s', async () => {
    const added = dataOf(
      await fleet.graphql<{ addMembership: { membershipId: string } }>(fleet.admin, ADD_MEMBERSHIP, {
        input: { projectId, subjectKind: 'USER', subjectName: 'local:alice', templateId: 'project-member' },
      }),
    );
    aliceMembershipId = added.addMembership.membershipId;
    await within(10_000, 'alice creates in a', () => canCreateDeployment(alice, 0, 'a', 'web'));
    await within(10_000, 'alice creates in b', () => canCreateDeployment(alice, 0, 'b', 'web'));
  });

  test('the project namespace b was created, and both carry the project label', async () => {
    const labels = await cluster1.kubectlOk('admin', [
      'get',
      'namespaces',
      '-l',
      `fleetgate.io/project=${projectId}`,
      '-o',
      'name',
    ]);
    assert.deepEqual(labels.trim().split('\n').sort(), ['namespace/a', 'namespace/b']);
  });

  test('alice is Forbidden in namespace c and on cluster 2', async () => {
    assert.ok(await forbidden(alice, 0, ['create', 'deployment', 'web', '--image=nginx', '-n', 'c']));
    assert.ok(await forbidden(alice, 1, ['create', 'deployment', 'web', '--image=nginx', '-n', 'a']));
  });

  test("the membership's status is Applied, with the time", async () => {
    await within(10_000, 'status Applied', async () => {
      const { memberships } = dataOf(
        await fleet.graphql<{
          memberships: { membershipId: string; status: { state: string; at: string } }[];
        }>(
          fleet.admin,
          'query ($projectId: ID) { memberships(projectId: $projectId) { membershipId status { state at } } }',
          { projectId },
        ),
      );
      const status = memberships.find((m) => m.membershipId === aliceMembershipId)?.status;
      return status?.state === 'Applied' && !Number.isNaN(Date.parse(status.at));
    });
  });

  test('a membership by group works the same way', async () => {
    dataOf(
      await fleet.graphql(fleet.admin, ADD_MEMBERSHIP, {
        input: { projectId, subjectKind: 'GROUP', subjectName: 'local:devs', templateId: 'project-member' },
      }),
    );
    await within(10_000, 'carol (group devs) creates in a', () =>
      canCreateDeployment(carol, 0, 'a', 'carol-web'),
    );
    assert.ok(await forbidden(carol, 0, ['create', 'deployment', 'carol-web', '--image=nginx', '-n', 'c']));
  });

  test('a pass with nothing changed makes no write', async () => {
    const controller = fleet.gateway.accessControllers.controller(fleet.clusterIds[0] as string);
    assert.deepEqual(await controller?.passNow(), { applied: 0, deleted: 0, failed: 0 });
  });
});

describe('project members create namespaces inside their project only', () => {
  const CREATE_NS =
    'mutation ($projectId: ID!, $namespace: String!) { createProjectNamespace(projectId: $projectId, namespace: $namespace) { namespaces } }';

  test('alice creates namespace shop-d in P (named shop) through the gateway and may create Deployments there within 10 s', async () => {
    const answer = dataOf(
      await fleet.graphql<{ createProjectNamespace: { namespaces: string[] } }>(alice, CREATE_NS, {
        projectId,
        namespace: 'shop-d',
      }),
    );
    assert.deepEqual(answer.createProjectNamespace.namespaces, ['a', 'b', 'shop-d']);
    await within(10_000, 'alice creates in shop-d', () => canCreateDeployment(alice, 0, 'shop-d', 'web'));
  });

  test("a member may not pre-claim a free name outside the project's prefix (one an administrator may install into later); projects:manage may", async () => {
    const squat = await fleet.graphql(alice, CREATE_NS, { projectId, namespace: 'monitoring' });
    assert.equal(squat.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(squat));
    assert.match(squat.errors?.[0]?.message ?? '', /shop-/);
    const there = await cluster1.kubectl('admin', ['get', 'namespace', 'monitoring']);
    assert.notEqual(there.code, 0);
    assert.match(there.stderr, /NotFound/);
    assert.equal(
      fleet.gateway.access.store.projectOfNamespace(fleet.clusterIds[0] as string, 'monitoring'),
      undefined,
    );
    const byAdmin = dataOf(
      await fleet.graphql<{ createProjectNamespace: { namespaces: string[] } }>(fleet.admin, CREATE_NS, {
        projectId,
        namespace: 'tools',
      }),
    );
    assert.ok(byAdmin.createProjectNamespace.namespaces.includes('tools'));
  });

  test("a member of project shop may not take a name under another project's prefix that starts with shop- (project shop-web)", async () => {
    dataOf(
      await fleet.graphql(
        fleet.admin,
        'mutation ($input: ProjectInput!) { createProject(input: $input) { projectId } }',
        { input: { clusterId: fleet.clusterIds[0], name: 'shop-web', namespaces: [] } },
      ),
    );
    const squat = await fleet.graphql(alice, CREATE_NS, { projectId, namespace: 'shop-web-prod' });
    assert.equal(squat.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(squat));
    assert.equal(
      fleet.gateway.access.store.projectOfNamespace(fleet.clusterIds[0] as string, 'shop-web-prod'),
      undefined,
    );
    const there = await cluster1.kubectl('admin', ['get', 'namespace', 'shop-web-prod']);
    assert.match(there.stderr, /NotFound/);
  });

  test('an existing namespace is not claimed this way, nobody else may create one, and nobody may create one directly', async () => {
    await cluster1.kubectlOk('admin', ['create', 'namespace', 'shop-existing']);
    const existing = await fleet.graphql(alice, CREATE_NS, { projectId, namespace: 'shop-existing' });
    assert.equal(existing.errors?.[0]?.extensions?.code, 'RESOURCE_CONFLICT');
    assert.equal(
      fleet.gateway.access.store.projectOfNamespace(fleet.clusterIds[0] as string, 'shop-existing'),
      undefined,
    );
    // Outside the project's prefix, a member is refused before the cluster is asked.
    const outside = await fleet.graphql(alice, CREATE_NS, { projectId, namespace: 'c' });
    assert.equal(outside.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal(
      fleet.gateway.access.store.projectOfNamespace(fleet.clusterIds[0] as string, 'c'),
      undefined,
    );
    const outsider = await fleet.graphql(bob, CREATE_NS, { projectId, namespace: 'shop-e' });
    assert.equal(outsider.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.ok(await forbidden(alice, 0, ['create', 'namespace', 'f']));
  });
});

describe('drift is undone', () => {
  test("an object labelled as managed by hand, without the gateway's name, is not deleted", async () => {
    await cluster1.kubectlOk('admin', [
      'create',
      'clusterrole',
      'hand-made',
      '--verb=get',
      '--resource=pods',
    ]);
    await cluster1.kubectlOk('admin', [
      'label',
      'clusterrole',
      'hand-made',
      'app.kubernetes.io/managed-by=fleetgate',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await fleet.gateway.accessControllers.controller(fleet.clusterIds[0] as string)?.passNow();
    assert.equal((await cluster1.kubectl('admin', ['get', 'clusterrole', 'hand-made'])).code, 0);
  });

  test('a managed RoleBinding deleted by hand is back within 30 s', async () => {
    const name = `fleetgate:membership:${aliceMembershipId}`;
    await cluster1.kubectlOk('admin', ['delete', 'rolebinding', name, '-n', 'a']);
    const took = await within(
      30_000,
      'RoleBinding back',
      async () => (await cluster1.kubectl('admin', ['get', 'rolebinding', name, '-n', 'a'])).code === 0,
    );
    assert.ok(took < 30_000);
    await within(10_000, 'alice creates in a again', () => canCreateDeployment(alice, 0, 'a', 'web-2'));
  });

  test('a hand-made change to a managed ClusterRole is undone within 30 s', async () => {
    const role = 'fleetgate:template:project-member';
    await cluster1.kubectlOk('admin', [
      'patch',
      'clusterrole',
      role,
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/rules","value":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}]',
    ]);
    await within(30_000, 'ClusterRole restored', async () => {
      const rules = JSON.parse(
        await cluster1.kubectlOk('admin', ['get', 'clusterrole', role, '-o', 'jsonpath={.rules}']),
      ) as { resources: string[] }[];
      return rules.length === 2 && rules[0]?.resources.includes('deployments') === true;
    });
  });
});

describe("the agent's rights are what the controllers need", () => {
  test('it may write ClusterRoles and bindings and label namespaces; not Roles, Secrets, or deleting namespaces', async () => {
    const agentKubeconfig = join(cluster1.dir, 'in-process-agent.kubeconfig');
    const can = async (...args: string[]) =>
      (await runKubectl(agentKubeconfig, ['auth', 'can-i', ...args])).stdout.trim();
    assert.equal(await can('escalate', 'clusterroles.rbac.authorization.k8s.io'), 'yes');
    assert.equal(await can('bind', 'clusterroles.rbac.authorization.k8s.io'), 'yes');
    assert.equal(await can('create', 'rolebindings.rbac.authorization.k8s.io', '-n', 'a'), 'yes');
    assert.equal(await can('patch', 'namespaces'), 'yes');
    assert.equal(await can('create', 'roles.rbac.authorization.k8s.io', '-n', 'a'), 'no');
    assert.equal(await can('escalate', 'roles.rbac.authorization.k8s.io', '-n', 'a'), 'no');
    assert.equal(await can('get', 'secrets', '-n', 'a'), 'no');
    assert.equal(await can('delete', 'namespaces'), 'no');
    assert.equal(await can('create', 'deployments.apps', '-n', 'a'), 'no');
  });
});

describe('explain names what grants access', () => {
  const EXPLAIN = `query ($input: ExplainAccessInput!) {
    explainAccess(input: $input) { allowed reason grantedBy { templateId membership { membershipId } } }
  }`;
  type Explained = {
    explainAccess: {
      allowed: boolean;
      reason: string;
      grantedBy: { templateId: string; membership: { membershipId: string } }[];
    };
  };

  test('alice may create deployments in a, granted by her membership', async () => {
    const { explainAccess } = dataOf(
      await fleet.graphql<Explained>(fleet.admin, EXPLAIN, {
        input: {
          clusterId: fleet.clusterIds[0],
          subjectName: 'local:alice',
          verb: 'create',
          group: 'apps',
          resource: 'deployments',
          namespace: 'a',
        },
      }),
    );
    assert.equal(explainAccess.allowed, true);
    assert.deepEqual(
      explainAccess.grantedBy.map((g) => [g.membership.membershipId, g.templateId]),
      [[aliceMembershipId, 'project-member']],
    );
    assert.match(explainAccess.reason, new RegExp(`fleetgate:membership:${aliceMembershipId}`));
  });

  test('alice may not create deployments in c: denied, nothing grants it', async () => {
    const { explainAccess } = dataOf(
      await fleet.graphql<Explained>(alice, EXPLAIN, {
        input: {
          clusterId: fleet.clusterIds[0],
          subjectName: 'local:alice',
          verb: 'create',
          group: 'apps',
          resource: 'deployments',
          namespace: 'c',
        },
      }),
    );
    assert.equal(explainAccess.allowed, false);
    assert.deepEqual(explainAccess.grantedBy, []);
  });

  test("bob may not ask about alice's access", async () => {
    const answer = await fleet.graphql(bob, EXPLAIN, {
      input: {
        clusterId: fleet.clusterIds[0],
        subjectName: 'local:alice',
        verb: 'get',
        resource: 'pods',
        namespace: 'a',
      },
    });
    assert.equal(answer.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  });
});

describe('templates change everywhere, also where a cluster was away', () => {
  test('a verb added to a template reaches every cluster; a disconnected one converges within 30 s of reconnecting', async () => {
    dataOf(
      await fleet.graphql(
        fleet.admin,
        'mutation ($input: RoleTemplateInput!) { createRoleTemplate(input: $input) { templateId } }',
        {
          input: {
            templateId: 'pod-reader',
            context: 'CLUSTER',
            rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
          },
        },
      ),
    );
    for (const clusterId of fleet.clusterIds)
      dataOf(
        await fleet.graphql(fleet.admin, ADD_MEMBERSHIP, {
          input: { clusterId, subjectKind: 'USER', subjectName: 'local:bob', templateId: 'pod-reader' },
        }),
      );
    for (const index of [0, 1])
      await within(
        10_000,
        `bob may get pods on cluster ${index + 1}`,
        async () =>
          (await fleet.kubectl(bob, index, ['auth', 'can-i', 'get', 'pods', '-A'])).stdout.trim() === 'yes',
      );
    assert.ok(await forbidden(bob, 0, ['get', 'pods', '-A']));

    const away = fleet.agents[1];
    away?.stop();
    await within(
      15_000,
      'cluster 2 disconnected',
      async () => fleet.gateway.registry.get(fleet.clusterIds[1] as string)?.state === 'Disconnected',
    );
    dataOf(
      await fleet.graphql(
        fleet.admin,
        'mutation ($input: RoleTemplateInput!) { updateRoleTemplate(input: $input) { templateId } }',
        {
          input: {
            templateId: 'pod-reader',
            context: 'CLUSTER',
            rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
          },
        },
      ),
    );
    await within(
      10_000,
      'bob lists pods on cluster 1',
      async () => (await fleet.kubectl(bob, 0, ['get', 'pods', '-A'])).code === 0,
    );
    const direct = await (fleet.clusters[1] as TestCluster).kubectlOk('admin', [
      'get',
      'clusterrole',
      'fleetgate:template:pod-reader',
      '-o',
      'jsonpath={.rules[0].verbs}',
    ]);
    assert.deepEqual(JSON.parse(direct), ['get'], 'the away cluster still has the old rules');

    fleet.agents[1] = await reconnectInProcessAgent(
      fleet.gateway,
      fleet.clusters[1] as TestCluster,
      fleet.clusterIds[1] as string,
    );
    await within(
      30_000,
      'bob lists pods on cluster 2 after it reconnected',
      async () => (await fleet.kubectl(bob, 1, ['get', 'pods', '-A'])).code === 0,
    );
  });
});

describe('removing a membership takes its access away', () => {
  test('alice is Forbidden within 10 s and the objects made for her are gone', async () => {
    dataOf(
      await fleet.graphql(fleet.admin, 'mutation ($id: ID!) { removeMembership(membershipId: $id) }', {
        id: aliceMembershipId,
      }),
    );
    await within(10_000, 'alice forbidden in a', () =>
      forbidden(alice, 0, ['create', 'deployment', 'web-3', '--image=nginx', '-n', 'a']),
    );
    await within(10_000, 'her RoleBindings gone', async () => {
      const left = await cluster1.kubectlOk('admin', [
        'get',
        'rolebindings',
        '-A',
        '-l',
        `fleetgate.io/membership=${aliceMembershipId}`,
        '-o',
        'name',
      ]);
      return left.trim() === '';
    });
  });
});

describe('a restarted gateway removes what was left behind', () => {
  test('a membership removed while its cluster was away is gone from it within 30 s of reconnecting to a new gateway process', async () => {
    const cluster2 = fleet.clusters[1] as TestCluster;
    const bobsOnCluster2 = fleet.gateway.access
      .memberships({ clusterId: fleet.clusterIds[1] as string })
      .filter((m) => m.subject.name === 'local:bob');
    assert.equal(bobsOnCluster2.length, 1);
    const binding = `fleetgate:membership:${bobsOnCluster2[0]?.membershipId}`;
    assert.equal((await cluster2.kubectl('admin', ['get', 'clusterrolebinding', binding])).code, 0);
    fleet.agents[1]?.stop();
    dataOf(
      await fleet.graphql(fleet.admin, 'mutation ($id: ID!) { removeMembership(membershipId: $id) }', {
        id: bobsOnCluster2[0]?.membershipId,
      }),
    );
    // Cluster 2 now has no policy at all: the new process's controller for it starts idle.
    await fleet.restartGateway([0, 1]);
    await within(
      30_000,
      'the binding left on cluster 2 removed',
      async () => (await cluster2.kubectl('admin', ['get', 'clusterrolebinding', binding])).code !== 0,
    );
    await within(
      30_000,
      'the unused template role removed too',
      async () =>
        (await cluster2.kubectl('admin', ['get', 'clusterrole', 'fleetgate:template:pod-reader'])).code !== 0,
    );
  });
});
