import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ApiTokenRecord, ApiTokenRepository } from '../../src/auth/api-token-repository.ts';
import { SqliteApiTokenRepository } from '../../src/auth/api-token-repository.ts';
import { ApiTokens } from '../../src/auth/api-tokens.ts';
import type { Principal } from '../../src/auth/principal.ts';
import {
  TOKEN_RECORD_CACHE_MAX,
  TOKEN_RECORD_CACHE_MS,
  TokenRecordCache,
} from '../../src/auth/token-record-cache.ts';
import { openDatabase } from '../../src/store/database.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'token-cache-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

const alice: Principal = {
  principalId: 'local:alice',
  provider: 'local',
  name: 'alice',
  groups: [],
  isAdmin: false,
};

/** The SQLite store, counting reads of one token's record. */
function countingRepository(): { repo: SqliteApiTokenRepository; reads: () => number } {
  const repo = new SqliteApiTokenRepository(openDatabase(dataDir));
  let reads = 0;
  const get = repo.get.bind(repo);
  repo.get = (tokenId: string) => {
    reads++;
    return get(tokenId);
  };
  return { repo, reads: () => reads };
}

async function issue(tokens: ApiTokens): Promise<string> {
  const { token } = await tokens.create(alice, { description: 'test', ttlSeconds: 3600, kind: 'api' });
  return token;
}

describe('verified tokens are cached briefly, and revocation still reaches them at once', () => {
  test('a token verified again at once is not read from the store again', async () => {
    const { repo, reads } = countingRepository();
    const tokens = new ApiTokens(repo);
    const token = await issue(tokens);
    assert.equal(tokens.verify(token).ok, true);
    const before = reads();
    for (let i = 0; i < 10; i++) assert.equal(tokens.verify(token).ok, true);
    assert.equal(reads(), before);
  });

  test('a token revoked right after a verification is refused on the next one', async () => {
    const tokens = new ApiTokens(countingRepository().repo);
    const token = await issue(tokens);
    assert.equal(tokens.verify(token).ok, true);
    const tokenId = token.split('.')[1] as string;
    assert.equal(await tokens.revoke(tokenId), true);
    assert.deepEqual(tokens.verify(token), { ok: false, reason: 'token revoked' });
  });

  test('revoking all of a person’s tokens refuses each on its next verification', async () => {
    const tokens = new ApiTokens(countingRepository().repo);
    const first = await issue(tokens);
    const second = await issue(tokens);
    assert.equal(tokens.verify(first).ok, true);
    assert.equal(tokens.verify(second).ok, true);
    await tokens.revokeAll(alice.principalId);
    assert.deepEqual(tokens.verify(first), { ok: false, reason: 'token revoked' });
    assert.deepEqual(tokens.verify(second), { ok: false, reason: 'token revoked' });
  });

  test('a revocation announced by the store (another replica) refuses a cached token on its next verification', async () => {
    const { repo } = countingRepository();
    let announce = () => {};
    // The SQLite store has no other replica: this one announces as the Kubernetes store does.
    const announcing: ApiTokenRepository = repo;
    announcing.onRevokedElsewhere = (listener: () => void) => {
      announce = listener;
    };
    const tokens = new ApiTokens(repo);
    const token = await issue(tokens);
    assert.equal(tokens.verify(token).ok, true);
    // As another replica would: the store changes under this one, and says so.
    const tokenId = token.split('.')[1] as string;
    await repo.revoke(tokenId, new Date().toISOString());
    announce();
    assert.deepEqual(tokens.verify(token), { ok: false, reason: 'token revoked' });
  });

  test('the right token id with a wrong secret is refused, cached or not', async () => {
    const tokens = new ApiTokens(countingRepository().repo);
    const token = await issue(tokens);
    assert.equal(tokens.verify(token).ok, true);
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    assert.deepEqual(tokens.verify(forged), { ok: false, reason: 'unknown token' });
  });
});

describe('the token record cache is bounded in time and size', () => {
  const record = (tokenId: string) => ({ tokenId }) as unknown as ApiTokenRecord;

  test(`a record is answered for ${TOKEN_RECORD_CACHE_MS} ms, then no more`, () => {
    const cache = new TokenRecordCache();
    cache.set('t1', record('t1'), 1_000);
    assert.equal(cache.get('t1', 1_000 + TOKEN_RECORD_CACHE_MS - 1)?.tokenId, 't1');
    assert.equal(cache.get('t1', 1_000 + TOKEN_RECORD_CACHE_MS), undefined);
    assert.equal(cache.size, 0);
  });

  test(`at most ${TOKEN_RECORD_CACHE_MAX} records are kept, the oldest dropped first`, () => {
    const cache = new TokenRecordCache();
    for (let i = 0; i <= TOKEN_RECORD_CACHE_MAX; i++) cache.set(`t${i}`, record(`t${i}`), 0);
    assert.equal(cache.size, TOKEN_RECORD_CACHE_MAX);
    assert.equal(cache.get('t0', 1), undefined);
    assert.equal(cache.get(`t${TOKEN_RECORD_CACHE_MAX}`, 1)?.tokenId, `t${TOKEN_RECORD_CACHE_MAX}`);
  });
});
