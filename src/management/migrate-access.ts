import type { DatabaseSync } from 'node:sqlite';
import { AccessRepository } from '../access/access-repository.ts';
import { ACCESS_KINDS } from './access-crds.ts';
import {
  encodeClusterProjects,
  encodeGlobalRole,
  encodeGrant,
  encodeMembership,
  encodeTemplate,
} from './access-records.ts';
import { KINDS } from './crds.ts';
import { grantKey, ownedByCluster } from './kube-access-store.ts';
import type { PutObject } from './migrate-store.ts';
import { claimObject } from './name-claims.ts';

/** A time column of the SQLite store by id: the objects carry the times they were made with. */
function timesOf(db: DatabaseSync, sql: string): Map<string, string> {
  const rows = db.prepare(sql).all() as { id: string; at: string }[];
  return new Map(rows.map((row) => [row.id, row.at]));
}

/**
 * Copies the access policy of a SQLite store (docs/access-control.md): custom role templates,
 * custom global roles and their grants, each cluster's projects, and memberships with their
 * claims (docs/replicas.md §2). A cluster's projects and memberships get an ownerReference to
 * its FleetgateCluster, as a replica writes them. Every object carries the times of the
 * SQLite rows, so a second run finds the same content and changes nothing.
 */
export async function migrateAccessPolicy(
  db: DatabaseSync,
  put: PutObject,
  ours: (plural: string) => string,
  clusterUid: (clusterId: string) => string | undefined,
): Promise<void> {
  const access = new AccessRepository(db);
  const templateTimes = timesOf(db, 'SELECT template_id AS id, updated_at AS at FROM role_templates');
  for (const template of access.customTemplates())
    await put(
      'roleTemplates',
      ours(ACCESS_KINDS.roleTemplate.plural),
      encodeTemplate(template, templateTimes.get(template.templateId) ?? ''),
    );
  const roleTimes = timesOf(db, 'SELECT global_role_id AS id, created_at AS at FROM global_roles');
  for (const role of access.customGlobalRoles())
    await put(
      'globalRoles',
      ours(ACCESS_KINDS.globalRole.plural),
      encodeGlobalRole(role, roleTimes.get(role.globalRoleId) ?? ''),
    );
  for (const grant of access.grants())
    await put('globalRoleGrants', ours(ACCESS_KINDS.globalRoleGrant.plural), encodeGrant(grant));
  const clusterIds = new Set(access.projects().map((project) => project.clusterId));
  for (const clusterId of clusterIds)
    await put(
      'clusterProjects',
      ours(ACCESS_KINDS.clusterProjects.plural),
      ownedByCluster(
        encodeClusterProjects(clusterId, access.projects(clusterId)),
        clusterId,
        clusterUid(clusterId),
      ),
    );
  for (const membership of access.memberships()) {
    const { clusterId, membershipId } = membership;
    const stored = await put(
      'memberships',
      ours(ACCESS_KINDS.membership.plural),
      ownedByCluster(encodeMembership(membership), clusterId, clusterUid(clusterId)),
    );
    await put(
      'claims',
      ours(KINDS.claim.plural),
      claimObject('membership', grantKey(membership), {
        kind: ACCESS_KINDS.membership.kind,
        name: membershipId,
        uid: stored.metadata?.uid ?? '',
      }),
    );
  }
}
