import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';

// The cluster authorizes a WebSocket upgrade (a GET) as `get`, as every release before 1.35
// does: the gateway must still require `create`, as the apiserver does for SPDY (a POST).
let run: TestClusters;
let cluster: TestCluster;
let gateway: GatewayProcess;
let agent: AgentProcess;
let clusterId: string;
const kube = { admin: '', reader: '', runner: '' };
let readerToken = '';
const PASSWORD = 'exec-check-password-123456';
const SUBRESOURCES = ['pods/exec', 'pods/attach', 'pods/portforward'];

before(async () => {
  run = await startClusters({
    count: 1,
    namePrefix: 'wsx',
    featureGates: { AuthorizePodWebsocketUpgradeCreatePermission: false },
  });
  cluster = run.clusters[0] as TestCluster;
  gateway = await GatewayProcess.start({ dir: run.runDir });
  const registration = await registerCluster(gateway, 'wsx');
  clusterId = registration.cluster.clusterId;
  agent = await AgentProcess.install(cluster, gateway, registration);
  await gateway.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  for (const username of ['reader', 'runner']) {
    const created = await gateway.api('POST', '/v1/users', { username, password: PASSWORD, groups: [] });
    assert.equal(created.status, 201);
  }
  await cluster.grantGatewayAdmin();
  await cluster.kubectlOk('admin', ['create', 'namespace', 'work']);
  // "Read-only" as many roles write it: get on every pod subresource, exec's included.
  await cluster.kubectlOk('admin', [
    'create',
    'role',
    'pod-reader',
    '-n',
    'work',
    '--verb=get,list',
    '--resource=pods',
    ...SUBRESOURCES.map((r) => `--resource=${r}`),
  ]);
  await cluster.kubectlOk('admin', [
    'create',
    'role',
    'pod-runner',
    '-n',
    'work',
    '--verb=get,list,create',
    '--resource=pods',
    ...SUBRESOURCES.map((r) => `--resource=${r}`),
  ]);
  for (const [role, user] of [
    ['pod-reader', 'reader'],
    ['pod-runner', 'runner'],
  ] as const) {
    await cluster.kubectlOk('admin', [
      'create',
      'rolebinding',
      `${user}-pods`,
      '-n',
      'work',
      `--role=${role}`,
      `--user=local:${user}`,
    ]);
  }
  kube.admin = join(run.runDir, 'gateway-admin.kubeconfig');
  kube.reader = join(run.runDir, 'gateway-reader.kubeconfig');
  kube.runner = join(run.runDir, 'gateway-runner.kubeconfig');
  await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, kube.admin);
  readerToken = await downloadKubeconfig(gateway, 'reader', PASSWORD, kube.reader);
  await downloadKubeconfig(gateway, 'runner', PASSWORD, kube.runner);
  await cluster.startReadyPod('box', 'work');
});

after(async () => {
  await agent?.stop();
  await gateway?.stop();
  await run?.stop();
});

const WEBSOCKET = {};
const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };

function exec(kubeconfig: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  return runKubectl(kubeconfig, ['exec', 'box', '-n', 'work', ...extra, '--', 'echo', 'inside'], { env });
}

/** Opens a WebSocket upgrade through the gateway; resolves with the refusal's status and body. */
function refusedUpgrade(
  path: string,
  subprotocol: string,
  token: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Given as a header: ws refuses port-forward's `SPDY/3.1+portforward.k8s.io` as a protocol name.
    const socket = new WebSocket(`${gateway.url.replace('https', 'wss')}/k8s/clusters/${clusterId}${path}`, {
      ca: gateway.caPem,
      headers: { authorization: `Bearer ${token}`, 'sec-websocket-protocol': subprotocol },
    });
    socket.once('open', () => {
      socket.terminate();
      reject(new Error(`the gateway upgraded ${path}`));
    });
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', (error) => reject(error));
  });
}

async function auditLines(): Promise<Record<string, unknown>[]> {
  return (await readFile(join(gateway.dataDir, 'audit.log'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('WebSocket exec, attach and port-forward need create, on a cluster that asks only get', () => {
  test('the cluster itself lets a person holding only get on pods/exec exec over WebSocket', async () => {
    // The premise: without the gateway's check, such a cluster runs the command.
    const direct = await exec(cluster.kubeconfigs.admin, WEBSOCKET, [
      '--as=local:reader',
      '--as-group=system:authenticated',
    ]);
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(direct.stdout.trim(), 'inside');
  });

  test('through the gateway, kubectl exec by a person holding only get on pods/exec is refused', async () => {
    const refused = await exec(kube.reader, WEBSOCKET);
    assert.notEqual(refused.code, 0, `exec ran: ${refused.stdout}`);
    assert.doesNotMatch(refused.stdout, /inside/);
    // kubectl falls back to SPDY after the gateway's 403, and the cluster refuses that POST.
    assert.match(refused.stderr, /Forbidden.*User "local:reader" cannot create resource "pods\/exec"/);
  });

  for (const [subresource, query, subprotocol] of [
    ['exec', 'command=echo&command=inside&stdout=true', 'v5.channel.k8s.io'],
    ['attach', 'container=main&stdout=true', 'v5.channel.k8s.io'],
    ['portforward', 'ports=8080', 'SPDY/3.1+portforward.k8s.io'],
  ] as const) {
    test(`a WebSocket ${subresource} without create on pods/${subresource} is answered 403 with a Status saying so`, async () => {
      const refusal = await refusedUpgrade(
        `/api/v1/namespaces/work/pods/box/${subresource}?${query}`,
        subprotocol,
        readerToken,
      );
      assert.equal(refusal.status, 403);
      const status = JSON.parse(refusal.body) as {
        kind: string;
        reason: string;
        code: number;
        message: string;
      };
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'Forbidden');
      assert.equal(status.code, 403);
      assert.match(status.message, new RegExp(`cannot create resource "pods/${subresource}"`));
      assert.match(status.message, /local:reader/);
    });
  }

  test('a plain GET of pods/exec, not an upgrade, needs no review: the cluster runs nothing', async () => {
    const answer = await gateway.request(
      `/k8s/clusters/${clusterId}/api/v1/namespaces/work/pods/box/exec?command=echo&command=inside&stdout=true`,
      { headers: { authorization: `Bearer ${readerToken}` } },
    );
    assert.equal(answer.status, 400);
    assert.match(answer.text, /Upgrade request required/);
  });

  test('the refusal is audited as the upgrade it was', async () => {
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !line; i++) {
      line = (await auditLines()).find(
        (l) =>
          l.kind === 'request' &&
          l.as === 'local:reader' &&
          l.method === 'GET' &&
          l.resource === 'pods/exec' &&
          l.status === 403,
      );
      if (!line) await sleep(100);
    }
    assert.ok(line, 'an audit line for the refused WebSocket exec');
    assert.equal(line.upgrade, true);
    assert.equal(line.clusterId, clusterId);
    assert.equal(line.namespace, 'work');
    assert.equal(line.name, 'box');
  });

  for (const [transport, env] of [
    ['WebSocket', WEBSOCKET],
    ['SPDY', SPDY],
  ] as const) {
    test(`a person holding create on pods/exec execs over ${transport}`, async () => {
      const ran = await exec(kube.runner, env);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout.trim(), 'inside');
    });

    test(`the administrator execs over ${transport}`, async () => {
      const ran = await exec(kube.admin, env);
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(ran.stdout.trim(), 'inside');
    });
  }

  test('over SPDY the cluster itself refuses a person holding only get', async () => {
    const refused = await exec(kube.reader, SPDY);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cannot create resource "pods\/exec"/);
  });
});
