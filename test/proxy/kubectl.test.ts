import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl, streamKubectl } from '../harness/kubectl.ts';

let run: TestClusters;
let cluster: TestCluster;
let gateway: GatewayProcess;
let agent: AgentProcess;
const kube = { admin: '', alice: '', bob: '' };
const ALICE_PASSWORD = 'alice-password-123456';
const repoRoot = new URL('../../', import.meta.url).pathname;

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'pass' });
  cluster = run.clusters[0] as TestCluster;
  gateway = await GatewayProcess.start({ dir: run.runDir });
  const registration = await registerCluster(gateway, 'pass');
  agent = await AgentProcess.install(cluster, gateway, registration);
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  for (const [username, groups] of [
    ['alice', ['team-a']],
    ['bob', []],
  ] as const) {
    const created = await gateway.api('POST', '/v1/users', { username, password: ALICE_PASSWORD, groups });
    assert.equal(created.status, 201);
  }
  // The cluster's own administrator decides what gateway people may do there.
  await cluster.grantGatewayAdmin();
  kube.admin = join(run.runDir, 'gateway-admin.kubeconfig');
  kube.alice = join(run.runDir, 'gateway-alice.kubeconfig');
  kube.bob = join(run.runDir, 'gateway-bob.kubeconfig');
  await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, kube.admin);
  await downloadKubeconfig(gateway, 'alice', ALICE_PASSWORD, kube.alice);
  // bob's comes from the command-line client, as a person would get it.
  const caFile = join(run.runDir, 'gateway-ca.crt');
  await writeFile(caFile, gateway.caPem);
  const cli = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'src/cli.ts'),
      'kubeconfig',
      '--gateway-url',
      gateway.url,
      '--username',
      'bob',
      '--ca-file',
      caFile,
      '--output',
      kube.bob,
    ],
    { env: { ...process.env, FLEETGATE_PASSWORD: ALICE_PASSWORD }, encoding: 'utf8' },
  );
  assert.equal(cli.status, 0, cli.stderr);
  await cluster.kubectlOk('admin', ['create', 'namespace', 'work']);
  await cluster.startReadyPod('box', 'work');
});

after(async () => {
  await agent?.stop();
  await gateway?.stop();
  await run?.stop();
});

async function ok(
  kubeconfig: string,
  args: string[],
  options?: { stdin?: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const result = await runKubectl(kubeconfig, args, options);
  assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

describe('kubectl through the gateway', () => {
  test('get, api-resources and whoami work with the generated kubeconfig, as the gateway user', async () => {
    assert.match(await ok(kube.admin, ['get', 'nodes']), /pass1-node-0\s+Ready/);
    assert.match(
      await ok(kube.admin, ['api-resources']),
      /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/,
    );
    const whoami = JSON.parse(await ok(kube.alice, ['auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string; groups: string[]; extra: Record<string, string[]> } };
    };
    assert.equal(whoami.status.userInfo.username, 'local:alice');
    assert.deepEqual(whoami.status.userInfo.groups, ['local:team-a', 'system:authenticated']);
    assert.deepEqual(whoami.status.userInfo.extra['fleetgate.io/provider'], ['local']);
  });

  test('apply and delete', async () => {
    const manifest = stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'through-gateway', namespace: 'work' },
      data: { k: 'v' },
    });
    assert.match(
      await ok(kube.admin, ['apply', '-f', '-'], { stdin: manifest }),
      /configmap\/through-gateway created/,
    );
    assert.equal(
      await cluster.kubectlOk('admin', [
        'get',
        'configmap',
        'through-gateway',
        '-n',
        'work',
        '-o',
        'jsonpath={.data.k}',
      ]),
      'v',
    );
    assert.match(await ok(kube.admin, ['delete', 'configmap', 'through-gateway', '-n', 'work']), /deleted/);
  });

  test('get -w streams a change made by another client', async () => {
    const watch = streamKubectl(kube.admin, [
      'get',
      'configmaps',
      '-n',
      'work',
      '-w',
      '--output-watch-events',
    ]);
    try {
      await watch.waitForLine((l) => l.includes('kube-root-ca.crt'));
      await cluster.kubectlOk('admin', ['create', 'configmap', 'watched', '-n', 'work']);
      assert.match(await watch.waitForLine((l) => l.includes('watched')), /^ADDED\s+watched\s/);
    } finally {
      watch.stop();
    }
  });

  test('logs -f follows new lines as they are written', async () => {
    const follow = streamKubectl(kube.admin, ['logs', '-f', 'box', '-n', 'work']);
    try {
      await follow.waitForLine((l) => l.includes('container started'));
      await appendFile(
        cluster.containerLogFile,
        `${new Date().toISOString()} stdout F a line written later\n`,
      );
      await follow.waitForLine((l) => l.includes('a line written later'));
    } finally {
      follow.stop();
    }
  });

  for (const [transport, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' }],
  ] as const) {
    test(`exec over ${transport}`, async () => {
      const out = await ok(
        kube.admin,
        ['exec', 'box', '-n', 'work', '--', 'echo', `hello over ${transport}`],
        { env },
      );
      assert.equal(out.trim(), `hello over ${transport}`);
    });
  }

  for (const [transport, env] of [
    ['WebSocket', {}],
    ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }],
  ] as const) {
    test(`port-forward over ${transport}`, async () => {
      const echo = createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) =>
        echo.listen(cluster.portForwardTarget.port, cluster.portForwardTarget.address, resolve),
      );
      const forward = streamKubectl(kube.admin, ['port-forward', 'pod/box', '-n', 'work', ':8080'], env);
      try {
        const line = await forward.waitForLine((l) => l.startsWith('Forwarding from 127.0.0.1:'));
        const localPort = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = connect(localPort, '127.0.0.1', () => socket.write(`ping over ${transport}`));
          socket.setEncoding('utf8');
          socket.once('data', (data: string) => {
            socket.destroy();
            resolve(data);
          });
          socket.once('error', reject);
        });
        assert.equal(reply, `ping over ${transport}`);
      } finally {
        forward.stop();
        echo.close();
      }
    });
  }

  test('alice is Forbidden to read secrets until her gateway identity is bound downstream', async () => {
    const denied = await runKubectl(kube.alice, ['get', 'secrets', '-n', 'work']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden.*"local:alice" cannot list resource "secrets"/);
    assert.equal(
      (await runKubectl(kube.alice, ['auth', 'can-i', 'list', 'secrets', '-n', 'work'])).stdout.trim(),
      'no',
    );
    await cluster.kubectlOk('admin', [
      'create',
      'role',
      'secret-reader',
      '-n',
      'work',
      '--verb=get,list',
      '--resource=secrets',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      'alice-secrets',
      '-n',
      'work',
      '--role=secret-reader',
      '--user=local:alice',
    ]);
    await ok(kube.alice, ['get', 'secrets', '-n', 'work']);
    assert.equal((await ok(kube.alice, ['auth', 'can-i', 'list', 'secrets', '-n', 'work'])).trim(), 'yes');
    // bob is still Forbidden: the binding names alice.
    assert.match((await runKubectl(kube.bob, ['get', 'secrets', '-n', 'work'])).stderr, /Forbidden/);
  });

  test('auth can-i answers for the caller, not for the agent', async () => {
    // The agent's ServiceAccount may list nodes and impersonate users; alice may do neither.
    assert.equal((await runKubectl(kube.alice, ['auth', 'can-i', 'list', 'nodes'])).stdout.trim(), 'no');
    assert.equal(
      (await runKubectl(kube.alice, ['auth', 'can-i', 'impersonate', 'users'])).stdout.trim(),
      'no',
    );
    assert.equal((await ok(kube.admin, ['auth', 'can-i', 'list', 'nodes'])).trim(), 'yes');
  });

  test('kubectl --as works only when the caller may impersonate downstream', async () => {
    const refused = await runKubectl(kube.alice, ['get', 'pods', '-n', 'work', '--as=local:bob']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /you may not impersonate user "local:bob"/);
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrole',
      'impersonate-bob',
      '--verb=impersonate',
      '--resource=users',
      '--resource-name=local:bob',
    ]);
    await cluster.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'alice-as-bob',
      '--clusterrole=impersonate-bob',
      '--user=local:alice',
    ]);
    const whoami = JSON.parse(await ok(kube.alice, ['auth', 'whoami', '-o', 'json', '--as=local:bob'])) as {
      status: { userInfo: { username: string } };
    };
    assert.equal(whoami.status.userInfo.username, 'local:bob');
    // Even with that right, system identities stay out of reach.
    const masters = await runKubectl(kube.admin, [
      'get',
      'pods',
      '--as=local:bob',
      '--as-group=system:masters',
    ]);
    assert.match(masters.stderr, /impersonating the group "system:masters" is not allowed/);
  });
});
