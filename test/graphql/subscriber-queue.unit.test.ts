import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SubscriberQueue } from '../../src/graphql/subscriber-queue.ts';

describe("a subscriber's queue is bounded by messages and by bytes", () => {
  test('up to the message bound items are kept; the next is refused and nothing is added', () => {
    const queue = new SubscriberQueue<number>(3, 1000);
    assert.ok(queue.push(1) && queue.push(2) && queue.push(3));
    assert.equal(queue.push(4), false);
    assert.equal(queue.length, 3);
  });

  test('at the byte bound exactly an item is kept; one byte more is refused', () => {
    const queue = new SubscriberQueue<string>(100, 1000);
    assert.ok(queue.push('a', 600));
    assert.ok(queue.push('b', 400));
    assert.equal(queue.bytes, 1000);
    assert.equal(queue.push('c', 1), false);
    assert.equal(queue.shift(), 'a');
    assert.equal(queue.bytes, 400);
    assert.ok(queue.push('c', 600), 'what was read frees its bytes');
  });

  test('replaceAll leaves the one last message, counting no bytes', () => {
    const queue = new SubscriberQueue<string>(2, 10);
    queue.push('a', 5);
    queue.push('b', 5);
    queue.replaceAll('overflow');
    assert.equal(queue.length, 1);
    assert.equal(queue.bytes, 0);
    assert.equal(queue.shift(), 'overflow');
    assert.equal(queue.shift(), undefined);
  });
});
