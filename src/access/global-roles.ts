import type { Principal } from '../auth/principal.ts';
import type { GlobalRole, GlobalRoleGrant, Subject } from './access-model.ts';

/** The gateway permissions a global role may hold (docs/access-control.md, "Global roles"). */
export const GATEWAY_PERMISSIONS = [
  'clusters:use',
  'memberships:manage',
  'projects:manage',
  'templates:manage',
  'global-roles:manage',
  'access:explain',
] as const;

/** One of GATEWAY_PERMISSIONS. */
export type GatewayPermission = (typeof GATEWAY_PERMISSIONS)[number];

/** The roles every gateway has; they cannot be changed or deleted. */
export const BUILT_IN_GLOBAL_ROLES: readonly GlobalRole[] = [
  {
    globalRoleId: 'administrator',
    description: 'Every gateway permission; gateway administrators hold it always.',
    permissions: [...GATEWAY_PERMISSIONS],
    builtIn: true,
  },
  {
    globalRoleId: 'standard-user',
    description: 'Uses the clusters one is a member of; everyone signed in holds it.',
    permissions: ['clusters:use'],
    builtIn: true,
  },
];

/** Whether a permission name is one of the gateway's. */
export function isGatewayPermission(value: string): value is GatewayPermission {
  return (GATEWAY_PERMISSIONS as readonly string[]).includes(value);
}

/** The downstream user and group names a person is known by, as subjects match them. */
export function subjectNamesOf(principal: Principal): { user: string; groups: ReadonlySet<string> } {
  return {
    user: `${principal.provider}:${principal.name}`,
    groups: new Set(principal.groups.map((group) => `${principal.provider}:${group}`)),
  };
}

/** Whether a subject names this person, or one of their groups. */
export function subjectMatches(subject: Subject, principal: Principal): boolean {
  const names = subjectNamesOf(principal);
  return subject.kind === 'User' ? subject.name === names.user : names.groups.has(subject.name);
}

/**
 * The permissions a person holds: every permission for a gateway administrator, else
 * `standard-user`'s and those of every global role granted to them or to one of their groups.
 */
export function permissionsOf(
  principal: Principal,
  grants: readonly GlobalRoleGrant[],
  roles: ReadonlyMap<string, GlobalRole>,
): ReadonlySet<GatewayPermission> {
  if (principal.isAdmin) return new Set(GATEWAY_PERMISSIONS);
  const held = new Set<GatewayPermission>(['clusters:use']);
  for (const grant of grants) {
    if (!subjectMatches(grant.subject, principal)) continue;
    for (const permission of roles.get(grant.globalRoleId)?.permissions ?? [])
      if (isGatewayPermission(permission)) held.add(permission);
  }
  return held;
}
