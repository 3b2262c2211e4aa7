// The agent's fence (docs/access-control.md, "What the agent holds, and why"): the install
// manifest's ValidatingAdmissionPolicy, in a real apiserver, against requests made with the
// agent ServiceAccount's own token, as a stolen credential would make them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AGENT_FENCE_NAME } from '../../src/clusters/agent-admission-policy.ts';
import { renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import { installAgentIdentity } from '../harness/agent-identity.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { type KubectlResult, runKubectl } from '../harness/kubectl.ts';

let run: TestClusters;
let cluster: TestCluster;
let agentKubeconfig: string;

const MANAGED = { 'app.kubernetes.io/managed-by': 'fleetgate' };

/** kubectl with the agent ServiceAccount's token. */
const asAgent = (args: readonly string[], stdin?: string): Promise<KubectlResult> =>
  runKubectl(agentKubeconfig, args, stdin === undefined ? {} : { stdin });

/** Creates (or applies) `object` as the agent. */
const agentCreates = (object: object, verb = 'create') =>
  asAgent([verb, '-f', '-', '-o', 'name'], JSON.stringify(object));

/** Whether the fence (not RBAC, not anything else) refused it. */
function fenced(result: KubectlResult): boolean {
  return (
    result.code !== 0 &&
    result.stderr.includes(`ValidatingAdmissionPolicy '${AGENT_FENCE_NAME}'`) &&
    /denied request/.test(result.stderr)
  );
}

/** Asserts that the fence refused it, for `reason` (a part of the failed check's message). */
function assertFenced(result: KubectlResult, what: string, reason: RegExp): void {
  assert.ok(fenced(result), `${what}: expected the fence to refuse, got ${result.code} ${result.stderr}`);
  assert.match(result.stderr, reason, what);
}

const REASON = {
  name: /only RBAC objects named fleetgate:/,
  managed: /only RBAC objects labelled app.kubernetes.io\/managed-by=fleetgate/,
  takeOver: /may not take over an RBAC object/,
  labels: /sets no labels on RBAC objects/,
  aggregated: /writes no aggregated ClusterRoles/,
  rules: /may not name the admission policies/,
  roleRef: /binds only the gateway's own ClusterRoles/,
  subjects: /binds only people and groups/,
  namespaceCreate: /creates namespaces only with the fleetgate.io\/project label/,
  namespaceUpdate: /changes nothing on a namespace but/,
  reservedBinding: /binds nobody in kube-\* namespaces/,
  reservedProject: /kube-\* namespaces and fleetgate-system belong to no project/,
} as const;

function assertAllowed(result: KubectlResult, what: string): void {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
}

const clusterRole = (name: string, labels: Record<string, string>, extra: object = {}) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  ...extra,
});

const clusterRoleBinding = (name: string, roleName: string, subjects: object[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name, labels: MANAGED },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
  subjects,
});

const person = { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'local:alice' };

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'fence' });
  cluster = run.clusters[0] as TestCluster;
  agentKubeconfig = join(cluster.dir, 'fenced-agent.kubeconfig');
  const manifest = renderInstallManifest({
    clusterId: 'c-fence',
    gatewayUrl: 'https://gateway.invalid',
    registrationToken: 'unused',
    agentImage: 'fleetgate/agent:test',
  });
  await installAgentIdentity(cluster, manifest, agentKubeconfig);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'shop']);
  await cluster.kubectlOk('admin', ['label', 'namespace', 'shop', 'team=web']);
  await cluster.kubectlOk('admin', ['create', 'clusterrole', 'hand-made', '--verb=get', '--resource=pods']);
  await cluster.kubectlOk('admin', [
    'create',
    'clusterrole',
    'fleetgate:hand-made',
    '--verb=get',
    '--resource=pods',
  ]);
  // A new policy takes effect once the apiserver has compiled it: wait for a harmless refusal.
  const started = Date.now();
  const unlabelled = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probe' } };
  while (!fenced(await asAgent(['create', '--dry-run=server', '-f', '-'], JSON.stringify(unlabelled)))) {
    if (Date.now() - started > 30_000) throw new Error('the fence did not take effect within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

after(async () => {
  await run?.stop();
});

describe("the agent's credential reaches only what the gateway manages", () => {
  test("it may not delete kube-system's bindings, nor a ClusterRole not named fleetgate:", async () => {
    const kubeSystemBinding = (
      await cluster.kubectlOk('admin', ['get', 'rolebindings', '-n', 'kube-system', '-o', 'name'])
    )
      .trim()
      .split('\n')[0] as string;
    assert.ok(kubeSystemBinding.length > 0, 'kube-system holds RoleBindings');
    assertFenced(
      await asAgent(['delete', '-n', 'kube-system', kubeSystemBinding]),
      'kube-system RoleBinding',
      REASON.name,
    );
    assertFenced(
      await asAgent(['delete', 'clusterrolebinding', 'cluster-admin']),
      'cluster-admin binding',
      REASON.name,
    );
    assertFenced(await asAgent(['delete', 'clusterrole', 'admin']), 'ClusterRole admin', REASON.name);
    await cluster.kubectlOk('admin', [
      'label',
      'clusterrole',
      'hand-made',
      'app.kubernetes.io/managed-by=fleetgate',
    ]);
    assertFenced(
      await asAgent(['delete', 'clusterrole', 'hand-made']),
      'labelled hand-made ClusterRole',
      REASON.name,
    );
    assertFenced(
      await asAgent(['delete', 'clusterrole', 'fleetgate:hand-made']),
      'unlabelled fleetgate: role',
      REASON.managed,
    );
    await cluster.kubectlOk('admin', ['get', '-n', 'kube-system', kubeSystemBinding]);
    await cluster.kubectlOk('admin', ['get', 'clusterrole', 'hand-made', 'fleetgate:hand-made', 'admin']);
  });

  test('it may not bind cluster-admin, nor bind itself or any system identity to a role of its own', async () => {
    assertFenced(
      await agentCreates(clusterRoleBinding('fleetgate:membership:m-evil', 'cluster-admin', [person])),
      'binding to cluster-admin',
      REASON.roleRef,
    );
    assertAllowed(
      await agentCreates(
        clusterRole('fleetgate:template:everything', MANAGED, {
          rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
        }),
      ),
      'a template ClusterRole granting everything',
    );
    const role = 'fleetgate:template:everything';
    for (const subject of [
      { kind: 'ServiceAccount', name: 'fleetgate-agent', namespace: 'fleetgate-system' },
      {
        kind: 'User',
        apiGroup: 'rbac.authorization.k8s.io',
        name: 'system:serviceaccount:fleetgate-system:fleetgate-agent',
      },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:serviceaccounts' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' },
    ])
      assertFenced(
        await agentCreates(clusterRoleBinding('fleetgate:membership:m-self', role, [subject])),
        `binding ${subject.kind} ${subject.name}`,
        REASON.subjects,
      );
    assertFenced(
      await agentCreates(clusterRoleBinding('evil', role, [person])),
      'binding not named fleetgate:',
      REASON.name,
    );
    assertFenced(
      await agentCreates(clusterRoleBinding('fleetgate:membership:m-view', 'view', [person])),
      "binding a ClusterRole not the gateway's",
      REASON.roleRef,
    );
  });

  test("it may not take someone's ClusterRole over by labelling it as managed", async () => {
    await cluster.kubectlOk('admin', ['label', 'clusterrole', 'hand-made', 'app.kubernetes.io/managed-by-']);
    assertFenced(
      await asAgent(['label', 'clusterrole', 'hand-made', 'app.kubernetes.io/managed-by=fleetgate']),
      'relabelling hand-made',
      REASON.name,
    );
    assertFenced(
      await asAgent([
        'label',
        'clusterrole',
        'fleetgate:hand-made',
        'app.kubernetes.io/managed-by=fleetgate',
      ]),
      'relabelling fleetgate:hand-made',
      REASON.takeOver,
    );
    const labels = await cluster.kubectlOk('admin', [
      'get',
      'clusterrole',
      'fleetgate:hand-made',
      '-o',
      'jsonpath={.metadata.labels}',
    ]);
    assert.doesNotMatch(labels, /managed-by/);
  });

  test('its ClusterRoles may not aggregate, nor be aggregated, nor name its fence or its own objects', async () => {
    assertFenced(
      await agentCreates(
        clusterRole('fleetgate:template:agg', MANAGED, {
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }],
          },
        }),
      ),
      'an aggregated ClusterRole',
      REASON.aggregated,
    );
    assertFenced(
      await agentCreates(
        clusterRole('fleetgate:template:into-admin', {
          ...MANAGED,
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
        }),
      ),
      'a ClusterRole labelled to aggregate into admin',
      REASON.labels,
    );
    assertFenced(
      await agentCreates(
        clusterRole('fleetgate:template:unfence', MANAGED, {
          rules: [
            {
              apiGroups: ['admissionregistration.k8s.io'],
              resources: ['validatingadmissionpolicies'],
              verbs: ['delete'],
            },
          ],
        }),
      ),
      'a ClusterRole on admission policies',
      REASON.rules,
    );
    assertFenced(
      await agentCreates(
        clusterRole('fleetgate:template:self', MANAGED, {
          rules: [
            {
              apiGroups: ['rbac.authorization.k8s.io'],
              resources: ['clusterroles'],
              resourceNames: ['fleetgate-agent'],
              verbs: ['update'],
            },
          ],
        }),
      ),
      "a ClusterRole on the agent's own, by name",
      REASON.rules,
    );
    assertFenced(
      await asAgent([
        'patch',
        'clusterrole',
        'fleetgate-agent',
        '--type=json',
        '-p',
        '[{"op":"add","path":"/rules/0","value":{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}}]',
      ]),
      "the agent's own ClusterRole",
      REASON.name,
    );
  });

  test('it may not bind anyone in kube-* namespaces or its own, nor put them in a project', async () => {
    for (const namespace of ['kube-system', 'fleetgate-system'])
      assertFenced(
        await agentCreates({
          ...clusterRoleBinding('fleetgate:membership:m-1', 'fleetgate:template:everything', [person]),
          kind: 'RoleBinding',
          metadata: { name: 'fleetgate:membership:m-1', namespace, labels: MANAGED },
        }),
        `a RoleBinding in ${namespace}`,
        REASON.reservedBinding,
      );
    assertFenced(
      await asAgent(['label', 'namespace', 'kube-system', 'fleetgate.io/project=p-1']),
      'kube-system in a project',
      REASON.reservedProject,
    );
    assertFenced(
      await agentCreates({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'kube-extra', labels: { 'fleetgate.io/project': 'p-1' } },
      }),
      'a kube- namespace in a project',
      REASON.reservedProject,
    );
  });

  test("it may not change a namespace's other labels, nor create one without a project", async () => {
    assertFenced(
      await asAgent(['label', 'namespace', 'shop', 'pod-security.kubernetes.io/enforce=privileged']),
      'adding a label',
      REASON.namespaceUpdate,
    );
    assertFenced(
      await asAgent(['label', 'namespace', 'shop', 'team=ops', '--overwrite']),
      'changing a label',
      REASON.namespaceUpdate,
    );
    assertFenced(
      await asAgent(['label', 'namespace', 'shop', 'team-']),
      'removing a label',
      REASON.namespaceUpdate,
    );
    assertFenced(
      await asAgent(['annotate', 'namespace', 'shop', 'note=x']),
      'annotating',
      REASON.namespaceUpdate,
    );
    assertFenced(
      await agentCreates({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bare' } }),
      'a namespace without a project',
      REASON.namespaceCreate,
    );
    assertFenced(
      await agentCreates({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'loose',
          labels: { 'fleetgate.io/project': 'p-1', 'pod-security.kubernetes.io/enforce': 'privileged' },
        },
      }),
      'a project namespace with another label',
      REASON.namespaceCreate,
    );
    const labels = await cluster.kubectlOk('admin', [
      'get',
      'namespace',
      'shop',
      '-o',
      'jsonpath={.metadata.labels}',
    ]);
    assert.match(labels, /"team":"web"/);
    assert.doesNotMatch(labels, /pod-security/);
  });

  test('it holds nothing on admission policies, so it cannot lift its fence', async () => {
    for (const resource of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'])
      for (const verb of ['delete', 'update', 'patch', 'create'])
        assert.equal(
          (await asAgent(['auth', 'can-i', verb, `${resource}.admissionregistration.k8s.io`])).stdout.trim(),
          'no',
          `${verb} ${resource}`,
        );
    const removed = await asAgent(['delete', 'validatingadmissionpolicybinding', AGENT_FENCE_NAME]);
    assert.match(removed.stderr, /forbidden/i);
    await cluster.kubectlOk('admin', ['get', 'validatingadmissionpolicybinding', AGENT_FENCE_NAME]);
  });
});

describe('the fence itself', () => {
  test('its expressions type-check against every kind it matches, with no warning', async () => {
    const status = JSON.parse(
      await cluster.kubectlOk('admin', [
        'get',
        'validatingadmissionpolicy',
        AGENT_FENCE_NAME,
        '-o',
        'jsonpath={.status}',
      ]),
    ) as { typeChecking?: { expressionWarnings?: unknown[] }; observedGeneration?: number };
    assert.equal(status.observedGeneration, 1);
    assert.ok(status.typeChecking, 'the apiserver type-checked the fence');
    assert.deepEqual(status.typeChecking?.expressionWarnings ?? [], []);
  });
});

describe('what the controllers write still goes through', () => {
  test('a template ClusterRole, a binding of a person to it, their changes and deletion', async () => {
    const role = clusterRole('fleetgate:template:viewer', MANAGED);
    assertAllowed(await agentCreates(role, 'apply'), 'ClusterRole');
    assertAllowed(
      await agentCreates(
        { ...role, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }] },
        'apply',
      ),
      'ClusterRole rules changed',
    );
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'fleetgate:membership:m-1',
        namespace: 'shop',
        labels: { ...MANAGED, 'fleetgate.io/membership': 'm-1' },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'fleetgate:template:viewer',
      },
      subjects: [person, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'oidc:platform' }],
    };
    assertAllowed(await agentCreates(binding, 'apply'), 'RoleBinding');
    assertAllowed(
      await asAgent(['delete', 'rolebinding', '-n', 'shop', 'fleetgate:membership:m-1']),
      'delete binding',
    );
    assertAllowed(
      await asAgent(['delete', 'clusterrole', 'fleetgate:template:viewer']),
      'delete ClusterRole',
    );
  });

  test('a project namespace created, an existing one labelled and released', async () => {
    assertAllowed(
      await agentCreates({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'shop-2', labels: { 'fleetgate.io/project': 'p-1' } },
      }),
      'project namespace',
    );
    assertAllowed(await asAgent(['label', 'namespace', 'shop', 'fleetgate.io/project=p-1']), 'labelled');
    assertAllowed(
      await asAgent(['label', 'namespace', 'shop', 'fleetgate.io/project=p-2', '--overwrite']),
      'moved',
    );
    assertAllowed(await asAgent(['label', 'namespace', 'shop', 'fleetgate.io/project-']), 'released');
  });

  test('the fence binds only the agent: an administrator still does all of it', async () => {
    await cluster.kubectlOk('admin', ['label', 'namespace', 'shop', 'team=ops', '--overwrite']);
    await cluster.kubectlOk('admin', ['delete', 'clusterrole', 'hand-made']);
  });
});
