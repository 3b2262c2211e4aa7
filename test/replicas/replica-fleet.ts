// Several gateway processes sharing one management cluster (docs/replicas.md), for tests.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureServingTls } from '../../src/server/tls-bootstrap.ts';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import type { TestCluster } from '../harness/index.ts';
import { startTcpBalancer, type TcpBalancer } from '../harness/tcp-balancer.ts';

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

/**
 * The replica that the store says holds a cluster's tunnel (`status.replica`), or null while
 * none does. kubectl's jsonpath prints a JSON null as the word `null` and an absent field as
 * nothing; both mean no holder.
 */
export async function holderOf(
  management: TestCluster,
  clusterId: string,
  namespace = 'fleetgate-system',
): Promise<string | null> {
  const answer = await management.kubectlOk('admin', [
    'get',
    'fgc',
    clusterId,
    '-n',
    namespace,
    '-o',
    'jsonpath={.status.replica}',
  ]);
  const holder = answer.trim();
  return holder === '' || holder === 'null' ? null : holder;
}

/** Replicas sharing a certificate behind a TCP balancer, one downstream cluster's agent dialling it. */
export interface BalancedFleet {
  readonly replicas: readonly GatewayProcess[];
  readonly balancer: TcpBalancer;
  /** The URL agents and clients dial: the balancer's. */
  readonly balancedUrl: string;
  readonly agent: AgentProcess;
  readonly clusterId: string;
  /** An admin kubeconfig that dials the balancer. */
  readonly balancedKubeconfig: string;
  /** The id of the replica holding the cluster's tunnel, as the store says. */
  holder(): Promise<string | null>;
  /** The process of that replica. */
  holderProcess(): Promise<{ holderId: string; process: GatewayProcess }>;
  /** The process of a replica by its id. */
  replica(replicaId: string): GatewayProcess;
  stop(): Promise<void>;
}

/**
 * Starts `count` replicas with one certificate behind a TCP balancer, registers a cluster
 * named `clusterName` through the first and installs its agent, dialling the balancer; the
 * admin gets `clusterRole` (e.g. view, edit) downstream.
 */
export async function startBalancedFleet(
  management: TestCluster,
  downstream: TestCluster,
  dir: string,
  options: { readonly count: number; readonly clusterName: string; readonly clusterRole: string },
): Promise<BalancedFleet> {
  const replicas = await startReplicas(management, dir, options.count, 'fleetgate-system', {
    sharedTls: true,
  });
  const balancer = await startTcpBalancer(replicas.map((r) => Number(new URL(r.url).port)));
  const balancedUrl = `https://127.0.0.1:${balancer.port}`;
  const first = replicas[0] as GatewayProcess;
  const registration = await registerCluster(first, options.clusterName);
  const { clusterId } = registration.cluster;
  const agent = await AgentProcess.install(downstream, first, registration, { gatewayUrl: balancedUrl });
  await first.waitForCluster(clusterId, (c) => c.state === 'Active', 'Active');
  await downstream.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    `fleetgate-admin-${options.clusterRole}`,
    `--clusterrole=${options.clusterRole}`,
    '--user=local:admin',
  ]);
  const balancedKubeconfig = join(dir, 'admin-balanced.kubeconfig');
  await downloadKubeconfig(first, 'admin', first.adminPassword, balancedKubeconfig);
  // kubectl dials the load balancer, not the replica that made the kubeconfig.
  await writeFile(
    balancedKubeconfig,
    (await readFile(balancedKubeconfig, 'utf8')).replaceAll(first.url, balancedUrl),
  );
  const replica = (replicaId: string) => {
    const found = replicas.find((r) => r.dataDir.includes(`${replicaId}-data`));
    if (!found) throw new Error(`no replica named ${JSON.stringify(replicaId)}`);
    return found;
  };
  const holder = () => holderOf(management, clusterId);
  return {
    replicas,
    balancer,
    balancedUrl,
    agent,
    clusterId,
    balancedKubeconfig,
    holder,
    /** The replica holding the tunnel; waits while none does (an agent between replicas). */
    async holderProcess() {
      const started = Date.now();
      for (;;) {
        const holderId = await holder();
        if (holderId !== null) return { holderId, process: replica(holderId) };
        if (Date.now() - started > 20_000) throw new Error('no replica holds the tunnel within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    replica,
    async stop() {
      await agent.stop();
      await balancer.close();
      await Promise.all(replicas.map((r) => r.stop()));
    },
  };
}
