import { badInput } from '../errors/gateway-error.ts';
import { kindProfile, type SortValue, workloadNotReady, workloadReplicas } from '../kube/kind-fields.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { GraphQLContext } from './context.ts';
import { listAcross, type ResourceFilterInput } from './fan-out.ts';

/** What pods can be grouped by. */
export type PodGroupBy = 'CLUSTER' | 'NAMESPACE' | 'PHASE' | 'NODE';

/** One group of pods and how many there are; the fields not grouped by are null. */
export interface PodCount {
  readonly clusterId: string | null;
  readonly namespace: string | null;
  readonly phase: string | null;
  readonly nodeName: string | null;
  readonly count: number;
}

/** How many workloads of each kind in a cluster have fewer ready replicas than desired. */
export interface WorkloadsNotReady {
  readonly clusterId: string;
  readonly deployments: number;
  readonly statefulSets: number;
  readonly daemonSets: number;
  readonly total: number;
}

/** A profile field of an item, from what a cached item keeps, else from its object. */
function field(item: ResourceItem, name: string, compute: (object: KubeObject) => SortValue): SortValue {
  const index = item.profile?.fields.findIndex((f) => f.name === name) ?? -1;
  if (index >= 0 && item.values) return item.values[index] ?? null;
  return compute(item.object);
}

const phaseOf = (item: ResourceItem) =>
  field(item, 'phase', (o) => (typeof o.status?.phase === 'string' ? o.status.phase : null)) as string | null;
const nodeOf = (item: ResourceItem) =>
  field(item, 'nodeName', (o) => (typeof o.spec?.nodeName === 'string' ? o.spec.nodeName : null)) as
    | string
    | null;

/**
 * Pods of every cluster in scope counted by the groups asked for, of what the caller may see
 * (the same lists as the pods query: caches where the cluster lets the person list them all,
 * live otherwise). Groups come sorted by their fields. Objects are never decoded when cached.
 */
export async function countPods(
  context: GraphQLContext,
  filter: ResourceFilterInput | null | undefined,
  groupBy: readonly PodGroupBy[],
  allowStale: boolean,
): Promise<PodCount[]> {
  if (groupBy.length === 0) throw badInput('groupBy needs at least one of CLUSTER, NAMESPACE, PHASE, NODE');
  if (new Set(groupBy).size !== groupBy.length) throw badInput('groupBy names a field twice');
  const by = new Set(groupBy);
  // What a cluster's owner replica counts, when another replica owns it (docs/replicas.md §6).
  const ownerFields = OWNER_GROUP_FIELDS.filter(([name]) => by.has(name));
  const runs = await listAcross(
    context,
    filter,
    async (_clusterId, namespace) => {
      const ns = namespace ?? filter?.namespace;
      return ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods';
    },
    {
      namespaced: true,
      allowStale,
      shape: {
        kind: 'groups',
        by: ownerFields.length ? ownerFields.map(([, field]) => field) : ['namespace'],
      },
    },
  );
  const groups = new Map<string, { key: PodCount; count: number }>();
  const add = (key: PodCount, count: number) => {
    const id = JSON.stringify([key.clusterId, key.namespace, key.phase, key.nodeName]);
    const group = groups.get(id);
    if (group) group.count += count;
    else groups.set(id, { key, count });
  };
  for (const run of runs) {
    for (const item of run.items) {
      add(
        {
          clusterId: by.has('CLUSTER') ? item.clusterId : null,
          namespace: by.has('NAMESPACE') ? item.namespace : null,
          phase: by.has('PHASE') ? (phaseOf(item) ?? 'Unknown') : null,
          nodeName: by.has('NODE') ? nodeOf(item) : null,
          count: 0,
        },
        1,
      );
    }
    for (const counted of run.groups ?? []) {
      const value = (name: PodGroupBy) => {
        const index = ownerFields.findIndex(([each]) => each === name);
        return index < 0 ? null : ((counted[index] ?? null) as string | null);
      };
      add(
        {
          clusterId: by.has('CLUSTER') ? run.clusterId : null,
          namespace: value('NAMESPACE'),
          phase: by.has('PHASE') ? (value('PHASE') ?? 'Unknown') : null,
          nodeName: value('NODE'),
          count: 0,
        },
        counted.at(-1) as number,
      );
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => ({ ...group.key, count: group.count }));
}

/** Pod count groups as the sort fields a cluster's owner counts by. */
const OWNER_GROUP_FIELDS: readonly (readonly [PodGroupBy, string])[] = [
  ['NAMESPACE', 'namespace'],
  ['PHASE', 'phase'],
  ['NODE', 'nodeName'],
];

const WORKLOAD_KINDS = [
  ['deployments', 'deployments'],
  ['statefulsets', 'statefulSets'],
  ['daemonsets', 'daemonSets'],
] as const;

/** Per cluster in scope, the workloads with fewer ready replicas than desired, of what the caller may see. */
export async function countWorkloadsNotReady(
  context: GraphQLContext,
  filter: ResourceFilterInput | null | undefined,
  allowStale: boolean,
): Promise<WorkloadsNotReady[]> {
  const perCluster = new Map<string, Record<'deployments' | 'statefulSets' | 'daemonSets', number>>();
  await Promise.all(
    WORKLOAD_KINDS.map(async ([resource, counter]) => {
      const profile = kindProfile('apps', resource);
      const runs = await listAcross(
        context,
        filter,
        async (_clusterId, namespace) => {
          const ns = namespace ?? filter?.namespace;
          return ns ? `/apis/apps/v1/namespaces/${ns}/${resource}` : `/apis/apps/v1/${resource}`;
        },
        { namespaced: true, allowStale, shape: { kind: 'groups', by: ['ready'] } },
      );
      for (const run of runs) {
        let counts = perCluster.get(run.clusterId);
        if (!counts) {
          counts = { deployments: 0, statefulSets: 0, daemonSets: 0 };
          perCluster.set(run.clusterId, counts);
        }
        for (const item of run.items) {
          const ready =
            item.profile === profile && item.values
              ? field(item, 'ready', () => null) === 1
              : !workloadNotReady(workloadReplicas(resource, item.object));
          if (!ready) counts[counter]++;
        }
        // Counted by the cluster's owner: by the `ready` field (1 when ready).
        for (const [ready, count] of (run.groups ?? []) as readonly (readonly [unknown, number])[])
          if (ready !== 1) counts[counter] += count;
      }
    }),
  );
  return [...perCluster.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([clusterId, counts]) => ({
      clusterId,
      ...counts,
      total: counts.deployments + counts.statefulSets + counts.daemonSets,
    }));
}
