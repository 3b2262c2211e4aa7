import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ACCESS_KINDS } from '../../src/management/access-crds.ts';
import { KINDS } from '../../src/management/crds.ts';
import { DRAIN_DEADLINE_MS } from '../../src/server/drain.ts';
import { GatewayProcess } from '../harness/fleet.ts';
import { chartDir, helmBinary, runHelm } from '../harness/helm.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';

// The Helm chart against a real apiserver: lint, a server-side dry run of everything it
// renders, and its RBAC applied for real and checked verb by verb, then used by a gateway
// whose only identity is the chart's ServiceAccount.
const RELEASE = 'fleetgate';
const NAMESPACE = 'fleetgate-chart';
const OTHER_NAMESPACE = 'someone-else';
const SERVICE_ACCOUNT = `system:serviceaccount:${NAMESPACE}:${RELEASE}`;

/** Values that turn on every optional part of the chart. */
const FULL_VALUES = [
  '--set',
  'publicUrl=https://fleetgate.example.test',
  '--set',
  'tls.secretName=fleetgate-serving',
  '--set',
  'oidc.issuer=https://id.example.test',
  '--set',
  'oidc.clientId=fleetgate',
  '--set',
  'oidc.clientSecretName=fleetgate-oidc',
  '--set',
  'oidc.adminGroups={platform-admins}',
  '--set',
  'oidc.scopes={openid,email,groups}',
  '--set',
  'adminPasswordSecretName=fleetgate-admin',
  '--set',
  'agentImage.repository=registry.example.test/fleetgate/agent',
  '--set',
  'agentImage.tag=0.1.0',
];

let run: TestClusters;
let management: TestCluster;
let dir: string;
let gateway: GatewayProcess | undefined;

type Rendered = { kind: string; metadata: { name: string }; spec?: Record<string, unknown> };

async function helmOk(args: readonly string[]): Promise<string> {
  const result = await runHelm(args, join(dir, 'helm-home'));
  assert.equal(result.code, 0, `helm ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function template(extra: readonly string[] = []): Promise<string> {
  return helmOk(['template', RELEASE, chartDir, '--namespace', NAMESPACE, ...FULL_VALUES, ...extra]);
}

function documents(text: string): Rendered[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Rendered | null)
    .filter((d): d is Rendered => d !== null);
}

/** `kubectl auth can-i` as the chart's ServiceAccount: true for yes, false for no. */
async function canI(verb: string, resource: string, namespace?: string): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, '--as', SERVICE_ACCOUNT];
  const result = await management.kubectl('admin', namespace ? [...args, '-n', namespace] : args);
  if (result.code !== 0 && result.code !== 1) throw new Error(`can-i ${verb} ${resource}: ${result.stderr}`);
  return result.code === 0;
}

before(async () => {
  // Built once per machine; the build prints its progress as it goes.
  await helmBinary();
  run = await startClusters({ count: 1, namePrefix: 'chart' });
  management = run.clusters[0] as TestCluster;
  dir = join(run.runDir, 'chart');
  await mkdir(dir, { recursive: true });
  // The release namespace, as `helm install --create-namespace` would make it: a dry run of
  // the chart's namespaced objects needs it to exist.
  await management.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
});

after(async () => {
  await gateway?.stop();
  await run?.stop();
});

describe('the Helm chart', () => {
  test('passes helm lint with its defaults and, strictly, with TLS, OIDC, the admin password and the agent image set', async () => {
    await helmOk(['lint', chartDir]);
    await helmOk(['lint', '--strict', chartDir, '--namespace', NAMESPACE, ...FULL_VALUES]);
  });

  test('refuses to render an OIDC issuer without a client id', async () => {
    const result = await runHelm(
      ['template', RELEASE, chartDir, '--set', 'oidc.issuer=https://id.example.test'],
      join(dir, 'helm-home'),
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /oidc\.clientId is required/);
  });

  test('its CRDs and then everything else pass a server-side dry run against a real apiserver', async () => {
    const crds = await helmOk(['show', 'crds', chartDir]);
    const crdRun = await management.kubectlOk('admin', ['apply', '--dry-run=server', '-f', '-'], {
      stdin: crds,
    });
    for (const kind of Object.values(KINDS))
      assert.match(crdRun, new RegExp(`${kind.plural}\\.fleetgate\\.dev created \\(server dry run\\)`));
    const rendered = await template();
    const kinds = documents(rendered).map((d) => d.kind);
    for (const kind of [
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ClusterRole',
      'ClusterRoleBinding',
      'Service',
      'Deployment',
      'PodDisruptionBudget',
    ])
      assert.ok(kinds.includes(kind), `the chart renders a ${kind}`);
    const out = await management.kubectlOk('admin', ['apply', '--dry-run=server', '-f', '-'], {
      stdin: rendered,
    });
    assert.equal(out.trim().split('\n').length, kinds.length, out);
    assert.ok(
      out.split('\n').every((line) => !line || line.endsWith('(server dry run)')),
      out,
    );
  });

  test('renders three hardened replicas that publish their pod address and drain within their grace period', async () => {
    const deployment = documents(await template()).find((d) => d.kind === 'Deployment') as Rendered;
    const spec = deployment.spec as {
      replicas: number;
      template: { spec: Record<string, unknown> };
    };
    assert.equal(spec.replicas, 3);
    const pod = spec.template.spec as {
      securityContext: Record<string, unknown>;
      terminationGracePeriodSeconds: number;
      containers: {
        args: string[];
        env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
        securityContext: Record<string, unknown>;
        readinessProbe: { httpGet: { path: string; scheme: string } };
        livenessProbe: { httpGet: { path: string; scheme: string } };
        lifecycle: { preStop: { sleep: { seconds: number } } };
      }[];
    };
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    const [container] = pod.containers;
    assert.ok(container);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'] });
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
    // Readiness turns false while the gateway drains; liveness does not.
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
    const podIp = container.env.find((e) => e.name === 'POD_IP');
    assert.equal(podIp?.valueFrom?.fieldRef?.fieldPath, 'status.podIP');
    assert.ok(container.args.includes('--peer-address=https://$(POD_IP):8443'));
    assert.ok(container.args.includes('--store=kubernetes'));
    assert.ok(container.args.includes(`--management-namespace=${NAMESPACE}`));
    assert.ok(container.args.includes('--agent-image=registry.example.test/fleetgate/agent:0.1.0'));
    assert.ok(container.args.includes('--oidc-admin-group=platform-admins'));
    assert.ok(
      container.env.some((e) => e.name === 'FLEETGATE_OIDC_CLIENT_SECRET'),
      'the client secret comes from a Secret',
    );
    // The sleep, then the gateway's own 5 s close deadline, must fit in the grace period.
    // The sleep, then the drain deadline and the 5 s the gateway allows itself after it.
    assert.ok(
      pod.terminationGracePeriodSeconds >=
        container.lifecycle.preStop.sleep.seconds + DRAIN_DEADLINE_MS / 1000 + 5,
    );
  });
});

describe("the chart's ServiceAccount", () => {
  before(async () => {
    const crds = await helmOk(['show', 'crds', chartDir]);
    await management.kubectlOk('admin', ['apply', '--server-side', '-f', '-'], { stdin: crds });
    await management.kubectlOk('admin', ['create', 'namespace', OTHER_NAMESPACE]);
    const rbac = await template([
      '--show-only',
      'templates/serviceaccount.yaml',
      '--show-only',
      'templates/role.yaml',
      '--show-only',
      'templates/clusterrole.yaml',
    ]);
    await management.kubectlOk('admin', ['apply', '-f', '-'], { stdin: rbac });
  });

  test('may do every verb the Kubernetes store and the Leases use in its namespace', async () => {
    const needed: [string, string[]][] = [
      ...[...Object.values(KINDS), ...Object.values(ACCESS_KINDS)].map(
        (kind) =>
          [
            `${kind.plural}.fleetgate.dev`,
            ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
          ] as [string, string[]],
      ),
      ['secrets', ['get', 'list', 'watch', 'create', 'update', 'delete']],
      ['leases.coordination.k8s.io', ['get', 'list', 'watch', 'create', 'update', 'delete']],
    ];
    const refused: string[] = [];
    for (const [resource, verbs] of needed)
      for (const verb of verbs)
        if (!(await canI(verb, resource, NAMESPACE))) refused.push(`${verb} ${resource}`);
    // An apply that finds no CRD creates it: create, narrowed to the name in the URL.
    for (const kind of [...Object.values(KINDS), ...Object.values(ACCESS_KINDS)])
      for (const verb of ['get', 'create', 'patch'])
        if (
          !(await canI(verb, `customresourcedefinitions.apiextensions.k8s.io/${kind.plural}.fleetgate.dev`))
        )
          refused.push(`${verb} CRD ${kind.plural}`);
    if (!(await canI('get', `namespaces/${NAMESPACE}`))) refused.push('get its namespace');
    assert.deepEqual(refused, []);
  });

  test('may not read Secrets outside its namespace, nor touch other CRDs or namespaces', async () => {
    const granted: string[] = [];
    const forbidden: [string, string, string | undefined][] = [
      ['get', 'secrets', OTHER_NAMESPACE],
      ['list', 'secrets', OTHER_NAMESPACE],
      ['watch', 'secrets', OTHER_NAMESPACE],
      ['list', 'secrets', 'default'],
      ['get', 'secrets', 'kube-system'],
      ['create', 'leases.coordination.k8s.io', OTHER_NAMESPACE],
      ['list', 'fleetgateusers.fleetgate.dev', OTHER_NAMESPACE],
      [
        'delete',
        `customresourcedefinitions.apiextensions.k8s.io/${KINDS.user.plural}.fleetgate.dev`,
        undefined,
      ],
      ['patch', 'customresourcedefinitions.apiextensions.k8s.io/widgets.example.com', undefined],
      ['list', 'customresourcedefinitions.apiextensions.k8s.io', undefined],
      ['create', 'customresourcedefinitions.apiextensions.k8s.io', undefined],
      ['get', `namespaces/${OTHER_NAMESPACE}`, undefined],
      ['create', 'namespaces', undefined],
      ['create', 'pods', NAMESPACE],
      ['get', 'configmaps', NAMESPACE],
    ];
    for (const [verb, resource, namespace] of forbidden)
      if (await canI(verb, resource, namespace))
        granted.push(`${verb} ${resource} in ${namespace ?? 'cluster'}`);
    assert.deepEqual(granted, []);
  });

  test('is enough for a gateway replica: it applies the CRDs, recreating a missing one, holds its Lease and stores a user', async () => {
    // One CRD gone (a cluster where the chart's crds/ were skipped): the replica's own apply brings it back.
    const missing = `${KINDS.apiToken.plural}.fleetgate.dev`;
    await management.kubectlOk('admin', ['delete', 'crd', missing, '--wait']);
    const token = (
      await management.kubectlOk('admin', ['create', 'token', RELEASE, '-n', NAMESPACE, '--duration', '1h'])
    ).trim();
    const kubeconfig = join(dir, 'service-account.kubeconfig');
    await writeKubeconfig(kubeconfig, {
      clusterName: 'management',
      server: management.server,
      caPem: management.caPem,
      userName: RELEASE,
      token,
    });
    gateway = await GatewayProcess.start({
      dir,
      name: 'replica-sa',
      logLevel: 'info',
      args: [
        '--store',
        'kubernetes',
        '--management-kubeconfig',
        kubeconfig,
        '--management-namespace',
        NAMESPACE,
        '--replica-id',
        'replica-sa',
      ],
    });
    const created = await gateway.api('POST', '/v1/users', {
      username: 'dana_chart',
      password: 'dana-password-123456',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const users = await management.kubectlOk('admin', ['get', 'fleetgateusers', '-n', NAMESPACE]);
    assert.match(users, /dana_chart/);
    const leases = await management.kubectlOk('admin', [
      'get',
      'leases',
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.items[*].spec.holderIdentity}',
    ]);
    assert.match(leases, /replica-sa/);
    const managers = await management.kubectlOk('admin', [
      'get',
      'crd',
      missing,
      '--show-managed-fields',
      '-o',
      'jsonpath={.metadata.managedFields[*].manager}',
    ]);
    assert.match(managers, /\bfleetgate\b/);
  });
});
