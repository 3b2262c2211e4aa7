import type { Principal } from '../auth/principal.ts';
import type { GlobalRoleGrant, Membership, Project } from './access-model.ts';
import type { AccessService } from './access-service.ts';
import { type GatewayPermission, subjectMatches } from './global-roles.ts';

// What of the policy a person may see: who holds what elsewhere is not theirs to learn.

/**
 * The memberships a person may see: every one with memberships:manage or access:explain;
 * otherwise their own (as a user or through a group) and those of the clusters and
 * projects they own. Who holds what elsewhere is not theirs to learn.
 */
export function visibleMemberships(
  service: AccessService,
  caller: Principal,
  filter: { clusterId?: string; projectId?: string } = {},
): Membership[] {
  const all = service.memberships(filter);
  if (service.may(caller, 'memberships:manage') || service.may(caller, 'access:explain')) return all;
  const ownedClusters = new Map<string, boolean>();
  const ownsClusterOf = (clusterId: string) => {
    if (!ownedClusters.has(clusterId)) ownedClusters.set(clusterId, service.ownsCluster(caller, clusterId));
    return ownedClusters.get(clusterId) === true;
  };
  const ownedProjects = new Map<string, boolean>();
  const ownsProjectOf = (projectId: string) => {
    if (!ownedProjects.has(projectId)) {
      const project = service.store.project(projectId);
      ownedProjects.set(projectId, project !== undefined && service.ownsProject(caller, project));
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
export function visibleProjects(service: AccessService, caller: Principal, clusterId?: string): Project[] {
  const all = service.store.projects(clusterId);
  if (
    ['projects:manage', 'memberships:manage', 'access:explain'].some((p) =>
      service.may(caller, p as GatewayPermission),
    )
  )
    return all;
  const mine = new Set(
    service.store
      .memberships({ clusterId })
      .filter((m) => m.projectId !== null && subjectMatches(m.subject, caller))
      .map((m) => m.projectId),
  );
  return all.filter(
    (project) => mine.has(project.projectId) || service.ownsCluster(caller, project.clusterId),
  );
}

/** The global role grants a person may see: all with global-roles:manage, else their own. */
export function visibleGrants(service: AccessService, caller: Principal): GlobalRoleGrant[] {
  const all = service.store.grants();
  return service.may(caller, 'global-roles:manage')
    ? all
    : all.filter((g) => subjectMatches(g.subject, caller));
}
