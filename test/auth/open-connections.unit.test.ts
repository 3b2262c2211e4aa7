import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Authentication, Authenticator } from '../../src/auth/authenticator.ts';
import { OpenConnections } from '../../src/auth/open-connections.ts';

/** An authenticator whose verdict per credential the test sets (the real one needs a store). */
function verdicts(refused: Set<string>): Authenticator {
  return {
    authenticate: async (authorization: string | undefined): Promise<Authentication> =>
      authorization && !refused.has(authorization)
        ? {
            ok: true,
            principal: { principalId: 'p', provider: 'local', name: 'p', groups: [], isAdmin: false },
          }
        : { ok: false, reason: 'token revoked' },
  } as unknown as Authenticator;
}

const person = (groups: string[], isAdmin = false) => ({
  principalId: 'local:p',
  provider: 'local' as const,
  name: 'p',
  groups,
  isAdmin,
});

describe('open connections end with their credential', () => {
  test('a connection opened as a person ends when their groups or admin right change, and not otherwise', async () => {
    let now = person(['ops']);
    const authenticator = {
      authenticate: async () => ({ ok: true, principal: now }),
    } as unknown as Authenticator;
    const open = new OpenConnections(authenticator, 60_000);
    const closed: string[] = [];
    open.track('Bearer a', (reason) => closed.push(reason), person(['ops']));
    open.track('Bearer a', () => closed.push('untracked rights'));
    now = person(['ops']);
    await open.recheckNow();
    assert.deepEqual(closed, []);
    now = person(['ops'], true);
    await open.recheckNow();
    assert.deepEqual(closed, ['Unauthorized: your groups or rights changed; connect again']);
    assert.equal(open.size, 1, 'a connection tracked without a person stays');
    open.close();
  });

  test('a credential the store cannot check now is left open and checked again later', async () => {
    let fail = true;
    const authenticator = {
      authenticate: async () => {
        if (fail) throw new Error('database is locked');
        return { ok: false, reason: 'token revoked' };
      },
    } as unknown as Authenticator;
    const open = new OpenConnections(authenticator, 60_000);
    let closed = 0;
    open.track('Bearer a', () => closed++);
    await open.recheckNow();
    assert.equal(closed, 0);
    fail = false;
    await open.recheckNow();
    assert.equal(closed, 1);
    open.close();
  });

  test('a check closes every connection of a refused credential, with the reason, and no other', async () => {
    const refused = new Set<string>();
    const open = new OpenConnections(verdicts(refused), 60_000);
    const closed: string[] = [];
    open.track('Bearer a', (reason) => closed.push(`a1: ${reason}`));
    open.track('Bearer a', (reason) => closed.push(`a2: ${reason}`));
    open.track('Bearer b', (reason) => closed.push(`b: ${reason}`));
    await open.recheckNow();
    assert.deepEqual(closed, []);
    refused.add('Bearer a');
    await open.recheckNow();
    assert.deepEqual(closed, ['a1: Unauthorized: token revoked', 'a2: Unauthorized: token revoked']);
    assert.equal(open.size, 1);
    open.close();
  });

  test('a connection forgotten (it ended by itself) is neither checked nor closed', async () => {
    const refused = new Set(['Bearer a']);
    const open = new OpenConnections(verdicts(refused), 60_000);
    let closed = 0;
    const forget = open.track('Bearer a', () => closed++);
    forget();
    forget();
    await open.recheckNow();
    assert.equal(closed, 0);
    assert.equal(open.size, 0);
    open.close();
  });

  test('checks asked for while one runs are folded into one more pass', async () => {
    let calls = 0;
    const authenticator = {
      authenticate: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { ok: true, principal: person([]) };
      },
    } as unknown as Authenticator;
    const open = new OpenConnections(authenticator, 60_000);
    open.track('Bearer a', () => {});
    await Promise.all([open.recheckNow(), open.recheckNow(), open.recheckNow(), open.recheckNow()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(calls <= 2, `${calls} passes for four requests`);
    open.close();
  });
});
