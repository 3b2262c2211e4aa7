// The people's fence (docs/access-control.md, "What people may not change on a namespace"):
// the install manifest's second ValidatingAdmissionPolicy, in a real apiserver, against
// requests made as a person of the gateway holding the project-owner template in a namespace.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { templateRoleName } from '../../src/access/access-model.ts';
import { BUILT_IN_TEMPLATES } from '../../src/access/role-templates.ts';
import { renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import { PEOPLE_FENCE_NAME } from '../../src/clusters/people-admission-policy.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import type { KubectlResult } from '../harness/kubectl.ts';

let run: TestClusters;
let cluster: TestCluster;

const NAMESPACE = 'shop';
const PROJECT_OWNER_ROLE = templateRoleName('project-owner');

/** kubectl from the administrator's kubeconfig, impersonating a person of the gateway. */
const asPerson = (user: string, args: readonly string[]): Promise<KubectlResult> =>
  cluster.kubectl('admin', ['--as', user, ...args]);
const asAlice = (args: readonly string[]) => asPerson('local:alice', args);

/** Whether the people's fence (not RBAC, not anything else) refused it. */
function fenced(result: KubectlResult): boolean {
  return (
    result.code !== 0 &&
    result.stderr.includes(`ValidatingAdmissionPolicy '${PEOPLE_FENCE_NAME}'`) &&
    /denied request/.test(result.stderr)
  );
}

function assertFenced(result: KubectlResult, what: string, label: string): void {
  assert.ok(fenced(result), `${what}: expected the fence to refuse, got ${result.code} ${result.stderr}`);
  assert.ok(result.stderr.includes(`the namespace label ${label} is`), `${what}: ${result.stderr}`);
  assert.match(result.stderr, /a cluster administrator sets it/, what);
}

function assertAllowed(result: KubectlResult, what: string): void {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
}

const namespaceLabels = async (namespace: string): Promise<Record<string, string>> =>
  JSON.parse(
    await cluster.kubectlOk('admin', ['get', 'namespace', namespace, '-o', 'jsonpath={.metadata.labels}']),
  ) as Record<string, string>;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'people-fence' });
  cluster = run.clusters[0] as TestCluster;
  const manifest = renderInstallManifest({
    clusterId: 'c-people',
    gatewayUrl: 'https://gateway.invalid',
    registrationToken: 'unused',
    agentImage: 'fleetgate/agent:test',
  });
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: manifest });
  // What the controllers render for a project owner: the template's ClusterRole, bound in
  // each of the project's namespaces.
  const owner = BUILT_IN_TEMPLATES.find((template) => template.templateId === 'project-owner');
  assert.ok(owner, 'the built-in project-owner template');
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: PROJECT_OWNER_ROLE },
      rules: owner.rules,
    }),
  });
  await cluster.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
  await cluster.kubectlOk('admin', ['label', 'namespace', NAMESPACE, 'fleetgate.io/project=p-1']);
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'alice-owns',
    '-n',
    NAMESPACE,
    `--clusterrole=${PROJECT_OWNER_ROLE}`,
    '--user=local:alice',
  ]);
  // A new policy takes effect once the apiserver has compiled it: wait for a refusal.
  const started = Date.now();
  const probe = [
    'label',
    'namespace',
    NAMESPACE,
    'pod-security.kubernetes.io/warn=baseline',
    '--dry-run=server',
  ];
  while (!fenced(await asAlice(probe))) {
    if (Date.now() - started > 30_000) throw new Error('the fence did not take effect within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});

after(async () => {
  await run?.stop();
});

describe('a project owner keeps their rights in the namespace', () => {
  test('they create a ConfigMap and set an ordinary label on their namespace', async () => {
    assertAllowed(
      await asAlice(['create', 'configmap', 'settings', '-n', NAMESPACE, '--from-literal=a=b']),
      'a ConfigMap',
    );
    assertAllowed(await asAlice(['label', 'namespace', NAMESPACE, 'team=web']), 'an ordinary label');
    assertAllowed(
      await asAlice(['label', 'namespace', NAMESPACE, 'team=ops', '--overwrite']),
      'changing an ordinary label',
    );
    assert.equal((await namespaceLabels(NAMESPACE)).team, 'ops');
  });
});

describe("a person may not change their namespace's Pod Security nor its project", () => {
  test('setting pod-security.kubernetes.io/enforce=privileged is refused, naming the label', async () => {
    assertFenced(
      await asAlice(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce=privileged']),
      'enforce=privileged',
      'pod-security.kubernetes.io/enforce',
    );
    assertFenced(
      await asAlice(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/enforce-version=v1.0']),
      'enforce-version',
      'pod-security.kubernetes.io/enforce-version',
    );
    assert.equal((await namespaceLabels(NAMESPACE))['pod-security.kubernetes.io/enforce'], undefined);
  });

  test("an administrator's Pod Security level may be neither changed nor removed", async () => {
    await cluster.kubectlOk('admin', [
      'label',
      'namespace',
      NAMESPACE,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/audit=restricted',
    ]);
    assertFenced(
      await asAlice([
        'label',
        'namespace',
        NAMESPACE,
        'pod-security.kubernetes.io/enforce=privileged',
        '--overwrite',
      ]),
      'changing enforce',
      'pod-security.kubernetes.io/enforce',
    );
    assertFenced(
      await asAlice(['label', 'namespace', NAMESPACE, 'pod-security.kubernetes.io/audit-']),
      'removing audit',
      'pod-security.kubernetes.io/audit',
    );
    const replaced = await asAlice([
      'patch',
      'namespace',
      NAMESPACE,
      '--type=merge',
      '-p',
      JSON.stringify({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } }),
    ]);
    assertFenced(replaced, 'a merge patch dropping enforce', 'pod-security.kubernetes.io/enforce');
    // An update that leaves them as they are still goes through.
    assertAllowed(
      await asAlice(['label', 'namespace', NAMESPACE, 'team=web', '--overwrite']),
      'an unrelated label',
    );
    const labels = await namespaceLabels(NAMESPACE);
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(labels['pod-security.kubernetes.io/audit'], 'restricted');
  });

  test('the project label may be neither changed, removed nor set by a person', async () => {
    assertFenced(
      await asAlice(['label', 'namespace', NAMESPACE, 'fleetgate.io/project=p-2', '--overwrite']),
      'moving to another project',
      'fleetgate.io/project',
    );
    assertFenced(
      await asAlice(['label', 'namespace', NAMESPACE, 'fleetgate.io/project-']),
      'leaving the project',
      'fleetgate.io/project',
    );
    assert.equal((await namespaceLabels(NAMESPACE))['fleetgate.io/project'], 'p-1');
  });

  test('a person allowed to create namespaces may not create one with those labels', async () => {
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'bob-admin',
      '--clusterrole=cluster-admin',
      '--user=oidc:bob',
    ]);
    const create = (name: string, labels: Record<string, string>) =>
      cluster.kubectl('admin', ['--as', 'oidc:bob', 'create', '-f', '-'], {
        stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }),
      });
    assertFenced(
      await create('loose', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
      'a privileged namespace',
      'pod-security.kubernetes.io/enforce',
    );
    assertFenced(
      await create('claimed', { 'fleetgate.io/project': 'p-1' }),
      'a project namespace',
      'fleetgate.io/project',
    );
    assertAllowed(await create('plain', { team: 'web' }), 'a namespace with an ordinary label');
  });
});

describe('the fence binds only people', () => {
  test('an administrator still sets and removes those labels', async () => {
    await cluster.kubectlOk('admin', [
      'label',
      'namespace',
      NAMESPACE,
      'pod-security.kubernetes.io/enforce=privileged',
      'fleetgate.io/project=p-2',
      '--overwrite',
    ]);
    await cluster.kubectlOk('admin', [
      'label',
      'namespace',
      NAMESPACE,
      'pod-security.kubernetes.io/enforce-',
      'fleetgate.io/project-',
    ]);
    const labels = await namespaceLabels(NAMESPACE);
    assert.equal(labels['pod-security.kubernetes.io/enforce'], undefined);
    assert.equal(labels['fleetgate.io/project'], undefined);
  });

  test('its expressions type-check against namespaces, with no warning', async () => {
    const status = JSON.parse(
      await cluster.kubectlOk('admin', [
        'get',
        'validatingadmissionpolicy',
        PEOPLE_FENCE_NAME,
        '-o',
        'jsonpath={.status}',
      ]),
    ) as { typeChecking?: { expressionWarnings?: unknown[] }; observedGeneration?: number };
    assert.ok(status.typeChecking, 'the apiserver type-checked the fence');
    assert.deepEqual(status.typeChecking?.expressionWarnings ?? [], []);
  });
});
