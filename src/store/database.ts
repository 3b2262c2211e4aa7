import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Add new
 * steps at the end, never edit one that shipped.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE clusters (
     cluster_id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     state TEXT NOT NULL,
     state_reason TEXT NOT NULL DEFAULT '',
     state_changed_at TEXT NOT NULL,
     created_at TEXT NOT NULL,
     kubernetes_version TEXT,
     agent_version TEXT,
     last_connected_at TEXT,
     health TEXT,
     health_checked_at TEXT
   );
   CREATE TABLE registration_tokens (
     cluster_id TEXT NOT NULL REFERENCES clusters(cluster_id) ON DELETE CASCADE,
     secret_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT,
     retired_at TEXT,
     grace_until TEXT,
     PRIMARY KEY (cluster_id, secret_hash)
   );
   CREATE TABLE users (
     username TEXT PRIMARY KEY,
     password_hash TEXT NOT NULL,
     is_admin INTEGER NOT NULL,
     created_at TEXT NOT NULL
   );`,
  `ALTER TABLE users ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
   CREATE TABLE api_tokens (
     token_id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL,
     principal_id TEXT NOT NULL,
     principal TEXT NOT NULL,
     description TEXT NOT NULL,
     kind TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   );
   CREATE INDEX api_tokens_by_principal ON api_tokens(principal_id);`,
  // An OIDC sign-in, and the tokens minted under it (they end with it).
  `CREATE TABLE oidc_sessions (
     session_id TEXT PRIMARY KEY,
     subject TEXT NOT NULL,
     principal_id TEXT NOT NULL,
     principal TEXT NOT NULL,
     refresh_token TEXT,
     access_token TEXT,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     checked_at TEXT NOT NULL,
     ended_at TEXT
   );
   ALTER TABLE api_tokens ADD COLUMN session_id TEXT REFERENCES oidc_sessions(session_id);
   CREATE INDEX api_tokens_by_session ON api_tokens(session_id);`,
  // Registration tokens are exchanged once for an agent credential (docs/tunnel-protocol.md §2).
  `ALTER TABLE registration_tokens ADD COLUMN used_at TEXT;
   CREATE TABLE agent_credentials (
     cluster_id TEXT NOT NULL REFERENCES clusters(cluster_id) ON DELETE CASCADE,
     secret_hash TEXT NOT NULL,
     created_at TEXT NOT NULL,
     retired_at TEXT,
     grace_until TEXT,
     PRIMARY KEY (cluster_id, secret_hash)
   );`,
  // Access control across the fleet (docs/access-control.md): custom role templates and global
  // roles (the built-in ones live in code), projects and their namespaces, memberships with
  // the status their cluster's controller reports, and who holds which global role.
  `CREATE TABLE role_templates (
     template_id TEXT PRIMARY KEY,
     context TEXT NOT NULL,
     description TEXT NOT NULL,
     rules TEXT NOT NULL,
     includes TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE projects (
     project_id TEXT PRIMARY KEY,
     cluster_id TEXT NOT NULL REFERENCES clusters(cluster_id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     UNIQUE (cluster_id, name)
   );
   CREATE TABLE project_namespaces (
     cluster_id TEXT NOT NULL,
     namespace TEXT NOT NULL,
     project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,
     PRIMARY KEY (cluster_id, namespace)
   );
   CREATE INDEX project_namespaces_by_project ON project_namespaces(project_id);
   CREATE TABLE memberships (
     membership_id TEXT PRIMARY KEY,
     cluster_id TEXT NOT NULL REFERENCES clusters(cluster_id) ON DELETE CASCADE,
     project_id TEXT REFERENCES projects(project_id) ON DELETE CASCADE,
     subject_kind TEXT NOT NULL,
     subject_name TEXT NOT NULL,
     template_id TEXT NOT NULL,
     created_at TEXT NOT NULL,
     status_state TEXT NOT NULL,
     status_message TEXT NOT NULL,
     status_at TEXT NOT NULL
   );
   CREATE UNIQUE INDEX memberships_unique
     ON memberships(cluster_id, COALESCE(project_id, ''), subject_kind, subject_name, template_id);
   CREATE INDEX memberships_by_template ON memberships(template_id);
   CREATE TABLE global_roles (
     global_role_id TEXT PRIMARY KEY,
     description TEXT NOT NULL,
     permissions TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE global_role_grants (
     grant_id TEXT PRIMARY KEY,
     global_role_id TEXT NOT NULL,
     subject_kind TEXT NOT NULL,
     subject_name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     UNIQUE (global_role_id, subject_kind, subject_name)
   );`,
];

/** The gateway's embedded store: one SQLite file under the data directory. */
export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(join(dataDir, 'fleetgate.db'));
  // synchronous = FULL: a commit is on disk before it is answered (withoutWaitingForDisk
  // relaxes this for writes that need not survive a power cut).
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  migrate(db);
  return db;
}

/**
 * Runs writes that need not survive a power cut (state the gateway learns again after any
 * restart, such as which agents are connected) without waiting for the disk: an fsync per
 * commit costs about 1.5 ms of blocked event loop, and thousands of agents reconnecting or
 * being health-checked make thousands of such writes. With WAL, synchronous = NORMAL never
 * corrupts the file; a power cut may only lose the last of these commits.
 */
export function withoutWaitingForDisk<T>(db: DatabaseSync, write: () => T): T {
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}

function migrate(db: DatabaseSync): void {
  const { user_version: applied } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `the data directory was written by a newer gateway (schema ${applied}, this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let step = applied; step < MIGRATIONS.length; step++) {
    db.exec('BEGIN');
    try {
      db.exec(MIGRATIONS[step] as string);
      db.exec(`PRAGMA user_version = ${step + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
