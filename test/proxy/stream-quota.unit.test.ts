import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { StreamQuota } from '../../src/proxy/stream-quota.ts';

describe('each person has a cap of open requests per cluster', () => {
  test('up to the cap is granted; one more is refused with TOO_MANY_REQUESTS and a Retry-After', () => {
    const quota = new StreamQuota(3);
    for (let i = 0; i < 3; i++) quota.acquire('local:alice', 'c-1');
    assert.throws(
      () => quota.acquire('local:alice', 'c-1'),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.code === 'TOO_MANY_REQUESTS' &&
        error.httpStatus === 429 &&
        error.retryAfterSeconds === 1,
    );
  });

  test('the cap is per person and per cluster', () => {
    const quota = new StreamQuota(1);
    quota.acquire('local:alice', 'c-1');
    quota.acquire('local:alice', 'c-2');
    quota.acquire('local:bob', 'c-1');
    assert.throws(() => quota.acquire('local:alice', 'c-1'));
  });

  test('a released slot can be taken again, and releasing twice gives back one slot only', () => {
    const quota = new StreamQuota(1);
    const release = quota.acquire('local:alice', 'c-1');
    release();
    release();
    quota.acquire('local:alice', 'c-1');
    assert.throws(() => quota.acquire('local:alice', 'c-1'));
  });

  test('memory follows what is open: nothing is kept for people with nothing open', () => {
    const quota = new StreamQuota(5);
    const releases = Array.from({ length: 1000 }, (_, i) => quota.acquire(`local:p${i}`, 'c-1'));
    assert.equal(quota.size, 1000);
    for (const release of releases) release();
    assert.equal(quota.size, 0);
  });
});
