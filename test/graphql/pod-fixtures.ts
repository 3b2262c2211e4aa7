// Pods that page, count and cache tests seed into harness clusters, and what kubectl says of
// them: the truth their answers are checked against.
import { stringify } from 'yaml';
import type { TestCluster } from '../harness/index.ts';

/** A pod manifest: run on KWOK's simulated nodes, or with `scheduled: false` left Pending. */
export function testPod(
  name: string,
  namespace: string,
  options: { readonly labels?: Record<string, string>; readonly scheduled?: boolean } = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: options.labels ?? {} },
    spec: {
      ...(options.scheduled === false ? { schedulerName: 'not-scheduled' } : {}),
      containers: [{ name: 'c', image: 'registry.invalid/c:1' }],
    },
  };
}

/**
 * Creates the namespaces (`team-a` among them), applies the pods in one List, and lets the
 * group local:team-a view namespace team-a: the person restricted to one namespace.
 */
export async function seedPods(
  cluster: TestCluster,
  namespaces: readonly string[],
  pods: readonly object[],
): Promise<void> {
  for (const namespace of namespaces) await cluster.kubectlOk('admin', ['create', 'namespace', namespace]);
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: stringify({ apiVersion: 'v1', kind: 'List', items: pods }),
  });
  await cluster.kubectlOk('admin', [
    'create',
    'rolebinding',
    'team-a-view',
    '-n',
    'team-a',
    '--clusterrole=view',
    '--group=local:team-a',
  ]);
}

/** kubectl's pods of a cluster: `clusterId/namespace/name` keys, sorted, and counts by phase. */
export async function kubectlPods(
  cluster: TestCluster,
  clusterId: string,
): Promise<{ keys: string[]; byPhase: Record<string, number> }> {
  const listed = JSON.parse(await cluster.kubectlOk('admin', ['get', 'pods', '-A', '-o', 'json'])) as {
    items: { metadata: { namespace: string; name: string }; status?: { phase?: string } }[];
  };
  const byPhase: Record<string, number> = {};
  for (const item of listed.items) {
    const phase = item.status?.phase ?? 'Unknown';
    byPhase[phase] = (byPhase[phase] ?? 0) + 1;
  }
  const keys = listed.items.map((item) => `${clusterId}/${item.metadata.namespace}/${item.metadata.name}`);
  return { keys: keys.sort(), byPhase };
}
