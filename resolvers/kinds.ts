import type { Resolvers } from '../src/generated/graphql.ts';
import {
  containerStatuses,
  nodeReady,
  podReadiness,
  podRestarts,
  type SortValue,
  workloadNotReady,
  workloadReplicas,
} from '../src/kube/kind-fields.ts';
import type { KubeObject } from '../src/kube/objects.ts';
import { parseQuantity } from '../src/kube/quantity.ts';
import type { ResourceItem } from '../src/kube/resource-item.ts';

type Loose = Readonly<Record<string, unknown>>;

const record = (value: unknown): Loose =>
  value !== null && typeof value === 'object' ? (value as Loose) : {};
const list = (value: unknown): readonly Loose[] => (Array.isArray(value) ? value.map(record) : []);
const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const int = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * A sort field a cached item keeps beside its compressed object, read without decoding it;
 * `compute` (from the object) for items listed live. The walk of a large list reads only
 * such fields and so never decodes an object.
 */
function kept(item: ResourceItem, field: string, compute: (object: KubeObject) => SortValue): SortValue {
  const index = item.profile?.fields.findIndex((f) => f.name === field) ?? -1;
  if (index >= 0 && item.values) return item.values[index] ?? null;
  return compute(item.object);
}

/** The fields every kind has, from what the item carries (never decoding a cached object). */
const common = {
  clusterId: (item: ResourceItem) => item.clusterId,
  name: (item: ResourceItem) => item.name,
  // `labels` and `object` (JSON) are charged to the answer's budget by the schema itself
  // (chargeJsonFields in src/graphql/answer-budget.ts); a served cached item tells the bytes
  // of the object it decoded, so that object is not serialized twice.
  labels: (item: ResourceItem) => item.labels ?? {},
  createdAt: (item: ResourceItem) => item.createdAt || null,
  object: (item: ResourceItem) => item.object,
};
const namespaced = { ...common, namespace: (item: ResourceItem) => item.namespace };
const optionalNamespace = { ...common, namespace: (item: ResourceItem) => item.namespace || null };

function conditions(object: KubeObject) {
  return list(object.status?.conditions).map((c) => ({
    type: text(c.type) ?? '',
    status: text(c.status) ?? 'Unknown',
    reason: text(c.reason),
    message: text(c.message),
    lastTransitionTime: text(c.lastTransitionTime),
  }));
}

/** The images of a pod spec's containers (a workload's template, or the pod's own spec). */
function images(podSpec: unknown): string[] {
  return list(record(podSpec).containers)
    .map((c) => text(c.image))
    .filter((image): image is string => image !== null);
}

const templateImages = (object: KubeObject) => images(record(object.spec?.template).spec);

function workload(kind: 'deployments' | 'statefulsets' | 'daemonsets') {
  return {
    ...namespaced,
    replicas: (item: ResourceItem) => workloadReplicas(kind, item.object),
    ready: (item: ResourceItem) =>
      kept(item, 'ready', (o) => (workloadNotReady(workloadReplicas(kind, o)) ? 0 : 1)) === 1,
    images: (item: ResourceItem) => templateImages(item.object),
    conditions: (item: ResourceItem) => conditions(item.object),
  };
}

function nodeResources(values: unknown) {
  const resources = record(values);
  const number = (key: string) => {
    const value = parseQuantity(text(resources[key]) ?? undefined);
    return text(resources[key]) === null || !Number.isFinite(value) ? null : value;
  };
  const pods = number('pods');
  return {
    cpuCores: number('cpu'),
    memoryBytes: number('memory'),
    pods: pods === null ? null : Math.round(pods),
  };
}

const ROLE_LABEL = 'node-role.kubernetes.io/';

/** Typed fields of the core kinds (schema/kinds.graphql), read from each object. */
export const kindResolvers: Resolvers = {
  KubeResource: {
    __resolveType: () => 'Resource',
  },
  Resource: optionalNamespace,
  Pod: {
    ...namespaced,
    phase: (item) => kept(item, 'phase', (o) => text(o.status?.phase)) as string | null,
    nodeName: (item) => kept(item, 'nodeName', (o) => text(o.spec?.nodeName)) as string | null,
    podIP: (item) => text(item.object.status?.podIP),
    restarts: (item) => kept(item, 'restarts', podRestarts) as number,
    readyContainers: (item) => podReadiness(item.object).ready,
    totalContainers: (item) => podReadiness(item.object).total,
    ready: (item) => {
      const { ready, total } = podReadiness(item.object);
      return ready === total;
    },
    images: (item) => images(item.object.spec),
    containers: (item) =>
      containerStatuses(item.object).map((status) => {
        const state = record(status.state);
        const [stateName] = Object.keys(state);
        return {
          name: text(status.name) ?? '',
          image: text(status.image),
          ready: status.ready === true,
          restartCount: int(status.restartCount),
          state: stateName ?? null,
          stateReason: stateName ? text(record(state[stateName]).reason) : null,
        };
      }),
    conditions: (item) => conditions(item.object),
  },
  Deployment: workload('deployments'),
  StatefulSet: workload('statefulsets'),
  DaemonSet: workload('daemonsets'),
  Job: {
    ...namespaced,
    completions: (item) =>
      typeof item.object.spec?.completions === 'number' ? item.object.spec.completions : null,
    succeeded: (item) => int(item.object.status?.succeeded),
    failed: (item) => int(item.object.status?.failed),
    active: (item) => int(item.object.status?.active),
    complete: (item) =>
      list(item.object.status?.conditions).some((c) => c.type === 'Complete' && c.status === 'True'),
    startTime: (item) => text(item.object.status?.startTime),
    completionTime: (item) => text(item.object.status?.completionTime),
    images: (item) => templateImages(item.object),
    conditions: (item) => conditions(item.object),
  },
  Node: {
    ...optionalNamespace,
    roles: (item) =>
      Object.keys(item.labels ?? {})
        .filter((key) => key.startsWith(ROLE_LABEL) && key.length > ROLE_LABEL.length)
        .map((key) => key.slice(ROLE_LABEL.length))
        .sort(),
    ready: (item) => kept(item, 'ready', (o) => (nodeReady(o) ? 1 : 0)) === 1,
    unschedulable: (item) => item.object.spec?.unschedulable === true,
    kubeletVersion: (item) =>
      kept(item, 'kubeletVersion', (o) => text(record(o.status?.nodeInfo).kubeletVersion)) as string | null,
    internalIP: (item) =>
      text(list(item.object.status?.addresses).find((a) => a.type === 'InternalIP')?.address),
    capacity: (item) => nodeResources(item.object.status?.capacity),
    allocatable: (item) => nodeResources(item.object.status?.allocatable),
    conditions: (item) => conditions(item.object),
  },
  Namespace: {
    ...optionalNamespace,
    phase: (item) => kept(item, 'phase', (o) => text(o.status?.phase)) as string | null,
  },
  Service: {
    ...namespaced,
    type: (item) => text(item.object.spec?.type) ?? 'ClusterIP',
    clusterIP: (item) => text(item.object.spec?.clusterIP),
    ports: (item) =>
      list(item.object.spec?.ports).map((port) => ({
        name: text(port.name),
        protocol: text(port.protocol) ?? 'TCP',
        port: int(port.port),
        targetPort: port.targetPort === undefined ? null : String(port.targetPort),
        nodePort: typeof port.nodePort === 'number' ? port.nodePort : null,
      })),
  },
  Event: {
    ...namespaced,
    type: (item) => text((item.object as Loose).type),
    reason: (item) => text((item.object as Loose).reason),
    message: (item) => text((item.object as Loose).message),
    count: (item) => int((item.object as Loose).count) || 1,
    firstSeen: (item) =>
      text((item.object as Loose).firstTimestamp) ?? text((item.object as Loose).eventTime),
    lastSeen: (item) =>
      text((item.object as Loose).lastTimestamp) ??
      text((item.object as Loose).eventTime) ??
      text((item.object as Loose).firstTimestamp),
    involvedObject: (item) => {
      const ref = record((item.object as Loose).involvedObject);
      return {
        apiVersion: text(ref.apiVersion),
        kind: text(ref.kind),
        namespace: text(ref.namespace),
        name: text(ref.name),
        uid: text(ref.uid),
      };
    },
  },
};
