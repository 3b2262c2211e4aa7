import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalUsers } from '../../src/auth/local-users.ts';
import {
  SqliteUserRepository,
  USER_RECORD_CACHE_MAX,
  USER_RECORD_CACHE_MS,
} from '../../src/auth/user-repository.ts';
import { openDatabase } from '../../src/store/database.ts';

const dataDirs: string[] = [];
after(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh SQLite store and a repository over it whose cache clock the test moves. */
function freshStore() {
  const dir = mkdtempSync(join(tmpdir(), 'user-cache-'));
  dataDirs.push(dir);
  const db = openDatabase(dir);
  let now = 1_000;
  const repo = new SqliteUserRepository(db, () => now);
  return {
    db,
    repo,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const alice = {
  username: 'alice',
  passwordHash: 'scrypt$not-a-real-hash',
  isAdmin: false,
  groups: ['developers'],
  createdAt: '2026-11-30T00:00:00.000Z',
};

describe('the SQLite user repository reuses records it read for a short time', () => {
  test('a user inserted after a lookup of the same name missed is found at once', async () => {
    const { repo } = freshStore();
    assert.equal(repo.get('alice'), undefined);
    await repo.insert(alice);
    assert.deepEqual(repo.get('alice')?.groups, ['developers']);
  });

  test('an edit of the database behind the gateway applies once the record is older than the cache time', async () => {
    const { db, repo, advance } = freshStore();
    await repo.insert(alice);
    assert.equal(repo.get('alice')?.isAdmin, false);
    db.prepare('UPDATE users SET is_admin = 1, groups = ? WHERE username = ?').run('["ops"]', 'alice');
    advance(USER_RECORD_CACHE_MS + 1);
    assert.equal(repo.get('alice')?.isAdmin, true);
    assert.deepEqual(repo.get('alice')?.groups, ['ops']);
  });

  test('at most USER_RECORD_CACHE_MAX records are kept: reading one more drops the oldest, which is read again', async () => {
    const { db, repo } = freshStore();
    const name = (i: number) => `user-${i}`;
    const insert = db.prepare(
      'INSERT INTO users (username, password_hash, is_admin, groups, created_at) VALUES (?, ?, 0, ?, ?)',
    );
    db.exec('BEGIN');
    for (let i = 0; i <= USER_RECORD_CACHE_MAX; i++)
      insert.run(name(i), alice.passwordHash, '["developers"]', alice.createdAt);
    db.exec('COMMIT');
    for (let i = 0; i < USER_RECORD_CACHE_MAX; i++) assert.ok(repo.get(name(i)));
    // Edited behind the gateway, within the cache time: only a record no longer kept shows it.
    const edit = db.prepare('UPDATE users SET groups = ? WHERE username = ?');
    edit.run('["ops"]', name(0));
    edit.run('["ops"]', name(1));
    assert.deepEqual(repo.get(name(1))?.groups, ['developers'], 'the 10,000 records read are all kept');
    assert.ok(repo.get(name(USER_RECORD_CACHE_MAX)), 'the 10,001st is read');
    // Reading the 10,001st dropped the record read first (user-0).
    assert.deepEqual(repo.get(name(0))?.groups, ['ops'], 'the oldest record was dropped and read again');
  });

  test('a user removed from the database behind the gateway is unknown once the record is older than the cache time', async () => {
    const { db, repo, advance } = freshStore();
    await repo.insert(alice);
    assert.ok(repo.get('alice'));
    db.prepare('DELETE FROM users WHERE username = ?').run('alice');
    advance(USER_RECORD_CACHE_MS + 1);
    assert.equal(repo.get('alice'), undefined);
  });

  test('the groups a caller gets are its own copy: changing them does not change the cached record', async () => {
    const { repo } = freshStore();
    const users = new LocalUsers(repo);
    await repo.insert(alice);
    const first = users.get('alice');
    assert.ok(first);
    (first.groups as string[]).push('admins');
    assert.deepEqual(users.get('alice')?.groups, ['developers']);
  });
});
