import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentProcess, downloadKubeconfig, type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';
import { startTcpBalancer, type TcpBalancer } from '../harness/tcp-balancer.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Three replicas behind a TCP load balancer that agents and kubectl use; the replica that
// holds the agent's tunnel is killed.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let replicas: GatewayProcess[];
let balancer: TcpBalancer;
let agent: AgentProcess | undefined;
let clusterId: string;
let kubeconfig: string;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'fail' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  const dir = join(run.runDir, 'replicas');
  replicas = await startReplicas(management, dir, 3, 'fleetgate-system', { sharedTls: true });
  balancer = await startTcpBalancer(replicas.map((r) => Number(new URL(r.url).port)));
  const balanced = `https://127.0.0.1:${balancer.port}`;
  const first = replicas[0] as GatewayProcess;
  const registration = await registerCluster(first, 'failover');
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
  kubeconfig = join(dir, 'admin-balanced.kubeconfig');
  await downloadKubeconfig(first, 'admin', first.adminPassword, kubeconfig);
  // kubectl dials the load balancer, not the replica that made the kubeconfig.
  await writeFile(kubeconfig, (await readFile(kubeconfig, 'utf8')).replaceAll(first.url, balanced));
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

const kubectlWorks = async () =>
  (
    await runKubectl(kubeconfig, [
      'get',
      'serviceaccounts',
      '-n',
      'default',
      '-o',
      'name',
      '--request-timeout=2s',
    ])
  ).code === 0;

describe('the replica holding a tunnel dies', () => {
  test('kill -9 of the holder: the agent is back on a survivor and kubectl through the load balancer works again within 10 s', async () => {
    // Every replica answers through the balancer, the holder directly, the others through it.
    for (let i = 0; i < 6; i++)
      assert.ok(await kubectlWorks(), `kubectl through the balancer failed on try ${i}`);
    const victimId = await holder();
    const victim = replicas.find((r) => r.dataDir.includes(`${victimId}-data`)) as GatewayProcess;
    assert.ok(victim, `no replica named ${victimId}`);
    await victim.process?.kill();
    const tookMs = await within('kubectl works again through the balancer', 10_000, kubectlWorks);
    console.log(`kubectl through the balancer worked again ${tookMs} ms after kill -9 of ${victimId}`);
    const survivor = replicas.find((r) => r !== victim) as GatewayProcess;
    const cluster = await survivor.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active again');
    assert.equal(cluster.name, 'failover');
    assert.notEqual(await holder(), victimId);
    // Several tries: they land on both survivors.
    for (let i = 0; i < 4; i++)
      assert.ok(await kubectlWorks(), `kubectl failed on try ${i} after the failover`);
  });
});
