import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { startClusters, type TestCluster, type TestClusters } from './index.ts';
import { streamKubectl } from './kubectl.ts';

// Three real control planes, started in parallel, shared by the tests below. Each test
// works in namespaces of its own so that the order of tests does not matter.
let run: TestClusters;
let c1: TestCluster;
let c2: TestCluster;

before(async () => {
  run = await startClusters({ count: 3 });
  [c1, c2] = run.clusters as [TestCluster, TestCluster];
});

after(async () => {
  await run?.stop();
});

function deployment(name: string, namespace: string, replicas: number): string {
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
      },
    },
  });
}

describe('test control planes', () => {
  test('every cluster shows its KWOK nodes as Ready to kubectl get nodes', async () => {
    for (const cluster of run.clusters) {
      const out = await cluster.kubectlOk('admin', ['get', 'nodes', '--no-headers']);
      const rows = out.trim().split('\n');
      assert.equal(rows.length, 3, out);
      for (const row of rows) {
        assert.match(row, new RegExp(`^${cluster.name}-node-\\d+\\s+Ready\\s`), row);
      }
    }
  });

  test('a Deployment applied with kubectl gets Running pods and its events can be listed', async () => {
    await c1.kubectlOk('admin', ['create', 'namespace', 'deploy-proof']);
    await c1.kubectlOk('admin', ['apply', '-f', '-'], { stdin: deployment('web', 'deploy-proof', 3) });
    await c1.kubectlOk(
      'admin',
      ['rollout', 'status', 'deployment/web', '-n', 'deploy-proof', '--timeout=90s'],
      {
        timeoutMs: 100_000,
      },
    );
    const phases = await c1.kubectlOk('admin', [
      'get',
      'pods',
      '-n',
      'deploy-proof',
      '-l',
      'app=web',
      '-o',
      'jsonpath={.items[*].status.phase}',
    ]);
    assert.deepEqual(phases.trim().split(' '), ['Running', 'Running', 'Running']);
    const reasons = await c1.kubectlOk('admin', [
      'get',
      'events',
      '-n',
      'deploy-proof',
      '-o',
      'jsonpath={range .items[*]}{.reason}{"\\n"}{end}',
    ]);
    const seen = new Set(reasons.trim().split('\n'));
    assert.ok(seen.has('Scheduled'), `no Scheduled event among: ${[...seen].join(', ')}`);
    assert.ok(seen.has('SuccessfulCreate'), `no SuccessfulCreate event among: ${[...seen].join(', ')}`);
  });

  test('alice is Forbidden to list secrets until a RoleBinding allows her', async () => {
    await c1.kubectlOk('admin', ['create', 'namespace', 'rbac-proof']);
    const denied = await c1.kubectl('alice', ['get', 'secrets', '-n', 'rbac-proof']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden.*"alice" cannot list resource "secrets"/);

    await c1.kubectlOk('admin', [
      'create',
      'role',
      'secret-reader',
      '-n',
      'rbac-proof',
      '--verb=get,list',
      '--resource=secrets',
    ]);
    await c1.kubectlOk('admin', [
      'create',
      'rolebinding',
      'alice-reads-secrets',
      '-n',
      'rbac-proof',
      '--role=secret-reader',
      '--user=alice',
    ]);
    const allowed = await c1.kubectl('alice', ['get', 'secrets', '-n', 'rbac-proof']);
    assert.equal(allowed.code, 0, allowed.stderr);
    // bob has no binding and stays Forbidden: the grant was to alice alone.
    const bob = await c1.kubectl('bob', ['get', 'secrets', '-n', 'rbac-proof']);
    assert.match(bob.stderr, /Forbidden/);
  });

  test('alice carries her groups, so a binding to a group applies to her', async () => {
    const whoami = await c2.kubectlOk('alice', [
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.groups}',
    ]);
    assert.deepEqual(JSON.parse(whoami), ['developers', 'team-a', 'system:authenticated']);
  });

  test('two clusters run side by side with separate state', async () => {
    await c1.kubectlOk('admin', ['create', 'configmap', 'only-in-c1', '-n', 'default', '--from-literal=k=v']);
    const inC1 = await c1.kubectl('admin', ['get', 'configmap', 'only-in-c1', '-n', 'default']);
    const inC2 = await c2.kubectl('admin', ['get', 'configmap', 'only-in-c1', '-n', 'default']);
    assert.equal(inC1.code, 0);
    assert.notEqual(inC2.code, 0);
    assert.match(inC2.stderr, /NotFound/);
    // Their identities differ too: each cluster has its own tokens.
    assert.notEqual(c1.tokens.admin, c2.tokens.admin);
  });

  test('a watch receives a change made by another client', async () => {
    await c2.kubectlOk('admin', ['create', 'namespace', 'watch-proof']);
    const watch = streamKubectl(c2.kubeconfigs.admin, [
      'get',
      'configmaps',
      '-n',
      'watch-proof',
      '-w',
      '--output-watch-events',
    ]);
    try {
      // The watch prints the existing kube-root-ca.crt first; wait for it so we know it is established.
      await watch.waitForLine((line) => line.includes('kube-root-ca.crt'));
      await c2.kubectlOk('admin', ['create', 'configmap', 'made-elsewhere', '-n', 'watch-proof']);
      const line = await watch.waitForLine((l) => l.includes('made-elsewhere'));
      assert.match(line, /^ADDED\s+made-elsewhere\s/);
    } finally {
      watch.stop();
    }
  });

  test('kubectl logs and exec work against simulated pods', async () => {
    await c2.kubectlOk('admin', ['create', 'namespace', 'debug-proof']);
    await c2.kubectlOk('admin', ['apply', '-f', '-'], { stdin: deployment('shell', 'debug-proof', 1) });
    await c2.kubectlOk(
      'admin',
      ['rollout', 'status', 'deployment/shell', '-n', 'debug-proof', '--timeout=90s'],
      {
        timeoutMs: 100_000,
      },
    );
    const logs = await c2.kubectlOk('admin', ['logs', 'deployment/shell', '-n', 'debug-proof']);
    assert.match(logs, /container started/);
    const exec = await c2.kubectlOk('admin', [
      'exec',
      'deployment/shell',
      '-n',
      'debug-proof',
      '--',
      'echo',
      'hello from exec',
    ]);
    assert.equal(exec.trim(), 'hello from exec');
  });
});
