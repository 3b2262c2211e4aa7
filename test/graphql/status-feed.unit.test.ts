import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Cluster } from '../../src/clusters/cluster.ts';
import { ClusterRegistry } from '../../src/clusters/cluster-registry.ts';
import { SqliteClusterRepository } from '../../src/clusters/sqlite-cluster-repository.ts';
import { StatusFeed } from '../../src/graphql/status-feed.ts';
import { openDatabase } from '../../src/store/database.ts';

describe('the cluster status feed of one subscriber', () => {
  test('a subscriber that does not read holds one update per cluster, the newest, however many changes come', async () => {
    const registry = new ClusterRegistry(
      new SqliteClusterRepository(openDatabase(await mkdtemp(join(tmpdir(), 'status-feed-')))),
    );
    const clusters: Cluster[] = [];
    for (const name of ['one', 'two', 'three']) clusters.push((await registry.register(name)).cluster);
    const feed = new StatusFeed(registry);
    for (let i = 0; i < 10_000; i++) {
      const cluster = clusters[i % 3];
      assert.ok(cluster);
      registry.emit('change', { ...cluster, stateReason: `change ${i}` });
    }
    assert.equal(feed.pending, 3);
    const read = [];
    for (let i = 0; i < 3; i++) read.push((await feed.next()).value?.clusterStatus.stateReason);
    assert.deepEqual(read, ['change 9997', 'change 9998', 'change 9999']);
    await feed.return();
    registry.emit('change', clusters[0] as (typeof clusters)[0]);
    assert.equal(feed.pending, 0, 'a closed feed listens no more');
    assert.equal(registry.listenerCount('change'), 0);
  });
});
