// The registry's list of clusters is kept in memory (every GraphQL query reads it): it must
// follow every write the registry makes at once, and read the store again only after one.
// The real registry on the real SQLite repository; the repository is only counted.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ClusterRegistry } from '../../src/clusters/cluster-registry.ts';
import { SqliteClusterRepository } from '../../src/clusters/sqlite-cluster-repository.ts';
import { openDatabase } from '../../src/store/database.ts';

/** A registry on a fresh database, and how often it has read every cluster from it. */
async function countedRegistry() {
  const repo = new SqliteClusterRepository(openDatabase(await mkdtemp(join(tmpdir(), 'cluster-list-'))));
  const reads = { all: 0 };
  const all = repo.all.bind(repo);
  repo.all = () => {
    reads.all++;
    return all();
  };
  return { registry: new ClusterRegistry(repo), reads };
}

/** Waits for the writes the registry started and does not wait for (state, health). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("the registry's list of clusters", () => {
  test('is read from the store once while nothing changes', async () => {
    const { registry, reads } = await countedRegistry();
    await registry.register('one');
    await registry.register('two');
    for (let i = 0; i < 100; i++)
      assert.deepEqual(
        registry.list().map((c) => c.name),
        ['one', 'two'],
      );
    assert.equal(reads.all, 1);
  });

  test('follows registration and removal at once', async () => {
    const { registry } = await countedRegistry();
    assert.deepEqual(registry.list(), []);
    const { cluster } = await registry.register('kept');
    const { cluster: gone } = await registry.register('gone');
    assert.deepEqual(
      registry.list().map((c) => c.name),
      ['gone', 'kept'],
    );
    await registry.remove(gone.clusterId);
    assert.deepEqual(
      registry.list().map((c) => c.clusterId),
      [cluster.clusterId],
    );
  });

  test("follows a cluster's state and health as soon as their writes settle", async () => {
    const { registry } = await countedRegistry();
    const { cluster } = await registry.register('live');
    assert.equal(registry.list()[0]?.state, 'Pending');
    registry.markConnected(cluster.clusterId, 'v1');
    await settled();
    assert.equal(registry.list()[0]?.state, 'Active');
    registry.recordHealth(cluster.clusterId, 'ok', 'v1.35.0');
    await settled();
    assert.equal(registry.list()[0]?.kubernetesVersion, 'v1.35.0');
    registry.markDisconnected(cluster.clusterId, 'agent gone');
    await settled();
    assert.equal(registry.list()[0]?.state, 'Disconnected');
  });

  test('a list handed out is a copy: changing it changes nothing the next caller sees', async () => {
    const { registry } = await countedRegistry();
    await registry.register('one');
    registry.list().pop();
    assert.equal(registry.list().length, 1);
  });
});
