import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PendingLogins } from '../../src/auth/pending-logins.ts';

const login = (n: number) => ({ codeVerifier: `verifier-${n}`, nonce: `nonce-${n}` });

describe('pending OIDC sign-ins', () => {
  test('beyond the cap, the oldest pending sign-in is dropped first and new ones are still taken', () => {
    const pending = new PendingLogins({ max: 3, ttlMs: 60_000 }, () => 0);
    for (const n of [1, 2, 3, 4]) pending.add(`state-${n}`, login(n));
    assert.equal(pending.size, 3);
    assert.equal(pending.take('state-1'), undefined);
    assert.deepEqual(pending.take('state-4'), login(4));
  });

  test('a pending sign-in expires after its time to live, and expired ones are pruned', () => {
    let now = 0;
    const pending = new PendingLogins({ max: 10, ttlMs: 1000 }, () => now);
    pending.add('early', login(1));
    now = 600;
    pending.add('later', login(2));
    now = 1001;
    assert.equal(pending.take('early'), undefined);
    pending.add('last', login(3));
    assert.equal(pending.size, 2);
    assert.deepEqual(pending.take('later'), login(2));
  });

  test('a state is taken once', () => {
    const pending = new PendingLogins({ max: 10, ttlMs: 1000 }, () => 0);
    pending.add('s', login(1));
    assert.ok(pending.take('s'));
    assert.equal(pending.take('s'), undefined);
  });
});
