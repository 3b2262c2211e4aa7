import type { KubeObject } from './objects.ts';

/** A value objects are sorted by: text, a number, or absent (sorted last). */
export type SortValue = string | number | null;

/** A field of a kind that lists can be sorted by, read from the object. */
export interface KindSortField {
  readonly name: string;
  readonly of: (object: KubeObject) => SortValue;
}

/**
 * The fields beyond name, namespace, cluster and creation time that a kind's lists can be
 * sorted by (docs/list-cache.md). A cache reads them once per change and keeps only them
 * beside the stored object, so sorting never decodes an object.
 */
export interface KindProfile {
  /** The kind's name as errors show it, e.g. `pods`. */
  readonly resource: string;
  readonly fields: readonly KindSortField[];
}

type Loose = Readonly<Record<string, unknown>>;

function record(value: unknown): Loose {
  return value !== null && typeof value === 'object' ? (value as Loose) : {};
}
function list(value: unknown): readonly Loose[] {
  return Array.isArray(value) ? (value as unknown[]).map(record) : [];
}
function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** A pod's containers' statuses (init containers not included, as kubectl's READY column). */
export function containerStatuses(pod: KubeObject): readonly Loose[] {
  return list(pod.status?.containerStatuses);
}

/** Restarts of a pod's containers, summed as kubectl's RESTARTS column sums them. */
export function podRestarts(pod: KubeObject): number {
  let sum = 0;
  for (const status of containerStatuses(pod)) sum += count(status.restartCount);
  return sum;
}

/** How many of a pod's containers are ready, and how many it has. */
export function podReadiness(pod: KubeObject): { ready: number; total: number } {
  const total = list(pod.spec?.containers).length;
  const ready = containerStatuses(pod).filter((s) => s.ready === true).length;
  return { ready, total };
}

/** A condition's status ('True', 'False', 'Unknown'), or null when the object has none of that type. */
export function conditionStatus(object: KubeObject, type: string): string | null {
  const found = list(object.status?.conditions).find((c) => c.type === type);
  return found ? text(found.status) : null;
}

/** Whether a node's Ready condition is True. */
export function nodeReady(node: KubeObject): boolean {
  return conditionStatus(node, 'Ready') === 'True';
}

/** Replica counts of a Deployment, StatefulSet or DaemonSet, as kubectl's READY column reads them. */
export interface WorkloadReplicas {
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
  readonly available: number;
}

/** The replica counts of a workload of the given kind. */
export function workloadReplicas(
  kind: 'deployments' | 'statefulsets' | 'daemonsets',
  object: KubeObject,
): WorkloadReplicas {
  const status = record(object.status);
  if (kind === 'daemonsets') {
    return {
      desired: count(status.desiredNumberScheduled),
      ready: count(status.numberReady),
      updated: count(status.updatedNumberScheduled),
      available: count(status.numberAvailable),
    };
  }
  const specReplicas = object.spec?.replicas;
  return {
    // The API defaults replicas to 1; a missing field is that default.
    desired: typeof specReplicas === 'number' ? specReplicas : 1,
    ready: count(status.readyReplicas),
    updated: count(status.updatedReplicas),
    available: count(status.availableReplicas),
  };
}

/** Not ready: fewer ready replicas than desired (kubectl's READY column shows `ready/desired`). */
export function workloadNotReady(replicas: WorkloadReplicas): boolean {
  return replicas.ready < replicas.desired;
}

function workloadProfile(resource: 'deployments' | 'statefulsets' | 'daemonsets'): KindProfile {
  return {
    resource,
    fields: [
      { name: 'readyReplicas', of: (o) => workloadReplicas(resource, o).ready },
      { name: 'desiredReplicas', of: (o) => workloadReplicas(resource, o).desired },
      { name: 'ready', of: (o) => (workloadNotReady(workloadReplicas(resource, o)) ? 0 : 1) },
    ],
  };
}

const PROFILES: Readonly<Record<string, KindProfile>> = {
  '/pods': {
    resource: 'pods',
    fields: [
      { name: 'phase', of: (o) => text(o.status?.phase) },
      { name: 'restarts', of: podRestarts },
      { name: 'nodeName', of: (o) => text(o.spec?.nodeName) },
      {
        name: 'ready',
        of: (o) => {
          const { ready, total } = podReadiness(o);
          return ready === total ? 1 : 0;
        },
      },
    ],
  },
  '/nodes': {
    resource: 'nodes',
    fields: [
      { name: 'ready', of: (o) => (nodeReady(o) ? 1 : 0) },
      { name: 'kubeletVersion', of: (o) => text(record(o.status?.nodeInfo).kubeletVersion) },
    ],
  },
  '/namespaces': { resource: 'namespaces', fields: [{ name: 'phase', of: (o) => text(o.status?.phase) }] },
  '/services': { resource: 'services', fields: [{ name: 'type', of: (o) => text(o.spec?.type) }] },
  '/events': {
    resource: 'events',
    fields: [
      { name: 'type', of: (o) => text((o as Loose).type) },
      { name: 'reason', of: (o) => text((o as Loose).reason) },
      { name: 'count', of: (o) => count((o as Loose).count) },
      { name: 'lastSeen', of: (o) => text((o as Loose).lastTimestamp) ?? text((o as Loose).eventTime) },
    ],
  },
  'apps/deployments': workloadProfile('deployments'),
  'apps/statefulsets': workloadProfile('statefulsets'),
  'apps/daemonsets': workloadProfile('daemonsets'),
  'batch/jobs': {
    resource: 'jobs',
    fields: [
      { name: 'succeeded', of: (o) => count(o.status?.succeeded) },
      { name: 'failed', of: (o) => count(o.status?.failed) },
      { name: 'active', of: (o) => count(o.status?.active) },
      { name: 'complete', of: (o) => (conditionStatus(o, 'Complete') === 'True' ? 1 : 0) },
    ],
  },
};

/** The profile of a collection by API group ('' for core) and resource; kinds without one sort by the common fields only. */
export function kindProfile(group: string, resource: string): KindProfile {
  return PROFILES[`${group}/${resource}`] ?? { resource, fields: [] };
}
