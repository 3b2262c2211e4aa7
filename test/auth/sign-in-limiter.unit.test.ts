import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressKey, SignInLimiter, type SignInLimits } from '../../src/auth/sign-in-limiter.ts';

const LIMITS: SignInLimits = {
  userFailures: 3,
  addressFailures: 6,
  firstBlockMs: 1000,
  maxBlockMs: 8000,
  forgetAfterMs: 60_000,
  maxTracked: 4,
};

function limiter() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  return { limiter: new SignInLimiter(LIMITS, () => now), clock };
}

/** `times` failed attempts of `user` from `address`. */
function fail(l: SignInLimiter, user: string, address: string, times: number): void {
  for (let i = 0; i < times; i++) {
    const attempt = l.begin(user, address);
    assert.ok(attempt.ok, `attempt ${i + 1} of ${user} was refused`);
  }
}

describe('sign-in limiter', () => {
  test('a user name is refused for a doubling time after repeated failures, up to a cap, with the wait to report', () => {
    const { limiter: l, clock } = limiter();
    fail(l, 'alice', '10.0.0.1', 3);
    const refused = l.begin('alice', '10.0.0.2');
    assert.deepEqual(refused, { ok: false, retryAfterSeconds: 1, limited: 'user' });
    clock.advance(1000);
    fail(l, 'alice', '10.0.0.3', 1);
    assert.equal((l.begin('alice', '10.0.0.4') as { retryAfterSeconds: number }).retryAfterSeconds, 2);
    for (const wait of [2000, 4000, 8000]) {
      clock.advance(wait);
      fail(l, 'alice', '10.0.0.5', 1);
    }
    clock.advance(8000);
    fail(l, 'alice', '10.0.0.5', 1);
    assert.equal((l.begin('alice', '10.0.0.6') as { retryAfterSeconds: number }).retryAfterSeconds, 8);
  });

  test('a source address is refused after failures across many user names', () => {
    const { limiter: l } = limiter();
    for (const user of ['a', 'b', 'c', 'd', 'e', 'f']) fail(l, user, '10.0.0.9', 1);
    assert.deepEqual(l.begin('g', '10.0.0.9'), { ok: false, retryAfterSeconds: 1, limited: 'address' });
    assert.ok(l.begin('g', '10.0.0.10').ok, 'another address may still try');
  });

  test('attempts count before they finish, so a burst cannot outrun the limit', () => {
    const { limiter: l } = limiter();
    const outcomes = Array.from({ length: 10 }, () => l.begin('bob', '10.0.0.1').ok);
    assert.equal(outcomes.filter(Boolean).length, 3);
  });

  test('a success forgives the user name, and only its own attempt of the address', () => {
    const { limiter: l } = limiter();
    fail(l, 'x', '10.0.0.1', 2);
    fail(l, 'carol', '10.0.0.1', 2);
    assert.ok(l.begin('carol', '10.0.0.1').ok);
    l.succeeded('carol', '10.0.0.1');
    fail(l, 'carol', '10.0.0.1', 2);
    // The address has 2 + 2 + 2 failed attempts: the next is refused.
    assert.deepEqual(l.begin('y', '10.0.0.1'), { ok: false, retryAfterSeconds: 1, limited: 'address' });
  });

  test('failures are forgotten after a quiet period', () => {
    const { limiter: l, clock } = limiter();
    fail(l, 'dave', '10.0.0.1', 3);
    clock.advance(LIMITS.firstBlockMs + LIMITS.forgetAfterMs + 1);
    fail(l, 'dave', '10.0.0.1', 3);
  });

  test('it remembers at most its capacity of user names and of addresses, forgetting the least recently failed first', () => {
    const { limiter: l } = limiter();
    fail(l, 'old', '10.0.0.1', 3);
    for (const user of ['u1', 'u2', 'u3', 'u4']) fail(l, user, `10.1.0.${user.slice(1)}`, 1);
    assert.ok(l.tracked().users <= LIMITS.maxTracked);
    assert.ok(l.tracked().addresses <= LIMITS.maxTracked);
    assert.ok(l.begin('old', '10.2.0.1').ok, 'the oldest user name was forgotten');
  });

  test('IPv6 addresses of one /64 share a budget, and IPv4-mapped addresses count as IPv4', () => {
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb::2'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:10.0.0.1'), addressKey('10.0.0.1'));
    assert.equal(addressKey(undefined), 'unknown');
  });
});
