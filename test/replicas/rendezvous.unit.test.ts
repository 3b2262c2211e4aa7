import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rendezvousOrder } from '../../src/replicas/rendezvous.ts';

const clusters = Array.from({ length: 3000 }, (_, i) => `c-${String(i).padStart(10, '0')}`);
const owners = (replicas: string[]) => new Map(clusters.map((c) => [c, rendezvousOrder(c, replicas)[0]]));

describe('rendezvous hashing of clusters over replicas', () => {
  test('every replica computes the same owner whatever order it lists the replicas in', () => {
    for (const clusterId of clusters.slice(0, 100)) {
      assert.equal(
        rendezvousOrder(clusterId, ['a', 'b', 'c'])[0],
        rendezvousOrder(clusterId, ['c', 'a', 'b'])[0],
      );
    }
  });

  test('clusters spread over three replicas within 10 % of a third each', () => {
    const counts = new Map<string, number>();
    for (const owner of owners(['r1', 'r2', 'r3']).values())
      counts.set(owner as string, (counts.get(owner as string) ?? 0) + 1);
    for (const count of counts.values()) assert.ok(Math.abs(count - 1000) < 100, `${count} of 3000`);
  });

  test('when a replica leaves, only its clusters move, and they spread over the others', () => {
    const before = owners(['r1', 'r2', 'r3']);
    const after = owners(['r1', 'r3']);
    for (const [clusterId, owner] of before) {
      if (owner !== 'r2') assert.equal(after.get(clusterId), owner, `${clusterId} moved`);
      else assert.notEqual(after.get(clusterId), 'r2');
    }
    const moved = [...before].filter(([, owner]) => owner === 'r2').map(([c]) => after.get(c));
    assert.ok(moved.filter((o) => o === 'r1').length > moved.length / 3);
    assert.ok(moved.filter((o) => o === 'r3').length > moved.length / 3);
  });

  test('no replicas, no owner', () => {
    assert.deepEqual(rendezvousOrder('c-0000000000', []), []);
  });
});
