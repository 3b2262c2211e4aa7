import { EventEmitter } from 'node:events';
import type { AuditLog } from '../audit/audit-log.ts';
import { type LocalUsers, localPrincipal } from '../auth/local-users.ts';
import type { Principal } from '../auth/principal.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseSubject } from './access-input.ts';
import type {
  GlobalRole,
  GlobalRoleGrant,
  Membership,
  Project,
  RoleTemplate,
  Subject,
} from './access-model.ts';
import type { AccessStore } from './access-repository.ts';
import { visibleGrants, visibleMemberships, visibleProjects } from './access-visibility.ts';
import {
  BUILT_IN_GLOBAL_ROLES,
  type GatewayPermission,
  permissionsOf,
  subjectMatches,
} from './global-roles.ts';
import { MembershipChanges, type MembershipInput } from './membership-changes.ts';
import { ProjectChanges } from './project-changes.ts';
import { RoleDefinitions } from './role-definitions.ts';
import { BUILT_IN_TEMPLATES, includesTemplate, OWNER_TEMPLATES } from './role-templates.ts';

export interface AccessServiceOptions {
  readonly store: AccessStore;
  readonly registry: ClusterRegistry;
  readonly users: LocalUsers;
  /** Every change is recorded here, refused ones too. */
  readonly audit: AuditLog;
  readonly clock?: () => Date;
}

/**
 * The access policy (docs/access-control.md) behind GraphQL and REST alike: each surface
 * parses its input and calls this. It answers who holds what and who owns what; the changes
 * live beside it by concern (project-changes.ts, membership-changes.ts, role-definitions.ts).
 * Every change is checked whole before anything is written, written as one write of the
 * store (a project change is checked again against the cluster's projects as the write
 * replaces them: docs/replicas.md §2), audited, and announced with `changed` (the cluster it
 * touches, or undefined for all) for the controllers.
 */
export class AccessService extends EventEmitter<{ changed: [clusterId: string | undefined] }> {
  readonly #store: AccessStore;
  readonly #options: AccessServiceOptions;
  readonly #clock: () => Date;

  constructor(options: AccessServiceOptions) {
    super();
    this.#options = options;
    this.#store = options.store;
    this.#clock = options.clock ?? (() => new Date());
    // Policy written through another replica reaches this one's controllers the same way.
    options.store.onChangedElsewhere?.((clusterId) => this.emit('changed', clusterId));
  }

  /** Changes to custom role templates, global roles and their grants. */
  readonly definitions: RoleDefinitions = new RoleDefinitions(this);

  /** The store, for the controllers and the explain query. */
  get store(): AccessStore {
    return this.#store;
  }

  /** Now, as stored. */
  now(): string {
    return this.#clock().toISOString();
  }

  /** The audit log every change is recorded in, refused ones too. */
  get audit(): AuditLog {
    return this.#options.audit;
  }

  /** Every template by id: the built-ins and the custom ones. */
  templates(): Map<string, RoleTemplate> {
    const all = new Map(BUILT_IN_TEMPLATES.map((t) => [t.templateId, t]));
    for (const template of this.#store.customTemplates()) all.set(template.templateId, template);
    return all;
  }

  globalRoles(): Map<string, GlobalRole> {
    const all = new Map(BUILT_IN_GLOBAL_ROLES.map((r) => [r.globalRoleId, r]));
    for (const role of this.#store.customGlobalRoles()) all.set(role.globalRoleId, role);
    return all;
  }

  /** The gateway permissions a person holds. */
  permissionsOf(principal: Principal): ReadonlySet<GatewayPermission> {
    return permissionsOf(principal, this.#store.grants(), this.globalRoles());
  }

  /** Whether a person holds a permission. */
  may(principal: Principal, permission: GatewayPermission): boolean {
    return this.permissionsOf(principal).has(permission);
  }

  /** Refuses a person without a permission (FORBIDDEN). */
  requirePermission(principal: Principal, permission: GatewayPermission): void {
    if (!this.may(principal, permission))
      throw new GatewayError('FORBIDDEN', `this needs the gateway permission ${permission}`);
  }

  /** Whether a person owns a cluster (a cluster membership whose template is or includes cluster-owner). */
  ownsCluster(principal: Principal, clusterId: string): boolean {
    const templates = this.templates();
    return this.#store
      .memberships({ clusterId })
      .some(
        (m) =>
          m.projectId === null &&
          subjectMatches(m.subject, principal) &&
          includesTemplate(m.templateId, OWNER_TEMPLATES.cluster, templates),
      );
  }

  /** Whether a person owns a project: its cluster's owner, or a project-owner member of it. */
  ownsProject(principal: Principal, project: Project): boolean {
    if (this.ownsCluster(principal, project.clusterId)) return true;
    const templates = this.templates();
    return this.#store
      .memberships({ clusterId: project.clusterId })
      .some(
        (m) =>
          m.projectId === project.projectId &&
          subjectMatches(m.subject, principal) &&
          includesTemplate(m.templateId, OWNER_TEMPLATES.project, templates),
      );
  }

  /** Refuses a cluster the registry does not know (CLUSTER_NOT_FOUND). */
  requireCluster(clusterId: string): void {
    if (!this.#options.registry.get(clusterId))
      throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
  }

  /** A project, or NOT_FOUND. */
  project(projectId: string): Project {
    const project = this.#store.project(projectId);
    if (!project) throw new GatewayError('NOT_FOUND', `no project ${projectId.slice(0, 64)}`);
    return project;
  }

  /** A subject the gateway knows: a local user who exists, an OIDC user who signed in once, any valid group. */
  knownSubject(kind: string, name: string): Subject {
    const subject = parseSubject(kind, name);
    if (subject.kind === 'User') this.knownPerson(subject.name);
    return { kind: subject.kind, name: subject.name };
  }

  /**
   * A person by downstream user name, as the gateway knows them: a local user, or an OIDC
   * user as they last signed in; NOT_FOUND otherwise.
   */
  knownPerson(subjectName: string): Principal {
    const subject = parseSubject('User', subjectName);
    const user = subject.provider === 'local' ? this.#options.users.get(subject.bareName) : undefined;
    const person = user
      ? localPrincipal(user)
      : subject.provider === 'oidc'
        ? this.#store.oidcPrincipal(subject.bareName)
        : undefined;
    if (!person)
      throw new GatewayError('NOT_FOUND', `no person ${subject.name.slice(0, 256)} is known to the gateway`);
    return person;
  }

  // ---- projects (project-changes.ts) ----

  readonly #projects: ProjectChanges = new ProjectChanges(this);

  createProject(
    caller: Principal,
    input: { clusterId: string; name: string; namespaces?: readonly string[] },
  ): Promise<Project> {
    return this.#projects.create(caller, input);
  }

  /** Adds namespaces to a project: projects:manage or the cluster's owner (a project owner could claim kube-system-like namespaces of others). */
  addProjectNamespaces(
    caller: Principal,
    projectId: string,
    namespaces: readonly string[],
  ): Promise<Project> {
    return this.#projects.addNamespaces(caller, projectId, namespaces);
  }

  removeProjectNamespaces(
    caller: Principal,
    projectId: string,
    namespaces: readonly string[],
  ): Promise<Project> {
    return this.#projects.removeNamespaces(caller, projectId, namespaces);
  }

  /** Records a namespace the gateway has just created for the project (project-namespaces.ts). */
  claimCreatedNamespace(project: Project, namespace: string): Promise<Project> {
    return this.#projects.claimCreated(project, namespace);
  }

  /** Deletes a project and its memberships; its namespaces stay, without the project label. */
  deleteProject(caller: Principal, projectId: string): Promise<boolean> {
    return this.#projects.delete(caller, projectId);
  }

  // ---- memberships (membership-changes.ts) and who sees what (access-visibility.ts) ----

  readonly #memberships: MembershipChanges = new MembershipChanges(this);

  memberships(filter: { clusterId?: string; projectId?: string } = {}): Membership[] {
    const all = this.#store.memberships({ clusterId: filter.clusterId });
    return filter.projectId === undefined ? all : all.filter((m) => m.projectId === filter.projectId);
  }

  /** The memberships a person may see (access-visibility.ts). */
  visibleMemberships(
    caller: Principal,
    filter: { clusterId?: string; projectId?: string } = {},
  ): Membership[] {
    return visibleMemberships(this, caller, filter);
  }

  /** The projects a person may see (access-visibility.ts). */
  visibleProjects(caller: Principal, clusterId?: string): Project[] {
    return visibleProjects(this, caller, clusterId);
  }

  /** The global role grants a person may see (access-visibility.ts). */
  visibleGrants(caller: Principal): GlobalRoleGrant[] {
    return visibleGrants(this, caller);
  }

  addMembership(caller: Principal, input: MembershipInput): Promise<Membership> {
    return this.#memberships.add(caller, input);
  }

  removeMembership(caller: Principal, membershipId: string): Promise<boolean> {
    return this.#memberships.remove(caller, membershipId);
  }
}
