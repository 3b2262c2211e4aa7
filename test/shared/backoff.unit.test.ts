import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelay } from '../../src/shared/backoff.ts';

/** backoffDelay with Math.random pinned to `r`. */
const delay = (attempt: number, r: number, baseMs = 1000, maxMs = 30_000) =>
  backoffDelay(attempt, baseMs, maxMs, () => r);

describe('reconnect backoff: full jitter under an exponential ceiling', () => {
  const ceilings: [number, number][] = [
    [0, 1000],
    [1, 2000],
    [2, 4000],
    [4, 16_000],
    [5, 30_000],
    [6, 30_000],
    [1000, 30_000],
  ];
  for (const [attempt, ceiling] of ceilings) {
    test(`attempt ${attempt} waits less than ${ceiling} ms`, () => {
      assert.equal(delay(attempt, 0.999_999_9), ceiling - 1);
    });
  }

  test('the wait is a whole number of milliseconds anywhere from 0 up to the ceiling', () => {
    assert.equal(delay(3, 0), 0);
    assert.equal(delay(3, 0.5), 4000);
    assert.equal(delay(3, 0.123_456), 987);
  });

  test('a huge attempt count neither overflows nor exceeds the maximum', () => {
    const wait = delay(Number.MAX_SAFE_INTEGER, 0.999_999_9, 1000, Number.MAX_SAFE_INTEGER);
    assert.ok(Number.isSafeInteger(wait));
    assert.equal(wait, Math.floor(0.999_999_9 * 1000 * 2 ** 30));
  });

  test('with Math.random the waits spread over the whole range', () => {
    const waits = Array.from({ length: 2000 }, (_, i) => backoffDelay(10 + (i % 2), 1000, 30_000));
    assert.ok(waits.every((w) => w >= 0 && w < 30_000));
    assert.ok(Math.min(...waits) < 3000, 'some short waits');
    assert.ok(Math.max(...waits) > 27_000, 'some long waits');
  });
});
