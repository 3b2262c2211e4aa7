import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import {
  ACCESS_INPUT_LIMITS,
  checkProjectName,
  checkRoom,
  newAccessId,
  parseNamespaces,
} from './access-input.ts';
import type { Project } from './access-model.ts';
import type { AccessService } from './access-service.ts';

/**
 * Changes to a cluster's projects (docs/access-control.md, "Projects"): checked whole,
 * written as one replacement of the cluster's projects (checked again against the projects
 * the write replaces: docs/replicas.md §2), audited, and announced to the cluster's controller.
 */
export class ProjectChanges {
  readonly #service: AccessService;

  constructor(service: AccessService) {
    this.#service = service;
  }

  create(
    caller: Principal,
    input: { clusterId: string; name: string; namespaces?: readonly string[] },
  ): Promise<Project> {
    return this.#service.audit.auditedBy(
      caller,
      'createProject',
      { clusterId: input.clusterId.slice(0, 64), target: input.name.slice(0, 64) },
      async () => {
        this.#service.requireCluster(input.clusterId);
        this.#requireProjectManager(caller, { clusterId: input.clusterId }, 'creating a project');
        checkProjectName(input.name);
        const namespaces = parseNamespaces(input.namespaces ?? []);
        const project: Project = {
          projectId: newAccessId('p'),
          clusterId: input.clusterId,
          name: input.name,
          namespaces,
          createdAt: this.#service.now(),
        };
        await this.#service.store.changeProjects(project.clusterId, (projects) => {
          if (projects.some((p) => p.name === input.name))
            throw new GatewayError(
              'CONFLICT',
              `cluster ${input.clusterId} has a project ${input.name} already`,
            );
          claim(projects, project, namespaces);
          checkRoom('projects in a cluster', projects.length, ACCESS_INPUT_LIMITS.projectsPerCluster);
          return [...projects, project];
        });
        this.#service.emit('changed', project.clusterId);
        return project;
      },
    );
  }

  /** Adds namespaces to a project: projects:manage or the cluster's owner (a project owner could claim kube-system-like namespaces of others). */
  addNamespaces(caller: Principal, projectId: string, namespaces: readonly string[]): Promise<Project> {
    return this.#service.audit.auditedBy(
      caller,
      'addProjectNamespaces',
      { target: projectId.slice(0, 64) },
      async () => {
        const project = this.#service.project(projectId);
        this.#requireProjectManager(caller, { clusterId: project.clusterId }, 'adding namespaces');
        const parsed = parseNamespaces(namespaces);
        await this.#addNamespaces(project, parsed);
        return this.#service.project(projectId);
      },
    );
  }

  removeNamespaces(caller: Principal, projectId: string, namespaces: readonly string[]): Promise<Project> {
    return this.#service.audit.auditedBy(
      caller,
      'removeProjectNamespaces',
      { target: projectId.slice(0, 64) },
      async () => {
        const project = this.#service.project(projectId);
        this.#requireProjectManager(caller, { project }, 'removing namespaces');
        const removed = new Set(parseNamespaces(namespaces));
        await this.#service.store.changeProjects(project.clusterId, (projects) =>
          projects.map((p) =>
            p.projectId === projectId ? { ...p, namespaces: p.namespaces.filter((n) => !removed.has(n)) } : p,
          ),
        );
        this.#service.emit('changed', project.clusterId);
        return this.#service.project(projectId);
      },
    );
  }

  /**
   * Refuses (FORBIDDEN) a caller who has neither projects:manage nor ownership of the
   * cluster, or, where a project's owners may also do `what`, of the project (its cluster's
   * owners included).
   */
  #requireProjectManager(
    caller: Principal,
    owned: { readonly clusterId: string } | { readonly project: Project },
    what: string,
  ): void {
    if (this.#service.may(caller, 'projects:manage')) return;
    if ('project' in owned) {
      if (this.#service.ownsProject(caller, owned.project)) return;
      throw new GatewayError('FORBIDDEN', `${what} needs projects:manage or ownership of the project`);
    }
    if (this.#service.ownsCluster(caller, owned.clusterId)) return;
    throw new GatewayError(
      'FORBIDDEN',
      `${what} needs projects:manage or ownership of the project's cluster`,
    );
  }

  /** Records a namespace the gateway has just created for the project (project-namespaces.ts). */
  async claimCreated(project: Project, namespace: string): Promise<Project> {
    await this.#addNamespaces(project, [namespace]);
    return this.#service.project(project.projectId);
  }

  /** Adds namespaces no other project holds, as the write finds the cluster's projects. */
  async #addNamespaces(project: Project, namespaces: readonly string[]): Promise<void> {
    await this.#service.store.changeProjects(project.clusterId, (projects) => {
      const current = projects.find((p) => p.projectId === project.projectId);
      if (!current) throw new GatewayError('NOT_FOUND', `no project ${project.projectId}`);
      claim(projects, current, namespaces);
      const all = [...new Set([...current.namespaces, ...namespaces])].sort();
      return projects.map((p) => (p === current ? { ...p, namespaces: all } : p));
    });
    this.#service.emit('changed', project.clusterId);
  }

  /** Deletes a project and its memberships; its namespaces stay, without the project label. */
  delete(caller: Principal, projectId: string): Promise<boolean> {
    return this.#service.audit.auditedBy(
      caller,
      'deleteProject',
      { target: projectId.slice(0, 64) },
      async () => {
        const project = this.#service.project(projectId);
        this.#requireProjectManager(caller, { clusterId: project.clusterId }, 'deleting a project');
        await this.#service.store.changeProjects(project.clusterId, (projects) =>
          projects.filter((p) => p.projectId !== projectId),
        );
        // SQLite cascades; the management cluster does not: its memberships go one by one.
        for (const membership of this.#service.store.memberships({ clusterId: project.clusterId }))
          if (membership.projectId === projectId)
            await this.#service.store.deleteMembership(membership.membershipId);
        this.#service.emit('changed', project.clusterId);
        return true;
      },
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
