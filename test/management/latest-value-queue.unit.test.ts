// The queue behind a token's last-used time in the management cluster
// (kube-api-token-repository.ts): 2 writes in flight, 10,000 tokens waiting, tested at its
// bounds with writes that finish only when the test lets them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PENDING_TOUCHES, TOUCH_CONCURRENCY } from '../../src/management/kube-api-token-repository.ts';
import { LatestValueQueue } from '../../src/management/latest-value-queue.ts';

/** A queue whose writes wait until `finishAll`; `written` lists what was written, in order. */
function heldQueue(concurrency: number, maxWaiting: number) {
  const held: (() => void)[] = [];
  const written: [string, string][] = [];
  const queue = new LatestValueQueue<string>({
    concurrency,
    maxWaiting,
    write: (key, value) =>
      new Promise<void>((resolve) => {
        held.push(() => {
          written.push([key, value]);
          resolve();
        });
      }),
  });
  const finishAll = async () => {
    while (held.length > 0) {
      for (const finish of held.splice(0)) finish();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { queue, held, written, finishAll };
}

const key = (i: number) => `t-${i}`;

describe("a token's last-used times are written through a bounded queue", () => {
  test(`at most ${TOUCH_CONCURRENCY} writes are in flight however many tokens are used at once`, () => {
    const { queue, held } = heldQueue(TOUCH_CONCURRENCY, MAX_PENDING_TOUCHES);
    for (let i = 0; i < 1_000; i++) queue.offer(key(i), 'first');
    assert.equal(queue.inFlight, TOUCH_CONCURRENCY);
    assert.equal(held.length, TOUCH_CONCURRENCY);
    assert.equal(queue.waiting, 1_000 - TOUCH_CONCURRENCY);
  });

  test(`${MAX_PENDING_TOUCHES} tokens wait; the next one is dropped, and one that waits still gets its newest time`, async () => {
    const { queue, written, finishAll } = heldQueue(TOUCH_CONCURRENCY, MAX_PENDING_TOUCHES);
    const accepted = TOUCH_CONCURRENCY + MAX_PENDING_TOUCHES;
    for (let i = 0; i < accepted; i++) assert.equal(queue.offer(key(i), 'first'), true, key(i));
    assert.equal(queue.inFlight, TOUCH_CONCURRENCY);
    assert.equal(queue.waiting, MAX_PENDING_TOUCHES);
    // Token 10,001 of the waiting ones: dropped, nothing grows.
    assert.equal(queue.offer(key(accepted), 'first'), false);
    assert.equal(queue.waiting, MAX_PENDING_TOUCHES);
    // A token that waits already takes its newer time, in the room it holds.
    assert.equal(queue.offer(key(5), 'newer'), true);
    assert.equal(queue.waiting, MAX_PENDING_TOUCHES);

    await finishAll();
    assert.equal(queue.inFlight, 0);
    assert.equal(queue.waiting, 0);
    assert.equal(written.length, accepted);
    const byKey = new Map(written);
    assert.equal(byKey.size, accepted);
    assert.equal(byKey.get(key(5)), 'newer');
    assert.equal(byKey.has(key(accepted)), false);

    // Drained, the queue takes the dropped token again.
    assert.equal(queue.offer(key(accepted), 'later'), true);
    await finishAll();
    assert.deepEqual(written.at(-1), [key(accepted), 'later']);
  });
});
