import type { ClusterClient } from '../clusters/cluster-client.ts';
import { parseQuantity } from './quantity.ts';

/** A cluster's size and load, as the stats field reports it. */
export interface ClusterStatsValue {
  readonly nodeCount: number;
  readonly readyNodes: number;
  readonly cpuCapacityCores: number;
  readonly cpuAllocatableCores: number;
  readonly cpuRequestedCores: number;
  readonly memoryCapacityBytes: number;
  readonly memoryAllocatableBytes: number;
  readonly memoryRequestedBytes: number;
  readonly podsByPhase: Record<string, number>;
}

interface NodeList {
  items?: {
    status?: {
      capacity?: Record<string, string>;
      allocatable?: Record<string, string>;
      conditions?: { type: string; status: string }[];
    };
  }[];
}
interface PodList {
  items?: {
    status?: { phase?: string };
    spec?: { containers?: { resources?: { requests?: Record<string, string> } }[] };
  }[];
}

/** Stats are computed at most this often per cluster, however many people ask. */
const STATS_TTL_MS = 4_000;
const cache = new Map<string, { at: number; value: Promise<ClusterStatsValue> }>();

const sum = (values: number[]) => values.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);

async function compute(client: ClusterClient, clusterId: string): Promise<ClusterStatsValue> {
  // The gateway's own reads (the agent's ServiceAccount may list nodes and pods):
  // statistics describe the cluster, not what one person may see of it.
  const [nodes, pods] = await Promise.all([
    client.json<NodeList>(clusterId, { method: 'GET', path: '/api/v1/nodes' }),
    client.json<PodList>(clusterId, { method: 'GET', path: '/api/v1/pods' }),
  ]);
  if (nodes.status !== 200 || pods.status !== 200)
    throw new Error(`cluster ${clusterId} answered ${nodes.status}/${pods.status}`);
  const nodeItems = nodes.body.items ?? [];
  const podItems = pods.body.items ?? [];
  const podsByPhase: Record<string, number> = {};
  for (const pod of podItems) {
    const phase = pod.status?.phase ?? 'Unknown';
    podsByPhase[phase] = (podsByPhase[phase] ?? 0) + 1;
  }
  // Requests of pods that hold resources (not finished ones).
  const active = podItems.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const requested = (resource: string) =>
    sum(
      active.flatMap((p) =>
        (p.spec?.containers ?? []).map((c) => parseQuantity(c.resources?.requests?.[resource])),
      ),
    );
  return {
    nodeCount: nodeItems.length,
    readyNodes: nodeItems.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    ).length,
    cpuCapacityCores: sum(nodeItems.map((n) => parseQuantity(n.status?.capacity?.cpu))),
    cpuAllocatableCores: sum(nodeItems.map((n) => parseQuantity(n.status?.allocatable?.cpu))),
    cpuRequestedCores: requested('cpu'),
    memoryCapacityBytes: sum(nodeItems.map((n) => parseQuantity(n.status?.capacity?.memory))),
    memoryAllocatableBytes: sum(nodeItems.map((n) => parseQuantity(n.status?.allocatable?.memory))),
    memoryRequestedBytes: requested('memory'),
    podsByPhase,
  };
}

/** The cluster's stats, computed at most once per STATS_TTL_MS. */
export function clusterStats(client: ClusterClient, clusterId: string): Promise<ClusterStatsValue> {
  const cached = cache.get(clusterId);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.value;
  const value = compute(client, clusterId);
  cache.set(clusterId, { at: Date.now(), value });
  value.catch(() => cache.delete(clusterId));
  return value;
}
