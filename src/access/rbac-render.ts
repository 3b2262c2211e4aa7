import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/objects.ts';
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MEMBERSHIP_LABEL,
  type Membership,
  membershipBindingName,
  type PolicyRule,
  PROJECT_LABEL,
  type Project,
  type RoleTemplate,
  templateRoleName,
} from './access-model.ts';
import { effectiveRules } from './role-templates.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_V1 = `/apis/${RBAC_GROUP}/v1`;

/** The kinds the controllers write, and where each lives. */
export const MANAGED_KINDS = {
  ClusterRole: { apiVersion: `${RBAC_GROUP}/v1`, collection: `${RBAC_V1}/clusterroles` },
  ClusterRoleBinding: { apiVersion: `${RBAC_GROUP}/v1`, collection: `${RBAC_V1}/clusterrolebindings` },
  RoleBinding: { apiVersion: `${RBAC_GROUP}/v1`, collection: `${RBAC_V1}/rolebindings` },
  Namespace: { apiVersion: 'v1', collection: '/api/v1/namespaces' },
} as const;

/** One of MANAGED_KINDS. */
export type ManagedKind = keyof typeof MANAGED_KINDS;

/** One object the policy asks a cluster to hold, with the memberships it serves. */
export interface DesiredObject {
  /** `<kind>/<namespace>/<name>`: the same key as the observed object's. */
  readonly key: string;
  readonly kind: ManagedKind;
  /** Where a server-side apply of it goes. */
  readonly path: string;
  readonly object: KubeObject;
  readonly fingerprint: string;
  readonly membershipIds: readonly string[];
}

/** What the policy holds for one cluster: the input of a render. */
export interface ClusterPolicy {
  readonly memberships: readonly Membership[];
  readonly projects: readonly Project[];
  readonly templates: ReadonlyMap<string, RoleTemplate>;
}

/** The key an object (desired or observed) is compared under. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** Where a managed object of a kind lives (its own path, for apply and delete). */
export function objectPath(kind: ManagedKind, namespace: string | undefined, name: string): string {
  const encoded = encodeURIComponent(name);
  if (kind === 'RoleBinding')
    return `${RBAC_V1}/namespaces/${encodeURIComponent(namespace ?? '')}/rolebindings/${encoded}`;
  return `${MANAGED_KINDS[kind].collection}/${encoded}`;
}

const nonEmpty = (list: unknown): list is string[] => Array.isArray(list) && list.length > 0;

function normalRules(rules: unknown): object[] {
  if (!Array.isArray(rules)) return [];
  return rules.map((rule: Record<string, unknown>) => {
    const normal: Record<string, unknown> = {};
    for (const field of ['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs', 'verbs'])
      if (nonEmpty(rule[field])) normal[field] = rule[field];
    return normal;
  });
}

function normalSubjects(subjects: unknown): object[] {
  if (!Array.isArray(subjects)) return [];
  return subjects.map((subject: Record<string, unknown>) => ({
    kind: subject.kind,
    apiGroup: subject.apiGroup || (subject.kind === 'ServiceAccount' ? '' : RBAC_GROUP),
    name: subject.name,
    ...(subject.namespace ? { namespace: subject.namespace } : {}),
  }));
}

function ownedLabels(kind: string, labels: Record<string, string> | undefined): [string, string][] {
  const keys = kind === 'Namespace' ? [PROJECT_LABEL] : [MANAGED_BY_LABEL, MEMBERSHIP_LABEL];
  return keys.flatMap((key) => (labels?.[key] === undefined ? [] : [[key, labels[key] as string]]));
}

/**
 * A SHA-256 of the fields the controllers own in an object (kind, place, name, their
 * labels, rules or roleRef and subjects), the same for what they render and for what the
 * cluster answers when the two agree: equal fingerprints mean no write.
 */
export function fingerprintOf(object: KubeObject): string {
  const raw = object as KubeObject & {
    rules?: unknown;
    roleRef?: Record<string, unknown>;
    subjects?: unknown;
  };
  const kind = object.kind ?? '';
  const owned = {
    kind,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    labels: ownedLabels(kind, object.metadata?.labels),
    rules: kind === 'ClusterRole' ? normalRules(raw.rules) : undefined,
    roleRef: raw.roleRef
      ? { apiGroup: raw.roleRef.apiGroup, kind: raw.roleRef.kind, name: raw.roleRef.name }
      : undefined,
    subjects: kind.endsWith('Binding') ? normalSubjects(raw.subjects) : undefined,
  };
  return createHash('sha256').update(JSON.stringify(owned)).digest('base64url');
}

function desired(kind: ManagedKind, object: KubeObject, membershipIds: readonly string[]): DesiredObject {
  const name = object.metadata?.name as string;
  const namespace = object.metadata?.namespace;
  return {
    key: objectKey(kind, namespace, name),
    kind,
    path: objectPath(kind, namespace, name),
    object,
    fingerprint: fingerprintOf(object),
    membershipIds,
  };
}

function clusterRole(
  templateId: string,
  rules: readonly PolicyRule[],
  membershipIds: string[],
): DesiredObject {
  return desired(
    'ClusterRole',
    {
      apiVersion: MANAGED_KINDS.ClusterRole.apiVersion,
      kind: 'ClusterRole',
      metadata: { name: templateRoleName(templateId), labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
      rules: rules.map((rule) => ({ ...rule })),
    } as KubeObject,
    membershipIds,
  );
}

function binding(membership: Membership, namespace: string | undefined): DesiredObject {
  const kind = namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding';
  return desired(
    kind,
    {
      apiVersion: MANAGED_KINDS[kind].apiVersion,
      kind,
      metadata: {
        name: membershipBindingName(membership.membershipId),
        ...(namespace === undefined ? {} : { namespace }),
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [MEMBERSHIP_LABEL]: membership.membershipId },
      },
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: templateRoleName(membership.templateId) },
      subjects: [{ kind: membership.subject.kind, apiGroup: RBAC_GROUP, name: membership.subject.name }],
    } as KubeObject,
    [membership.membershipId],
  );
}

function projectNamespace(project: Project, namespace: string): DesiredObject {
  return desired(
    'Namespace',
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { [PROJECT_LABEL]: project.projectId } },
    },
    [],
  );
}

/**
 * Everything one cluster should hold for the policy (docs/access-control.md, "The cluster
 * controller"): a ClusterRole per template its memberships use (inclusions flattened), a
 * ClusterRoleBinding per cluster membership, a RoleBinding per project membership and
 * project namespace, and the project label on every project namespace.
 */
export function renderCluster(policy: ClusterPolicy): Map<string, DesiredObject> {
  const out = new Map<string, DesiredObject>();
  const add = (object: DesiredObject) => out.set(object.key, object);
  const projects = new Map(policy.projects.map((project) => [project.projectId, project]));
  const usersOfTemplate = new Map<string, string[]>();
  for (const project of policy.projects)
    for (const namespace of project.namespaces) add(projectNamespace(project, namespace));
  for (const membership of policy.memberships) {
    if (!policy.templates.has(membership.templateId)) continue;
    const users = usersOfTemplate.get(membership.templateId) ?? [];
    users.push(membership.membershipId);
    usersOfTemplate.set(membership.templateId, users);
    if (membership.projectId === null) {
      add(binding(membership, undefined));
      continue;
    }
    for (const namespace of projects.get(membership.projectId)?.namespaces ?? [])
      add(binding(membership, namespace));
  }
  for (const [templateId, membershipIds] of usersOfTemplate)
    add(clusterRole(templateId, effectiveRules(templateId, policy.templates), membershipIds));
  return out;
}

/**
 * What releases a namespace from its project: an apply by the same field manager without
 * the label, which removes it (and nothing else: the namespace stays).
 */
export function releasedNamespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
