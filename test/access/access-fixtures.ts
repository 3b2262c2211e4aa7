// The access policy on a fresh SQLite store, and refusals as the policy throws them: shared
// by the unit tests of the policy's bounds and rules.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessRepository } from '../../src/access/access-repository.ts';
import { AccessService } from '../../src/access/access-service.ts';
import { AuditLog } from '../../src/audit/audit-log.ts';
import { LocalUsers } from '../../src/auth/local-users.ts';
import { SqliteUserRepository } from '../../src/auth/user-repository.ts';
import { ClusterRegistry } from '../../src/clusters/cluster-registry.ts';
import { SqliteClusterRepository } from '../../src/clusters/sqlite-cluster-repository.ts';
import { type ErrorCode, GatewayError } from '../../src/errors/gateway-error.ts';
import { openDatabase } from '../../src/store/database.ts';

/** A fresh policy on its own database, with one registered cluster. */
export async function freshPolicy(): Promise<{
  service: AccessService;
  store: AccessRepository;
  clusterId: string;
  fill: (write: () => Promise<void>) => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'access-limits-'));
  const db = openDatabase(dir);
  const registry = new ClusterRegistry(new SqliteClusterRepository(db));
  const { cluster } = await registry.register('limits');
  const store = new AccessRepository(db);
  const service = new AccessService({
    store,
    registry,
    users: new LocalUsers(new SqliteUserRepository(db)),
    audit: new AuditLog(join(dir, 'audit.log')),
  });
  // The records below a bound go in one transaction: a commit per record waits for the disk each time.
  const fill = async (write: () => Promise<void>) => {
    db.exec('BEGIN');
    try {
      await write();
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  };
  return { service, store, clusterId: cluster.clusterId, fill };
}

/** Asserts that `work` is refused as a GatewayError of `code`, its message matching (or, for a string, equal to) `message`. */
export async function refusedWith(
  work: Promise<unknown>,
  code: ErrorCode,
  message: RegExp | string,
): Promise<void> {
  await assert.rejects(work, (error) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}
