import type {
  GlobalRole,
  GlobalRoleGrant,
  Membership,
  MembershipStatus,
  PolicyRule,
  Project,
  RoleTemplate,
  Subject,
} from '../access/access-model.ts';
import type { KubeObject } from '../kube/objects.ts';
import { ACCESS_KINDS } from './access-crds.ts';
import { GROUP_VERSION } from './crds.ts';

/** The projects of one cluster, as one object holds them. */
export interface ClusterProjects {
  readonly clusterId: string;
  readonly projects: readonly Project[];
}

type Spec = Record<string, unknown>;
const specOf = (object: KubeObject): Spec | undefined => (object as { spec?: Spec }).spec;
const isString = (value: unknown): value is string => typeof value === 'string';
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every(isString) ? [...value] : undefined;

function subjectOf(value: unknown): Subject | undefined {
  const subject = value as { kind?: unknown; name?: unknown } | undefined;
  if ((subject?.kind !== 'User' && subject?.kind !== 'Group') || !isString(subject.name)) return undefined;
  return { kind: subject.kind, name: subject.name };
}

function object(kind: { kind: string }, name: string, spec: Spec, status?: Spec): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: kind.kind,
    metadata: { name },
    spec,
    ...(status ? { status } : {}),
  } as KubeObject;
}

/** A FleetgateRoleTemplate (named by its template id). */
export function encodeTemplate(template: RoleTemplate, at: string): KubeObject {
  return object(ACCESS_KINDS.roleTemplate, template.templateId, {
    templateId: template.templateId,
    context: template.context,
    description: template.description,
    rules: template.rules,
    includes: template.includes,
    updatedAt: at,
  });
}

/** A FleetgateRoleTemplate as a template; undefined when malformed. */
export function decodeTemplate(o: KubeObject): RoleTemplate | undefined {
  const spec = specOf(o);
  const includes = strings(spec?.includes);
  if (!spec || !isString(spec.templateId) || !includes || !Array.isArray(spec.rules)) return undefined;
  if (spec.context !== 'cluster' && spec.context !== 'project') return undefined;
  return {
    templateId: spec.templateId,
    context: spec.context,
    description: isString(spec.description) ? spec.description : '',
    rules: spec.rules as PolicyRule[],
    includes,
    builtIn: false,
  };
}

/** A FleetgateGlobalRole (named by its id). */
export function encodeGlobalRole(role: GlobalRole, at: string): KubeObject {
  return object(ACCESS_KINDS.globalRole, role.globalRoleId, {
    globalRoleId: role.globalRoleId,
    description: role.description,
    permissions: role.permissions,
    createdAt: at,
  });
}

/** A FleetgateGlobalRole as a role; undefined when malformed. */
export function decodeGlobalRole(o: KubeObject): GlobalRole | undefined {
  const spec = specOf(o);
  const permissions = strings(spec?.permissions);
  if (!spec || !isString(spec.globalRoleId) || !permissions) return undefined;
  return {
    globalRoleId: spec.globalRoleId,
    description: isString(spec.description) ? spec.description : '',
    permissions,
    builtIn: false,
  };
}

/** A FleetgateGlobalRoleGrant (named by its grant id). */
export function encodeGrant(grant: GlobalRoleGrant): KubeObject {
  return object(ACCESS_KINDS.globalRoleGrant, grant.grantId, { ...grant, subject: { ...grant.subject } });
}

/** A FleetgateGlobalRoleGrant as a grant; undefined when malformed. */
export function decodeGrant(o: KubeObject): GlobalRoleGrant | undefined {
  const spec = specOf(o);
  const subject = subjectOf(spec?.subject);
  if (
    !spec ||
    !subject ||
    !isString(spec.grantId) ||
    !isString(spec.globalRoleId) ||
    !isString(spec.createdAt)
  )
    return undefined;
  return { grantId: spec.grantId, globalRoleId: spec.globalRoleId, subject, createdAt: spec.createdAt };
}

/** The FleetgateClusterProjects of a cluster: named by the cluster's id, so there is one. */
export function encodeClusterProjects(clusterId: string, projects: readonly Project[]): KubeObject {
  return object(ACCESS_KINDS.clusterProjects, clusterId, {
    clusterId,
    projects: projects.map((p) => ({
      projectId: p.projectId,
      name: p.name,
      namespaces: [...p.namespaces],
      createdAt: p.createdAt,
    })),
  });
}

/** A FleetgateClusterProjects as a cluster's projects; undefined when malformed. */
export function decodeClusterProjects(o: KubeObject): ClusterProjects | undefined {
  const spec = specOf(o);
  if (!spec || !isString(spec.clusterId) || !Array.isArray(spec.projects)) return undefined;
  const clusterId = spec.clusterId;
  const projects: Project[] = [];
  for (const item of spec.projects as Spec[]) {
    const namespaces = strings(item?.namespaces);
    if (!isString(item?.projectId) || !isString(item.name) || !isString(item.createdAt) || !namespaces)
      return undefined;
    projects.push({
      projectId: item.projectId,
      clusterId,
      name: item.name,
      namespaces,
      createdAt: item.createdAt,
    });
  }
  return { clusterId, projects };
}

/** A FleetgateMembership (named by its membership id); the controller's status beside it. */
export function encodeMembership(m: Membership): KubeObject {
  return object(
    ACCESS_KINDS.membership,
    m.membershipId,
    {
      membershipId: m.membershipId,
      clusterId: m.clusterId,
      projectId: m.projectId,
      subject: { ...m.subject },
      templateId: m.templateId,
      createdAt: m.createdAt,
    },
    { ...m.status },
  );
}

/** A FleetgateMembership as a membership; undefined when malformed. */
export function decodeMembership(o: KubeObject): Membership | undefined {
  const spec = specOf(o);
  const subject = subjectOf(spec?.subject);
  if (
    !spec ||
    !subject ||
    !isString(spec.membershipId) ||
    !isString(spec.clusterId) ||
    !isString(spec.templateId) ||
    !isString(spec.createdAt) ||
    (spec.projectId !== null && spec.projectId !== undefined && !isString(spec.projectId))
  )
    return undefined;
  const status = (o as { status?: Partial<MembershipStatus> }).status;
  const state = status?.state === 'Applied' || status?.state === 'Error' ? status.state : 'Pending';
  return {
    membershipId: spec.membershipId,
    clusterId: spec.clusterId,
    projectId: isString(spec.projectId) ? spec.projectId : null,
    subject,
    templateId: spec.templateId,
    createdAt: spec.createdAt,
    status: {
      state,
      message: isString(status?.message) ? status.message : '',
      at: isString(status?.at) ? status.at : spec.createdAt,
    },
  };
}
