import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FillSlots } from '../../src/cache/fill-slots.ts';

describe('caches fill their first copy a few at a time', () => {
  test('past the limit a fill waits for a slot, and gets one when a fill ends, in the order they came', async () => {
    const slots = new FillSlots(2);
    const first = await slots.acquire();
    const second = await slots.acquire();
    const order: string[] = [];
    const third = slots.acquire().then((release) => {
      order.push('third');
      return release;
    });
    const fourth = slots.acquire().then((release) => {
      order.push('fourth');
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(order, [], 'both wait while two fills run');
    first();
    first(); // a second release of the same slot frees nothing more
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(order, ['third']);
    second();
    (await third)();
    (await fourth)();
    assert.deepEqual(order, ['third', 'fourth']);
    // Every slot is free again: two fills start at once.
    await Promise.all([slots.acquire(), slots.acquire()]);
  });
});
