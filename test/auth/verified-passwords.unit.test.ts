import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VerifiedPasswords } from '../../src/auth/verified-passwords.ts';

describe('verified HTTP Basic passwords', () => {
  test('a verified password is remembered for its time to live only', () => {
    let now = 0;
    const verified = new VerifiedPasswords({ ttlMs: 1000, max: 10 }, () => now);
    verified.remember('alice', 'right password');
    assert.equal(verified.has('alice', 'right password'), true);
    now = 1001;
    assert.equal(verified.has('alice', 'right password'), false);
  });

  test('another password, or the same password of another user, is not remembered', () => {
    const verified = new VerifiedPasswords({ ttlMs: 1000, max: 10 }, () => 0);
    verified.remember('alice', 'right password');
    assert.equal(verified.has('alice', 'wrong password'), false);
    assert.equal(verified.has('bob', 'right password'), false);
    assert.equal(verified.has('alic', 'eright password'), false);
  });

  test('neither the password nor an unkeyed hash of it is kept', () => {
    const verified = new VerifiedPasswords({ ttlMs: 1000, max: 10 }, () => 0);
    verified.remember('alice', 'right password');
    const kept = JSON.stringify([...verified.keys()]);
    assert.doesNotMatch(kept, /right password/);
    assert.equal([...verified.keys()].length, 1);
  });

  test('it keeps at most its capacity, dropping the oldest first; forget drops a user', () => {
    const verified = new VerifiedPasswords({ ttlMs: 1000, max: 2 }, () => 0);
    verified.remember('a', 'password a');
    verified.remember('b', 'password b');
    verified.remember('c', 'password c');
    assert.equal(verified.has('a', 'password a'), false);
    assert.equal(verified.has('c', 'password c'), true);
    verified.forget('c');
    assert.equal(verified.has('c', 'password c'), false);
  });
});
