import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Dequeued, SubscriberQueue } from '../../src/graphql/subscriber-queue.ts';

/** A change of one object: `object` is the coalescing key, `step` tells its versions apart. */
interface Change {
  readonly object: string;
  readonly step: number;
}

function queue(maxItems: number, maxBytes = 1_000_000) {
  return new SubscriberQueue<Change>({ maxItems, maxBytes }, (change) => change.object);
}

function drain(q: SubscriberQueue<Change>): Dequeued<Change>[] {
  const out: Dequeued<Change>[] = [];
  for (let next = q.shift(); next; next = q.shift()) out.push(next);
  return out;
}

const show = (items: Dequeued<Change>[]) =>
  items.map(({ item, coalesced }) => `${item.object}${item.step}${coalesced ? '*' : ''}`);

describe("a subscriber's queue delivers every change while the subscriber keeps up", () => {
  test('within its bounds it is first in, first out, and nothing is marked coalesced', () => {
    const q = queue(3);
    assert.equal(q.push({ object: 'a', step: 1 }), 'queued');
    assert.equal(q.push({ object: 'a', step: 2 }), 'queued');
    assert.equal(q.push({ object: 'b', step: 1 }), 'queued');
    assert.equal(q.coalescing, false);
    assert.deepEqual(show(drain(q)), ['a1', 'a2', 'b1']);
  });

  test('what was read frees its bytes', () => {
    const q = queue(100, 1000);
    q.push({ object: 'a', step: 1 }, 600);
    q.push({ object: 'b', step: 1 }, 400);
    assert.equal(q.bytes, 1000);
    q.shift();
    assert.equal(q.bytes, 400);
    assert.equal(q.push({ object: 'c', step: 1 }, 600), 'queued');
  });
});

describe('a subscriber that falls behind gets the latest state of each object, marked, before it is ended', () => {
  test('past the message bound only the newest change of each object waits, in the order of last change', () => {
    const q = queue(3);
    q.push({ object: 'a', step: 1 });
    q.push({ object: 'b', step: 1 });
    q.push({ object: 'a', step: 2 });
    assert.equal(q.push({ object: 'c', step: 1 }), 'coalesced');
    assert.equal(q.coalescing, true);
    assert.equal(q.push({ object: 'b', step: 2 }), 'coalesced');
    assert.deepEqual(show(drain(q)), ['a2*', 'c1', 'b2*']);
  });

  test('past the byte bound it coalesces too, and the bytes are those of the latest states only', () => {
    const q = queue(100, 1000);
    q.push({ object: 'a', step: 1 }, 500);
    q.push({ object: 'b', step: 1 }, 400);
    assert.equal(q.push({ object: 'a', step: 2 }, 500), 'coalesced');
    assert.equal(q.bytes, 900);
    assert.deepEqual(show(drain(q)), ['b1', 'a2*']);
    assert.equal(q.bytes, 0);
  });

  test('once read empty it delivers every change again', () => {
    const q = queue(2);
    q.push({ object: 'a', step: 1 });
    q.push({ object: 'a', step: 2 });
    q.push({ object: 'a', step: 3 });
    assert.deepEqual(show(drain(q)), ['a3*']);
    assert.equal(q.coalescing, false);
    q.push({ object: 'a', step: 4 });
    q.push({ object: 'a', step: 5 });
    assert.deepEqual(show(drain(q)), ['a4', 'a5']);
  });

  test('items without a key are never merged', () => {
    const q = new SubscriberQueue<Change>({ maxItems: 2, maxBytes: 1000 }, (c) =>
      c.object === '-' ? undefined : c.object,
    );
    q.push({ object: '-', step: 1 });
    q.push({ object: 'a', step: 1 });
    assert.equal(q.push({ object: '-', step: 2 }), 'overflow', 'three distinct items over a bound of two');
  });

  test('ended only when even the latest states pass a bound, and then it holds nothing', () => {
    const q = queue(2, 1000);
    q.push({ object: 'a', step: 1 }, 10);
    q.push({ object: 'b', step: 1 }, 10);
    assert.equal(q.push({ object: 'c', step: 1 }, 10), 'overflow');
    assert.equal(q.length, 0);
    assert.equal(q.bytes, 0);
    const big = queue(100, 1000);
    big.push({ object: 'a', step: 1 }, 600);
    assert.equal(
      big.push({ object: 'b', step: 1 }, 600),
      'overflow',
      'two latest states of 600 bytes pass 1000',
    );
  });

  test('a flood of changes to few objects never ends the subscriber, and it holds one change per object', () => {
    const q = queue(50, 10_000);
    for (let step = 1; step <= 100_000; step++) {
      assert.notEqual(q.push({ object: `pod-${step % 10}`, step }, 100), 'overflow');
      assert.ok(q.length <= 50 && q.bytes <= 10_000);
    }
    const delivered = drain(q);
    assert.equal(delivered.length, 10);
    assert.ok(delivered.every((d) => d.coalesced && d.item.step > 100_000 - 10));
  });
});
