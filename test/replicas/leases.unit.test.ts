import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeLease, leaseHeld, leaseObject, microTime, renewLease } from '../../src/replicas/leases.ts';

describe('Leases', () => {
  test('times are written as MicroTime, six fractional digits', () => {
    assert.equal(microTime(new Date('2030-01-01T00:00:00.123Z')), '2030-01-01T00:00:00.123000Z');
  });

  test('a Lease is held until its duration has passed since its renewal', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const lease = decodeLease(
      leaseObject({ name: 'l', role: 'replica', holder: 'r1', durationSeconds: 10, at }),
    );
    assert.ok(lease);
    assert.equal(leaseHeld(lease, at.getTime() + 9_999), true);
    assert.equal(leaseHeld(lease, at.getTime() + 10_000), false);
  });

  test('renewing a Lease held by another replica takes it over and counts the transition', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const later = new Date('2030-01-01T00:00:30.000Z');
    const object = renewLease(
      leaseObject({ name: 'l', role: 'cluster', holder: 'r1', durationSeconds: 30, at }),
      'r2',
      later,
    );
    const spec = (object as { spec: Record<string, unknown> }).spec;
    assert.equal(spec.holderIdentity, 'r2');
    assert.equal(spec.leaseTransitions, 1);
    assert.equal(spec.acquireTime, microTime(later));
    assert.equal(decodeLease(object)?.renewedAtMs, later.getTime());
  });
});
