import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRAIN_DEADLINE_MS } from '../../src/server/drain.ts';
import { AgentProcess, downloadKubeconfig, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl, streamKubectl } from '../harness/kubectl.ts';
import { startTcpBalancer, type TcpBalancer } from '../harness/tcp-balancer.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Two replicas behind a TCP load balancer that the agent and kubectl use; the replica that
// holds the agent's tunnel gets SIGTERM while a watch runs through it.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let balancer: TcpBalancer;
let agent: AgentProcess | undefined;
let clusterId: string;
let dir: string;
let balancedKubeconfig: string;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'drn' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  dir = join(run.runDir, 'replicas');
  replicas = await startReplicas(management, dir, 2, 'fleetgate-system', { sharedTls: true });
  balancer = await startTcpBalancer(replicas.map((r) => Number(new URL(r.url).port)));
  const balanced = `https://127.0.0.1:${balancer.port}`;
  const first = replicas[0] as GatewayProcess;
  const registration = await registerCluster(first, 'drained');
  clusterId = registration.cluster.clusterId;
  agent = await AgentProcess.install(downstream, first, registration, { gatewayUrl: balanced });
  await first.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  await downstream.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'fleetgate-admin-reads',
    '--clusterrole=view',
    '--user=local:admin',
  ]);
  balancedKubeconfig = join(dir, 'admin-balanced.kubeconfig');
  await downloadKubeconfig(first, 'admin', first.adminPassword, balancedKubeconfig);
  await writeFile(
    balancedKubeconfig,
    (await readFile(balancedKubeconfig, 'utf8')).replaceAll(first.url, balanced),
  );
});

after(async () => {
  await agent?.stop();
  await balancer?.close();
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

const holder = async () =>
  (
    await management.kubectlOk('admin', [
      'get',
      'fgc',
      clusterId,
      '-n',
      'fleetgate-system',
      '-o',
      'jsonpath={.status.replica}',
    ])
  ).trim();

const kubectlWorks = async () => {
  const result = await runKubectl(balancedKubeconfig, [
    'get',
    'serviceaccounts',
    '-n',
    'default',
    '-o',
    'name',
    '--request-timeout=5s',
  ]);
  if (result.code !== 0) console.log(`kubectl through the balancer failed: ${result.stderr}`);
  return result.code === 0;
};

describe('a replica gets SIGTERM', () => {
  test('it answers not-ready and refuses new work, its watch ends cleanly within the deadline, its agent moves to the other replica, and it exits 0', async () => {
    const drainedId = await holder();
    const drained = replicas.find((r) => r.dataDir.includes(`${drainedId}-data`)) as GatewayProcess;
    const survivor = replicas.find((r) => r !== drained) as GatewayProcess;
    assert.ok(drained, `no replica named ${drainedId}`);
    assert.equal((await drained.request('/readyz')).status, 200);
    const direct = join(dir, 'admin-direct.kubeconfig');
    await downloadKubeconfig(drained, 'admin', drained.adminPassword, direct);
    const watch = streamKubectl(direct, ['get', 'configmaps', '-n', 'default', '-w', '-o', 'name']);
    await watch.waitForLine((line) => line.includes('kube-root-ca.crt'), 15_000);
    // kubectl lists, then watches: a change seen proves the watch itself is open.
    await downstream.kubectlOk('admin', ['create', 'configmap', 'before-the-drain', '-n', 'default']);
    await watch.waitForLine((line) => line.includes('before-the-drain'), 15_000);

    const signalledAt = Date.now();
    drained.process?.signal('SIGTERM');
    await within('readiness turns false', 2_000, async () => {
      const ready = await drained.request('/readyz').catch(() => undefined);
      return ready?.status === 503;
    });
    // Liveness stays true: the process is fine, it is only stopping.
    assert.equal((await drained.request('/healthz')).status, 200);
    const refused = await drained.request('/v1/clusters');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /DRAINING/);
    const refusedPassthrough = await drained.request(`/k8s/clusters/${clusterId}/api/v1/namespaces`);
    assert.equal(refusedPassthrough.status, 503);
    const refusedTunnel = await drained.request('/v1/tunnel', {
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
    });
    assert.equal(refusedTunnel.status, 503);
    // The watch through the draining replica still runs, and kubectl through the balancer
    // works (a refused request is retried on a new connection, which reaches the survivor).
    // This balancer has no health checks: a connection it gives the draining replica is
    // refused with 503, the next one reaches the survivor.
    await within('kubectl through the balancer works while a replica drains', 5_000, kubectlWorks);

    const ended = await watch.exited;
    const endedAfterMs = Date.now() - signalledAt;
    console.log(
      `the watch through the draining replica ended ${endedAfterMs} ms after SIGTERM: kubectl exit ${ended.code}, stderr ${JSON.stringify(ended.stderr)}`,
    );
    assert.ok(endedAfterMs <= DRAIN_DEADLINE_MS + 3_000, `the watch ended after ${endedAfterMs} ms`);
    // Ended as the apiserver ends a watch, not cut: no reset, no truncated stream.
    assert.doesNotMatch(ended.stderr, /reset|unexpected EOF|broken pipe|INTERNAL_ERROR/i);
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(await drained.process?.exited(), 0);

    await within('the agent is on the survivor', 15_000, async () => (await holder()) !== drainedId);
    await survivor.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active on the survivor');
    for (let i = 0; i < 4; i++)
      assert.ok(await kubectlWorks(), `kubectl through the balancer failed on try ${i} after the drain`);
  });
});
