// Several gateway processes sharing one management cluster (docs/replicas.md), for tests.
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureServingTls } from '../../src/server/tls-bootstrap.ts';
import { GatewayProcess } from '../harness/fleet.ts';
import type { TestCluster } from '../harness/index.ts';

/** The options that put a gateway's state in the management cluster. */
export function kubernetesStoreArgs(management: TestCluster, replicaId: string, namespace: string): string[] {
  return [
    '--store',
    'kubernetes',
    '--management-kubeconfig',
    management.kubeconfigs.admin,
    '--management-namespace',
    namespace,
    '--replica-id',
    replicaId,
  ];
}

/** Starts `count` replicas (replica-1, replica-2, ...) on one management cluster, all at once. */
export async function startReplicas(
  management: TestCluster,
  dir: string,
  count: number,
  namespace = 'fleetgate-system',
  options: { readonly sharedTls?: boolean } = {},
): Promise<GatewayProcess[]> {
  // One certificate for all, as behind one load balancer: replicas then trust each other's.
  if (options.sharedTls) await ensureServingTls(join(dir, 'shared'), ['127.0.0.1']);
  for (let i = 1; i <= count; i++) {
    await mkdir(join(dir, `replica-${i}`), { recursive: true });
    if (options.sharedTls)
      await cp(join(dir, 'shared', 'tls'), join(dir, `replica-${i}`, `replica-${i}-data`, 'tls'), {
        recursive: true,
      });
  }
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      GatewayProcess.start({
        dir: join(dir, `replica-${i + 1}`),
        name: `replica-${i + 1}`,
        args: kubernetesStoreArgs(management, `replica-${i + 1}`, namespace),
        logLevel: 'info',
      }),
    ),
  );
}

/** Polls `probe` every 20 ms until it answers true; the time it took, in ms. */
export async function within(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
