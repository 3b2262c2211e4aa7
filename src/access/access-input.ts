import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Project, Subject, TemplateContext } from './access-model.ts';

/** Bounds of the access API's input. */
export const ACCESS_INPUT_LIMITS = {
  namespacesPerCall: 64,
  namespacesPerProject: 256,
  permissions: 32,
  projectsPerCluster: 500,
  /**
   * Namespaces held by all the projects of one cluster together, in either store: with the
   * management cluster they share one object, which holds at most about 1.5 MiB (at this
   * bound, with names of 63 characters, about 1 MiB).
   */
  namespacesPerCluster: 16_000,
  membershipsPerCluster: 10_000,
  customTemplates: 500,
  customGlobalRoles: 200,
  globalRoleGrants: 10_000,
} as const;

/** Refuses a write that would take a collection past its bound. */
export function checkRoom(what: string, count: number, limit: number): void {
  if (count >= limit) throw new GatewayError('BAD_USER_INPUT', `at most ${limit} ${what}`);
}

/** Refuses the projects of one cluster that hold more namespaces together than either store keeps. */
export function checkClusterNamespaces(projects: readonly Project[]): void {
  const limit = ACCESS_INPUT_LIMITS.namespacesPerCluster;
  const total = projects.reduce((sum, project) => sum + project.namespaces.length, 0);
  if (total > limit)
    throw new GatewayError(
      'BAD_USER_INPUT',
      `the projects of a cluster hold at most ${limit} namespaces together`,
    );
}

const LOCAL_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
// What an identity provider may call someone: printable ASCII without spaces, as a header carries it.
const OIDC_NAME = /^[\x21-\x7e]{1,256}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ROLE_ID = DNS_LABEL;
/** Namespaces no project may hold: the cluster's own and the agent's. */
const RESERVED_NAMESPACE = /^(kube-.*|fleetgate-system)$/;

function bad(message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message);
}

const shown = (value: string) => JSON.stringify(value.slice(0, 64));

/**
 * A subject from outside: `User` or `Group`, named as downstream (`local:alice`,
 * `oidc:alice@example.com`, `local:developers`); the provider prefix is required.
 */
export function parseSubject(
  kind: string,
  name: string,
): Subject & { provider: 'local' | 'oidc'; bareName: string } {
  if (kind !== 'User' && kind !== 'Group')
    throw bad(`subject kind must be User or Group, not ${shown(kind)}`);
  const colon = name.indexOf(':');
  const provider = name.slice(0, colon);
  const bareName = name.slice(colon + 1);
  if (colon < 0 || (provider !== 'local' && provider !== 'oidc'))
    throw bad(`subject ${shown(name)}: name people and groups as downstream, local:<name> or oidc:<name>`);
  if (!(provider === 'local' ? LOCAL_NAME : OIDC_NAME).test(bareName))
    throw bad(`subject ${shown(name)} is not a valid ${provider} ${kind === 'User' ? 'user' : 'group'} name`);
  return { kind, name, provider, bareName };
}

/** A namespace a project may hold: a DNS label, not the cluster's own nor the agent's. */
export function checkNamespace(namespace: string): void {
  if (!DNS_LABEL.test(namespace)) throw bad(`namespace ${shown(namespace)} is not a valid namespace name`);
  if (RESERVED_NAMESPACE.test(namespace)) throw bad(`namespace ${namespace} cannot belong to a project`);
}

/** A bounded list of distinct, valid namespaces. */
export function parseNamespaces(namespaces: readonly string[]): string[] {
  if (namespaces.length > ACCESS_INPUT_LIMITS.namespacesPerCall)
    throw bad(`at most ${ACCESS_INPUT_LIMITS.namespacesPerCall} namespaces at a time`);
  for (const namespace of namespaces) checkNamespace(namespace);
  return [...new Set(namespaces)];
}

/** A project name: a DNS label. */
export function checkProjectName(name: string): void {
  if (!DNS_LABEL.test(name))
    throw bad(
      `project name ${shown(name)}: 1-63 lower-case letters, digits or dashes, starting and ending alphanumeric`,
    );
}

/** A custom global role's id: a DNS label. */
export function checkGlobalRoleId(globalRoleId: string): void {
  if (!ROLE_ID.test(globalRoleId))
    throw bad(`global role id ${shown(globalRoleId)}: 1-63 lower-case letters, digits or dashes`);
}

/** A template context from outside. */
export function parseContext(value: string): TemplateContext {
  if (value !== 'cluster' && value !== 'project') throw bad(`template context must be cluster or project`);
  return value;
}

/** A description: at most 512 characters. */
export function checkDescription(description: string): void {
  if (description.length > 512) throw bad('descriptions are at most 512 characters');
}

/** A fresh id with a prefix: `m-` memberships, `p-` projects, `g-` grants. */
export function newAccessId(prefix: 'm' | 'p' | 'g'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
