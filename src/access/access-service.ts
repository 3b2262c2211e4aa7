import { EventEmitter } from 'node:events';
import type { AuditLog } from '../audit/audit-log.ts';
import { type LocalUsers, localPrincipal } from '../auth/local-users.ts';
import type { Principal } from '../auth/principal.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import {
  ACCESS_INPUT_LIMITS,
  checkProjectName,
  checkRoom,
  newAccessId,
  parseNamespaces,
  parseSubject,
} from './access-input.ts';
import type {
  GlobalRole,
  GlobalRoleGrant,
  Membership,
  Project,
  RoleTemplate,
  Subject,
} from './access-model.ts';
import type { AccessStore } from './access-repository.ts';
import {
  BUILT_IN_GLOBAL_ROLES,
  type GatewayPermission,
  permissionsOf,
  subjectMatches,
} from './global-roles.ts';
import { RoleDefinitions } from './role-definitions.ts';
import { BUILT_IN_TEMPLATES, includesTemplate, OWNER_TEMPLATES } from './role-templates.ts';

/** A membership as asked for: in a cluster, or in a project (whose cluster it is). */
export interface MembershipInput {
  readonly clusterId?: string;
  readonly projectId?: string;
  readonly subjectKind: string;
  readonly subjectName: string;
  readonly templateId: string;
}

export interface AccessServiceOptions {
  readonly store: AccessStore;
  readonly registry: ClusterRegistry;
  readonly users: LocalUsers;
  /** Every change is recorded here, refused ones too. */
  readonly audit: AuditLog;
  readonly clock?: () => Date;
}

const PENDING_MESSAGE = "waiting for the cluster's controller";

/**
 * The access policy (docs/access-control.md) behind GraphQL and REST alike: each surface
 * parses its input and calls this. Every change is checked whole before anything is
 * written, written as one write of the store (a project change is checked again against
 * the cluster's projects as the write replaces them: docs/replicas.md §2), audited, and announced with `changed` (the cluster
 * it touches, or undefined for all) for the controllers.
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

  #cluster(clusterId: string): void {
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

  // ---- projects ----

  createProject(
    caller: Principal,
    input: { clusterId: string; name: string; namespaces?: readonly string[] },
  ): Promise<Project> {
    return this.audit.auditedBy(
      caller,
      'createProject',
      { clusterId: input.clusterId.slice(0, 64), target: input.name.slice(0, 64) },
      async () => {
        this.#cluster(input.clusterId);
        if (!this.may(caller, 'projects:manage') && !this.ownsCluster(caller, input.clusterId))
          throw new GatewayError(
            'FORBIDDEN',
            'creating a project needs projects:manage or ownership of its cluster',
          );
        checkProjectName(input.name);
        const namespaces = parseNamespaces(input.namespaces ?? []);
        const project: Project = {
          projectId: newAccessId('p'),
          clusterId: input.clusterId,
          name: input.name,
          namespaces,
          createdAt: this.now(),
        };
        await this.#store.changeProjects(project.clusterId, (projects) => {
          if (projects.some((p) => p.name === input.name))
            throw new GatewayError(
              'CONFLICT',
              `cluster ${input.clusterId} has a project ${input.name} already`,
            );
          claim(projects, project, namespaces);
          checkRoom('projects in a cluster', projects.length, ACCESS_INPUT_LIMITS.projectsPerCluster);
          return [...projects, project];
        });
        this.emit('changed', project.clusterId);
        return project;
      },
    );
  }

  /** Adds namespaces to a project: projects:manage or the cluster's owner (a project owner could claim kube-system-like namespaces of others). */
  addProjectNamespaces(
    caller: Principal,
    projectId: string,
    namespaces: readonly string[],
  ): Promise<Project> {
    return this.audit.auditedBy(
      caller,
      'addProjectNamespaces',
      { target: projectId.slice(0, 64) },
      async () => {
        const project = this.project(projectId);
        if (!this.may(caller, 'projects:manage') && !this.ownsCluster(caller, project.clusterId))
          throw new GatewayError(
            'FORBIDDEN',
            "adding namespaces needs projects:manage or ownership of the project's cluster",
          );
        const parsed = parseNamespaces(namespaces);
        await this.#addNamespaces(project, parsed);
        return this.project(projectId);
      },
    );
  }

  removeProjectNamespaces(
    caller: Principal,
    projectId: string,
    namespaces: readonly string[],
  ): Promise<Project> {
    return this.audit.auditedBy(
      caller,
      'removeProjectNamespaces',
      { target: projectId.slice(0, 64) },
      async () => {
        const project = this.project(projectId);
        if (!this.may(caller, 'projects:manage') && !this.ownsProject(caller, project))
          throw new GatewayError(
            'FORBIDDEN',
            'removing namespaces needs projects:manage or ownership of the project',
          );
        const removed = new Set(parseNamespaces(namespaces));
        await this.#store.changeProjects(project.clusterId, (projects) =>
          projects.map((p) =>
            p.projectId === projectId ? { ...p, namespaces: p.namespaces.filter((n) => !removed.has(n)) } : p,
          ),
        );
        this.emit('changed', project.clusterId);
        return this.project(projectId);
      },
    );
  }

  /** Records a namespace the gateway has just created for the project (project-namespaces.ts). */
  async claimCreatedNamespace(project: Project, namespace: string): Promise<Project> {
    await this.#addNamespaces(project, [namespace]);
    return this.project(project.projectId);
  }

  /** Adds namespaces no other project holds, as the write finds the cluster's projects. */
  async #addNamespaces(project: Project, namespaces: readonly string[]): Promise<void> {
    await this.#store.changeProjects(project.clusterId, (projects) => {
      const current = projects.find((p) => p.projectId === project.projectId);
      if (!current) throw new GatewayError('NOT_FOUND', `no project ${project.projectId}`);
      claim(projects, current, namespaces);
      const all = [...new Set([...current.namespaces, ...namespaces])].sort();
      return projects.map((p) => (p === current ? { ...p, namespaces: all } : p));
    });
    this.emit('changed', project.clusterId);
  }

  /** Deletes a project and its memberships; its namespaces stay, without the project label. */
  deleteProject(caller: Principal, projectId: string): Promise<boolean> {
    return this.audit.auditedBy(caller, 'deleteProject', { target: projectId.slice(0, 64) }, async () => {
      const project = this.project(projectId);
      if (!this.may(caller, 'projects:manage') && !this.ownsCluster(caller, project.clusterId))
        throw new GatewayError(
          'FORBIDDEN',
          'deleting a project needs projects:manage or ownership of its cluster',
        );
      await this.#store.changeProjects(project.clusterId, (projects) =>
        projects.filter((p) => p.projectId !== projectId),
      );
      // SQLite cascades; the management cluster does not: its memberships go one by one.
      for (const membership of this.#store.memberships({ clusterId: project.clusterId }))
        if (membership.projectId === projectId) await this.#store.deleteMembership(membership.membershipId);
      this.emit('changed', project.clusterId);
      return true;
    });
  }

  // ---- memberships ----

  memberships(filter: { clusterId?: string; projectId?: string } = {}): Membership[] {
    const all = this.#store.memberships({ clusterId: filter.clusterId });
    return filter.projectId === undefined ? all : all.filter((m) => m.projectId === filter.projectId);
  }

  /**
   * The memberships a person may see: every one with memberships:manage or access:explain;
   * otherwise their own (as a user or through a group) and those of the clusters and
   * projects they own. Who holds what elsewhere is not theirs to learn.
   */
  visibleMemberships(
    caller: Principal,
    filter: { clusterId?: string; projectId?: string } = {},
  ): Membership[] {
    const all = this.memberships(filter);
    if (this.may(caller, 'memberships:manage') || this.may(caller, 'access:explain')) return all;
    const ownedClusters = new Map<string, boolean>();
    const ownsClusterOf = (clusterId: string) => {
      if (!ownedClusters.has(clusterId)) ownedClusters.set(clusterId, this.ownsCluster(caller, clusterId));
      return ownedClusters.get(clusterId) === true;
    };
    const ownedProjects = new Map<string, boolean>();
    const ownsProjectOf = (projectId: string) => {
      if (!ownedProjects.has(projectId)) {
        const project = this.#store.project(projectId);
        ownedProjects.set(projectId, project !== undefined && this.ownsProject(caller, project));
      }
      return ownedProjects.get(projectId) === true;
    };
    return all.filter(
      (m) =>
        subjectMatches(m.subject, caller) ||
        ownsClusterOf(m.clusterId) ||
        (m.projectId !== null && ownsProjectOf(m.projectId)),
    );
  }

  /**
   * The projects a person may see: all with projects:manage, memberships:manage or
   * access:explain; otherwise those of clusters they own and those they hold a membership in.
   */
  visibleProjects(caller: Principal, clusterId?: string): Project[] {
    const all = this.#store.projects(clusterId);
    if (
      ['projects:manage', 'memberships:manage', 'access:explain'].some((p) =>
        this.may(caller, p as GatewayPermission),
      )
    )
      return all;
    const mine = new Set(
      this.#store
        .memberships({ clusterId })
        .filter((m) => m.projectId !== null && subjectMatches(m.subject, caller))
        .map((m) => m.projectId),
    );
    return all.filter(
      (project) => mine.has(project.projectId) || this.ownsCluster(caller, project.clusterId),
    );
  }

  /** The global role grants a person may see: all with global-roles:manage, else their own. */
  visibleGrants(caller: Principal): GlobalRoleGrant[] {
    const all = this.#store.grants();
    return this.may(caller, 'global-roles:manage')
      ? all
      : all.filter((g) => subjectMatches(g.subject, caller));
  }

  addMembership(caller: Principal, input: MembershipInput): Promise<Membership> {
    const where = input.projectId ?? input.clusterId ?? '';
    return this.audit.auditedBy(
      caller,
      'addMembership',
      {
        clusterId: input.clusterId?.slice(0, 64),
        target: `${where.slice(0, 64)}/${input.subjectName.slice(0, 256)}/${input.templateId.slice(0, 64)}`,
      },
      async () => {
        if ((input.clusterId === undefined) === (input.projectId === undefined))
          throw new GatewayError(
            'BAD_USER_INPUT',
            'a membership is in a cluster or in a project: give clusterId or projectId',
          );
        const project = input.projectId === undefined ? undefined : this.project(input.projectId);
        const clusterId = project?.clusterId ?? (input.clusterId as string);
        this.#cluster(clusterId);
        this.#mayChangeMemberships(caller, clusterId, project);
        const template = this.templates().get(input.templateId);
        if (!template) throw new GatewayError('NOT_FOUND', `no template ${input.templateId.slice(0, 64)}`);
        const scope = project ? 'project' : 'cluster';
        if (template.context !== scope)
          throw new GatewayError(
            'BAD_USER_INPUT',
            `template ${template.templateId} is a ${template.context} template; a ${scope} membership needs a ${scope} template`,
          );
        const subject = this.knownSubject(input.subjectKind, input.subjectName);
        const fields = {
          clusterId,
          projectId: project?.projectId ?? null,
          subject,
          templateId: template.templateId,
        };
        const existing = this.#store.sameMembership(fields);
        if (existing) throw new GatewayError('CONFLICT', `membership ${existing} grants this already`);
        const at = this.now();
        const membership: Membership = {
          membershipId: newAccessId('m'),
          ...fields,
          createdAt: at,
          status: { state: 'Pending', message: PENDING_MESSAGE, at },
        };
        checkRoom(
          'memberships in a cluster',
          this.#store.memberships({ clusterId }).length,
          ACCESS_INPUT_LIMITS.membershipsPerCluster,
        );
        await this.#store.insertMembership(membership);
        this.emit('changed', clusterId);
        return membership;
      },
    );
  }

  removeMembership(caller: Principal, membershipId: string): Promise<boolean> {
    return this.audit.auditedBy(
      caller,
      'removeMembership',
      { target: membershipId.slice(0, 64) },
      async () => {
        const membership = this.#store.membership(membershipId);
        if (!membership) throw new GatewayError('NOT_FOUND', `no membership ${membershipId.slice(0, 64)}`);
        const project = membership.projectId === null ? undefined : this.#store.project(membership.projectId);
        this.#mayChangeMemberships(caller, membership.clusterId, project);
        await this.#store.deleteMembership(membershipId);
        this.emit('changed', membership.clusterId);
        return true;
      },
    );
  }

  #mayChangeMemberships(caller: Principal, clusterId: string, project: Project | undefined): void {
    if (this.may(caller, 'memberships:manage')) return;
    if (project ? this.ownsProject(caller, project) : this.ownsCluster(caller, clusterId)) return;
    throw new GatewayError(
      'FORBIDDEN',
      `changing memberships here needs memberships:manage or ownership of the ${project ? 'project' : 'cluster'}`,
    );
  }
}

/** Refuses namespaces another project of `projects` holds (CONFLICT), and a project past its size. */
function claim(projects: readonly Project[], project: Project, namespaces: readonly string[]): void {
  for (const namespace of namespaces) {
    const holder = projects.find(
      (p) => p.projectId !== project.projectId && p.namespaces.includes(namespace),
    );
    if (holder)
      throw new GatewayError(
        'CONFLICT',
        `namespace ${namespace} belongs to project ${holder.projectId} already`,
      );
  }
  if (new Set([...project.namespaces, ...namespaces]).size > ACCESS_INPUT_LIMITS.namespacesPerProject)
    throw new GatewayError(
      'BAD_USER_INPUT',
      `a project holds at most ${ACCESS_INPUT_LIMITS.namespacesPerProject} namespaces`,
    );
}
