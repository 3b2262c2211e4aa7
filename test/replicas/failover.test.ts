import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { graphqlWsClient } from '../graphql/people.ts';
import { CHANGES, collect } from '../graphql/subscriber.ts';
import type { GatewayProcess } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { runKubectl } from '../harness/kubectl.ts';
import { type BalancedFleet, startBalancedFleet, within } from './replica-fleet.ts';

// Three replicas behind a TCP load balancer that agents and kubectl use; the replica that
// holds the agent's tunnel is killed.
let run: TestClusters;
let fleet: BalancedFleet;
let replicas: readonly GatewayProcess[];
let clusterId: string;
let kubeconfig: string;
let balanced: string;

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'fail' });
  const [management, downstream] = run.clusters as [TestCluster, TestCluster];
  fleet = await startBalancedFleet(management, downstream, join(run.runDir, 'replicas'), {
    count: 3,
    clusterName: 'failover',
    clusterRole: 'edit',
  });
  ({ replicas, clusterId, balancedKubeconfig: kubeconfig, balancedUrl: balanced } = fleet);
});

after(async () => {
  await fleet?.stop();
  await run?.stop();
});

const holder = () => fleet.holder();
const holderProcess = () => fleet.holderProcess();

const signIn = async (gateway: GatewayProcess) => {
  const answer = await gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: gateway.adminPassword }),
  });
  return (JSON.parse(answer.text) as { token: string }).token;
};

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
    const { holderId: victimId, process: victim } = await holderProcess();
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

  test('kill -9 of the new holder: a subscriber that resumes with its cursor on the last replica gets every change made meanwhile', async () => {
    // The first test killed one replica: sign in on one still running.
    const first = replicas.find((r) => r.process?.running) as GatewayProcess;
    const token = await signIn(first);
    const variables = { apiVersion: 'v1', kind: 'ConfigMap', filter: { namespace: 'default' } };
    // The subscriber comes through the load balancer, as a dashboard would.
    const before = graphqlWsClient({ url: balanced, caPem: first.caPem }, token);
    const watching = collect(before.client, CHANGES, variables);
    // A subscription without a cursor starts from now, once its watch is open downstream:
    // changes are made until one arrives.
    for (let i = 0; watching.changes.length === 0; i++) {
      assert.ok(i < 10, 'the subscriber saw no change');
      const made = await runKubectl(kubeconfig, [
        'create',
        'configmap',
        `before-the-kill-${i}`,
        '-n',
        'default',
      ]);
      assert.equal(made.code, 0, made.stderr);
      await watching.until(() => watching.changes.length > 0, 3_000).catch(() => {});
    }
    const cursor = watching.changes.at(-1)?.cursor as string;
    const { holderId, process: victim } = await holderProcess();
    await victim.process?.kill();
    await watching.stop();
    await before.client.dispose();
    // Changes made through the load balancer once the agent is back on the last replica.
    await within('kubectl works again through the balancer', 10_000, kubectlWorks);
    const meanwhile = ['meanwhile-1', 'meanwhile-2', 'meanwhile-3'];
    for (const name of meanwhile) {
      const made = await runKubectl(kubeconfig, ['create', 'configmap', name, '-n', 'default']);
      assert.equal(made.code, 0, made.stderr);
    }
    await runKubectl(kubeconfig, ['delete', 'configmap', 'meanwhile-3', '-n', 'default']);
    await within('a survivor records the tunnel', 10_000, async () => {
      const now = await holder();
      return now !== null && now !== holderId;
    });
    const survivor = (await holderProcess()).process;
    const after = graphqlWsClient(survivor, await signIn(survivor));
    const resumed = collect(after.client, CHANGES, { ...variables, since: cursor });
    try {
      await resumed.until(
        () =>
          meanwhile.every((name) => resumed.changes.some((c) => c.object?.metadata?.name === name)) &&
          resumed.changes.some((c) => c.type === 'DELETED' && c.object?.metadata?.name === 'meanwhile-3'),
      );
      // Nothing from before the cursor comes again.
      const seen = new Set(watching.changes.map((c) => c.object?.metadata?.name));
      assert.equal(resumed.changes.filter((c) => seen.has(c.object?.metadata?.name)).length, 0);
    } finally {
      await resumed.stop();
      await after.client.dispose();
    }
  });
});
