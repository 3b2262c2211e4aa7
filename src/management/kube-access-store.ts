import { checkClusterNamespaces } from '../access/access-input.ts';
import type {
  GlobalRole,
  GlobalRoleGrant,
  Membership,
  MembershipStatus,
  Project,
  RoleTemplate,
} from '../access/access-model.ts';
import type { AccessStore } from '../access/access-repository.ts';
import type { OidcSessionRecord } from '../auth/oidc-session-repository.ts';
import type { Principal } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject } from '../kube/objects.ts';
import { ACCESS_KINDS } from './access-crds.ts';
import {
  type ClusterProjects,
  decodeClusterProjects,
  encodeClusterProjects,
  encodeGlobalRole,
  encodeGrant,
  encodeMembership,
  encodeTemplate,
} from './access-records.ts';
import { GROUP_VERSION, KINDS } from './crds.ts';
import type { NameClaims } from './name-claims.ts';
import type { ResourceView } from './resource-view.ts';

/** The views the access policy is read from, one per kind (kubernetes-store.ts makes them). */
export interface AccessViews {
  readonly templates: ResourceView<RoleTemplate>;
  readonly globalRoles: ResourceView<GlobalRole>;
  readonly grants: ResourceView<GlobalRoleGrant>;
  readonly projects: ResourceView<ClusterProjects>;
  readonly memberships: ResourceView<Membership>;
  readonly oidcSessions: ResourceView<OidcSessionRecord>;
}

const byCreation = <T extends { createdAt: string }>(a: T, b: T, key: (x: T) => string) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : key(a) < key(b) ? -1 : 1;

/**
 * The access policy as custom resources of the management cluster (docs/replicas.md §2):
 * reads answer from the watch-fed views; every write settles once this replica's view
 * holds it. A cluster's projects are one object, so that a namespace claim is checked
 * against the very version it replaces (the write's resourceVersion precondition): of two
 * replicas claiming one namespace at once, the second write meets a 409, reads the first
 * one's result and is refused.
 */
export class KubeAccessStore implements AccessStore {
  readonly #views: AccessViews;
  readonly #claims: NameClaims;
  readonly #membershipsPath: string;
  readonly #clusterUid: (clusterId: string) => string | undefined;

  constructor(
    views: AccessViews,
    options: {
      /** Where what a membership grants is claimed: unique across replicas, not only in a view. */
      readonly claims: NameClaims;
      /** The FleetgateMemberships' collection (a claim's owner is looked up there). */
      readonly membershipsPath: string;
      /** The uid of a cluster's FleetgateCluster: its projects and memberships go with it. */
      readonly clusterUid: (clusterId: string) => string | undefined;
    },
  ) {
    this.#views = views;
    this.#claims = options.claims;
    this.#membershipsPath = options.membershipsPath;
    this.#clusterUid = options.clusterUid;
  }

  /**
   * Deletes a cluster's projects and memberships (SQLite's foreign keys do it there). Their
   * objects also carry an ownerReference to the cluster's, so the management cluster's
   * garbage collector removes them when a replica dies before it gets here.
   */
  async deleteClusterObjects(clusterId: string): Promise<void> {
    await this.#views.projects.delete(clusterId);
    for (const membership of this.memberships({ clusterId }))
      await this.deleteMembership(membership.membershipId);
  }

  /** The object with an ownerReference to its cluster's FleetgateCluster, when that is known. */
  #ownedByCluster(object: KubeObject, clusterId: string): KubeObject {
    return ownedByCluster(object, clusterId, this.#clusterUid(clusterId));
  }

  onChangedElsewhere(listener: (clusterId: string | undefined) => void): void {
    const everyCluster = () => listener(undefined);
    this.#views.templates.on('changedElsewhere', everyCluster);
    this.#views.projects.on('changedElsewhere', (clusterId) => listener(clusterId));
    this.#views.memberships.on('changedElsewhere', (_name, value, previous) => {
      // A status another replica recorded changes no RBAC.
      if (value && previous && sameGrant(value, previous)) return;
      const clusterId = value?.clusterId ?? previous?.clusterId;
      if (clusterId !== undefined) listener(clusterId);
    });
  }

  customTemplates(): RoleTemplate[] {
    return this.#views.templates.values().sort((a, b) => (a.templateId < b.templateId ? -1 : 1));
  }

  async putTemplate(template: RoleTemplate, at: string): Promise<void> {
    const object = encodeTemplate(template, at);
    const name = template.templateId;
    const replaced = await this.#views.templates.update(name, (current) => ({
      ...current,
      spec: object.spec,
    }));
    if (replaced === undefined && !this.#views.templates.get(name))
      await this.#views.templates.create(object);
  }

  deleteTemplate(templateId: string): Promise<boolean> {
    return this.#views.templates.delete(templateId);
  }

  projects(clusterId?: string): Project[] {
    const sets =
      clusterId === undefined
        ? this.#views.projects.values()
        : [this.#views.projects.get(clusterId)].filter((s) => s !== undefined);
    return sets
      .flatMap((set) => set.projects)
      .sort((a, b) =>
        a.clusterId !== b.clusterId ? (a.clusterId < b.clusterId ? -1 : 1) : a.name < b.name ? -1 : 1,
      );
  }

  project(projectId: string): Project | undefined {
    for (const set of this.#views.projects.values()) {
      const found = set.projects.find((p) => p.projectId === projectId);
      if (found) return found;
    }
    return undefined;
  }

  projectOfNamespace(clusterId: string, namespace: string): string | undefined {
    return this.#views.projects.get(clusterId)?.projects.find((p) => p.namespaces.includes(namespace))
      ?.projectId;
  }

  async changeProjects(
    clusterId: string,
    change: (projects: readonly Project[]) => Project[],
  ): Promise<void> {
    const view = this.#views.projects;
    const encode = (projects: readonly Project[]) => {
      // They share one object: the bound keeps it under the size the apiserver takes.
      checkClusterNamespaces(projects);
      return encodeClusterProjects(clusterId, projects);
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (view.get(clusterId)) {
        // Read-change-replace with the resourceVersion as precondition: on a 409 the view's
        // update reads the newer object and runs `change` (and so every check) again.
        const stored = await view.update(clusterId, (current: KubeObject) => {
          const set = decodeProjectsOf(clusterId, current);
          return this.#ownedByCluster({ ...current, spec: encode(change(set)).spec }, clusterId);
        });
        // Undefined: the object was deleted meanwhile (by hand); it is made again below.
        if (stored !== undefined) return;
      }
      try {
        // The first project of a cluster: the object's name is the cluster's, so of two
        // replicas creating it at once one gets CONFLICT and goes round again to update.
        await view.create(this.#ownedByCluster(encode(change([])), clusterId));
        return;
      } catch (error) {
        if (!(error instanceof GatewayError && error.code === 'CONFLICT')) throw error;
        await waitForView(() => view.get(clusterId) !== undefined);
      }
    }
    throw new GatewayError('CONFLICT', `the projects of cluster ${clusterId} kept changing; try again`);
  }

  memberships(filter: { clusterId?: string; templateId?: string } = {}): Membership[] {
    return this.#views.memberships
      .values()
      .filter(
        (m) =>
          (filter.clusterId === undefined || m.clusterId === filter.clusterId) &&
          (filter.templateId === undefined || m.templateId === filter.templateId),
      )
      .sort((a, b) => byCreation(a, b, (m) => m.membershipId));
  }

  membership(membershipId: string): Membership | undefined {
    return this.#views.memberships.get(membershipId);
  }

  sameMembership(m: Omit<Membership, 'membershipId' | 'createdAt' | 'status'>): string | undefined {
    return this.#views.memberships
      .values()
      .find(
        (o) =>
          o.clusterId === m.clusterId &&
          o.projectId === m.projectId &&
          o.subject.kind === m.subject.kind &&
          o.subject.name === m.subject.name &&
          o.templateId === m.templateId,
      )?.membershipId;
  }

  /**
   * Creates the membership's object, then claims what it grants (docs/replicas.md §2): of
   * two replicas adding the same grant at once, the second claim meets a 409 and its object
   * is deleted again.
   */
  async insertMembership(membership: Membership): Promise<void> {
    const view = this.#views.memberships;
    await view.create(this.#ownedByCluster(encodeMembership(membership), membership.clusterId));
    const uid = view.uidOf(membership.membershipId) ?? '';
    try {
      await this.#claims.claim('membership', grantKey(membership), {
        kind: ACCESS_KINDS.membership.kind,
        collectionPath: this.#membershipsPath,
        name: membership.membershipId,
        uid,
      });
    } catch (error) {
      await view.delete(membership.membershipId, uid);
      if (error instanceof GatewayError && error.code === 'CONFLICT')
        throw new GatewayError('CONFLICT', 'another membership grants this already', { cause: error });
      throw error;
    }
  }

  async deleteMembership(membershipId: string): Promise<boolean> {
    const membership = this.#views.memberships.get(membershipId);
    const deleted = await this.#views.memberships.delete(membershipId);
    if (deleted && membership) await this.#claims.release('membership', grantKey(membership), membershipId);
    return deleted;
  }

  async setStatuses(statuses: ReadonlyMap<string, MembershipStatus>): Promise<void> {
    // Only changed statuses come here (the controller compares first): one patch each.
    await Promise.all(
      [...statuses].map(([membershipId, status]) =>
        this.#views.memberships.patch(membershipId, { status }).catch((error: unknown) => {
          if (error instanceof GatewayError && error.code === 'RESOURCE_NOT_FOUND') return;
          throw error;
        }),
      ),
    );
  }

  customGlobalRoles(): GlobalRole[] {
    return this.#views.globalRoles.values().sort((a, b) => (a.globalRoleId < b.globalRoleId ? -1 : 1));
  }

  async putGlobalRole(role: GlobalRole, at: string): Promise<void> {
    const object = encodeGlobalRole(role, at);
    const replaced = await this.#views.globalRoles.update(role.globalRoleId, (current) => ({
      ...current,
      spec: object.spec,
    }));
    if (replaced === undefined && !this.#views.globalRoles.get(role.globalRoleId))
      await this.#views.globalRoles.create(object);
  }

  async deleteGlobalRole(globalRoleId: string): Promise<boolean> {
    const deleted = await this.#views.globalRoles.delete(globalRoleId);
    for (const grant of this.grants())
      if (grant.globalRoleId === globalRoleId) await this.#views.grants.delete(grant.grantId);
    return deleted;
  }

  grants(): GlobalRoleGrant[] {
    return this.#views.grants.values().sort((a, b) => byCreation(a, b, (g) => g.grantId));
  }

  async insertGrant(grant: GlobalRoleGrant): Promise<void> {
    await this.#views.grants.create(encodeGrant(grant));
  }

  deleteGrant(grantId: string): Promise<boolean> {
    return this.#views.grants.delete(grantId);
  }

  oidcPrincipal(name: string): Principal | undefined {
    let newest: OidcSessionRecord | undefined;
    for (const session of this.#views.oidcSessions.values())
      if (session.principal?.name === name && (!newest || session.checkedAt > newest.checkedAt))
        newest = session;
    return newest?.principal;
  }
}

/**
 * The object with an ownerReference to its cluster's FleetgateCluster (the garbage collector
 * removes it with the cluster), or as it is when the cluster's uid is unknown.
 */
export function ownedByCluster(object: KubeObject, clusterId: string, uid: string | undefined): KubeObject {
  if (!uid) return object;
  const ownerReferences = [{ apiVersion: GROUP_VERSION, kind: KINDS.cluster.kind, name: clusterId, uid }];
  return { ...object, metadata: { ...object.metadata, ownerReferences } };
}

/** The projects an object holds, refusing one that cannot be read (fail closed). */
function decodeProjectsOf(clusterId: string, object: KubeObject): readonly Project[] {
  const decoded = decodeClusterProjects(object);
  if (!decoded)
    throw new GatewayError('INTERNAL', `the projects object of cluster ${clusterId} is malformed`);
  return decoded.projects;
}

/** What a membership grants, as the key of its claim: no two memberships grant the same. */
export function grantKey(m: Membership): string {
  return JSON.stringify([m.clusterId, m.projectId, m.subject.kind, m.subject.name, m.templateId]);
}

function sameGrant(a: Membership, b: Membership): boolean {
  return (
    a.clusterId === b.clusterId &&
    a.projectId === b.projectId &&
    a.templateId === b.templateId &&
    a.subject.kind === b.subject.kind &&
    a.subject.name === b.subject.name
  );
}

/** Waits (briefly) for another replica's write to reach this replica's view. */
async function waitForView(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
