import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rendezvousOrder } from '../../src/replicas/rendezvous.ts';
import { type GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { startReplicas, within } from './replica-fleet.ts';

// Three replicas hold Leases in the management cluster; each registered cluster is owned by
// exactly one of them; ownership moves when one is killed or stops.
let run: TestClusters;
let replicas: GatewayProcess[];
const clusterIds: string[] = [];

interface ReplicasAnswer {
  replicaId: string;
  replicas: { replicaId: string; peerAddress: string | null }[];
  clusters: { clusterId: string; owner: string | null }[];
}

before(async () => {
  run = await startClusters({ count: 1, namePrefix: 'own' });
  replicas = await startReplicas(run.clusters[0] as TestCluster, join(run.runDir, 'replicas'), 3);
  for (let i = 0; i < 9; i++)
    clusterIds.push((await registerCluster(replicas[0] as GatewayProcess, `owned-${i}`)).cluster.clusterId);
});

after(async () => {
  await Promise.all((replicas ?? []).map((r) => r.stop()));
  await run?.stop();
});

async function view(gateway: GatewayProcess): Promise<ReplicasAnswer> {
  const answer = await gateway.api<ReplicasAnswer>('GET', '/v1/replicas');
  assert.equal(answer.status, 200);
  return answer.body;
}

/** True when every survivor sees exactly `live` and every cluster owned by its rendezvous choice among them. */
async function settled(survivors: GatewayProcess[], live: string[]): Promise<boolean> {
  for (const gateway of survivors) {
    const seen = await view(gateway);
    if (seen.replicas.map((r) => r.replicaId).join() !== live.join()) return false;
    for (const clusterId of clusterIds) {
      const owner = seen.clusters.find((c) => c.clusterId === clusterId)?.owner;
      if (owner !== rendezvousOrder(clusterId, live)[0]) return false;
    }
  }
  return true;
}

describe('replica Leases and cluster ownership', () => {
  test('each replica publishes its peer address, and every cluster has one owner, the same seen from every replica', async () => {
    const all = ['replica-1', 'replica-2', 'replica-3'];
    await within('ownership settles', 10_000, () => settled(replicas, all));
    const seen = await view(replicas[1] as GatewayProcess);
    assert.equal(seen.replicaId, 'replica-2');
    assert.deepEqual(
      seen.replicas.map((r) => r.peerAddress),
      replicas.map((r) => r.url),
    );
    const owners = new Set(seen.clusters.map((c) => c.owner));
    assert.ok(owners.size >= 2, `9 clusters all on ${[...owners]}`);
  });

  test('kill -9 of a replica: its clusters are owned by the survivors within 15 s', async () => {
    const victim = replicas[2] as GatewayProcess;
    const owned = (await view(victim)).clusters.filter((c) => c.owner === 'replica-3').length;
    await victim.process?.kill();
    const tookMs = await within('ownership moves to the survivors', 15_000, () =>
      settled(replicas.slice(0, 2), ['replica-1', 'replica-2']),
    );
    console.log(`${owned} clusters of a killed replica moved in ${tookMs} ms`);
  });

  test('a replica that stops gives its clusters up at once', async () => {
    const leaving = replicas[1] as GatewayProcess;
    await leaving.stop();
    // It closed (exit code 0), rather than die by the signal before closing.
    assert.equal(await leaving.process?.exited(), 0);
    const tookMs = await within('ownership moves to the last replica', 5_000, () =>
      settled(replicas.slice(0, 1), ['replica-1']),
    );
    assert.ok(tookMs < 5_000);
  });
});
