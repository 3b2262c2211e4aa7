import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DRAIN_DEADLINE_MS } from '../../src/server/drain.ts';
import { downloadKubeconfig, type GatewayProcess } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl, streamKubectl } from '../harness/kubectl.ts';
import { type BalancedFleet, startBalancedFleet, within } from './replica-fleet.ts';

// Three replicas behind a TCP load balancer that the agent and kubectl use; the replica that
// holds the agent's tunnel gets SIGTERM while watches run through it, then the next holder.
let run: TestClusters;
let downstream: TestCluster;
let fleet: BalancedFleet;
let dir: string;
const stopped = new Set<GatewayProcess>();

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'drn' });
  const [management, cluster] = run.clusters as [TestCluster, TestCluster];
  downstream = cluster;
  dir = join(run.runDir, 'replicas');
  fleet = await startBalancedFleet(management, downstream, dir, {
    count: 3,
    clusterName: 'drained',
    clusterRole: 'view',
  });
});

after(async () => {
  await fleet?.stop();
  await run?.stop();
});

const kubectlWorks = async () => {
  const result = await runKubectl(fleet.balancedKubeconfig, [
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

/** A `kubectl get configmaps -w` through `gateway`, once it lists. */
const watchThrough = async (gateway: GatewayProcess, label: string) => {
  const kubeconfig = join(dir, `admin-${label}.kubeconfig`);
  await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, kubeconfig);
  const watch = streamKubectl(kubeconfig, ['get', 'configmaps', '-n', 'default', '-w', '-o', 'name']);
  await watch.waitForLine((line) => line.includes('kube-root-ca.crt'), 15_000);
  return watch;
};

/** The holder and a running replica that is not the holder. */
const holderAndOther = async () => {
  const { holderId, process: holder } = await fleet.holderProcess();
  const other = fleet.replicas.find((r) => r !== holder && !stopped.has(r)) as GatewayProcess;
  assert.ok(other, 'no other running replica');
  return { holderId, holder, other };
};

describe('a replica gets SIGTERM', () => {
  test('a watch another replica runs through its link keeps the draining replica and its tunnel until the deadline, sees changes made meanwhile, and ends cleanly', async () => {
    const { holderId, holder, other } = await holderAndOther();
    // Nothing runs on the holder but this watch, which reaches the cluster through the
    // other replica's link to the holder.
    const watch = await watchThrough(other, 'through-the-link');
    await downstream.kubectlOk('admin', ['create', 'configmap', 'before-the-first-drain', '-n', 'default']);
    await watch.waitForLine((line) => line.includes('before-the-first-drain'), 15_000);

    const signalledAt = Date.now();
    holder.process?.signal('SIGTERM');
    stopped.add(holder);
    await within('readiness turns false', 2_000, async () => {
      const ready = await holder.request('/readyz').catch(() => undefined);
      return ready?.status === 503;
    });
    // The draining replica still carries the stream: a change made now reaches the watch.
    await downstream.kubectlOk('admin', ['create', 'configmap', 'during-the-first-drain', '-n', 'default']);
    await watch.waitForLine((line) => line.includes('during-the-first-drain'), 5_000);

    const ended = await watch.exited;
    const endedAfterMs = Date.now() - signalledAt;
    console.log(
      `the watch through the link ended ${endedAfterMs} ms after SIGTERM: kubectl exit ${ended.code}, stderr ${JSON.stringify(ended.stderr)}`,
    );
    assert.ok(endedAfterMs <= DRAIN_DEADLINE_MS + 3_000, `the watch ended after ${endedAfterMs} ms`);
    assert.equal(ended.stderr, '');
    assert.equal(ended.code, 0);
    assert.equal(await holder.process?.exited(), 0);
    await within('the agent is on another replica', 15_000, async () => {
      const now = await fleet.holder();
      return now !== null && now !== holderId;
    });
  });

  test('it answers not-ready and refuses new work, its watches (its own and those another replica runs through its link) end cleanly within the deadline, its agent moves to the last replica, and it exits 0', async () => {
    const { holderId: drainedId, holder: drained, other: survivor } = await holderAndOther();
    await survivor.waitForCluster(fleet.clusterId, (c) => c.state === 'Active', 'Active');
    assert.equal((await drained.request('/readyz')).status, 200);
    const watch = await watchThrough(drained, 'direct');
    const peerWatch = await watchThrough(survivor, 'survivor');
    // kubectl lists, then watches: a change seen proves the watch itself is open.
    await downstream.kubectlOk('admin', ['create', 'configmap', 'before-the-drain', '-n', 'default']);
    await watch.waitForLine((line) => line.includes('before-the-drain'), 15_000);
    await peerWatch.waitForLine((line) => line.includes('before-the-drain'), 15_000);

    const signalledAt = Date.now();
    drained.process?.signal('SIGTERM');
    stopped.add(drained);
    await within('readiness turns false', 2_000, async () => {
      const ready = await drained.request('/readyz').catch(() => undefined);
      return ready?.status === 503;
    });
    // Liveness stays true: the process is fine, it is only stopping.
    assert.equal((await drained.request('/healthz')).status, 200);
    const refused = await drained.request('/v1/clusters');
    assert.equal(refused.status, 503);
    assert.match(refused.text, /DRAINING/);
    const refusedPassthrough = await drained.request(`/k8s/clusters/${fleet.clusterId}/api/v1/namespaces`);
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

    for (const [which, each] of [
      ['through the draining replica', watch],
      ["through the survivor's link", peerWatch],
    ] as const) {
      const ended = await each.exited;
      const endedAfterMs = Date.now() - signalledAt;
      console.log(
        `the watch ${which} ended ${endedAfterMs} ms after SIGTERM: kubectl exit ${ended.code}, stderr ${JSON.stringify(ended.stderr)}`,
      );
      assert.ok(endedAfterMs <= DRAIN_DEADLINE_MS + 3_000, `the watch ended after ${endedAfterMs} ms`);
      // Ended as the apiserver ends a watch, not cut: no reset, no truncated stream.
      assert.equal(ended.stderr, '');
      assert.equal(ended.code, 0);
    }
    assert.equal(await drained.process?.exited(), 0);

    await within('the agent is on the survivor', 15_000, async () => {
      const now = await fleet.holder();
      return now !== null && now !== drainedId;
    });
    await survivor.waitForCluster(fleet.clusterId, (c) => c.state === 'Active', 'Active on the survivor');
    for (let i = 0; i < 4; i++)
      assert.ok(await kubectlWorks(), `kubectl through the balancer failed on try ${i} after the drain`);
  });
});
