import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { controlPlaneBinaries } from './binaries.ts';
import { startTestCluster, type TestCluster } from './cluster.ts';
import { startEtcd, type TestEtcd } from './etcd.ts';
import { isAlive, pidFileDir, reapOrphans } from './process-registry.ts';

export { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, TestCluster } from './cluster.ts';
export type { TestUserName } from './users.ts';
export { TEST_USERS } from './users.ts';

/** Root of every harness run's files; component logs stay there after the run. */
export const testRunsDir = join(new URL('../../', import.meta.url).pathname, '.test-runs');

const RUNS_KEPT = 10;

export interface StartClustersOptions {
  readonly count: number;
  /** One etcd for all clusters, each under its own key prefix (default), or one each. */
  readonly etcd?: 'shared' | 'per-cluster';
  readonly nodeCount?: number;
  /** Prefix of cluster names, default "c". */
  readonly namePrefix?: string;
  /**
   * Feature gates set on every cluster's kube-apiserver (`--feature-gates`), e.g.
   * `{ AuthorizePodWebsocketUpgradeCreatePermission: false }` to make it authorize as an
   * older release does. Default: none, the release's defaults.
   */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

/** A set of clusters started together, stopped together. */
export interface TestClusters {
  readonly clusters: readonly TestCluster[];
  /** Folder holding every component's log of this run. */
  readonly runDir: string;
  readonly sharedEtcd: TestEtcd | undefined;
  stop(): Promise<void>;
}

async function pruneOldRuns(): Promise<void> {
  const runs = (await readdir(testRunsDir).catch(() => [] as string[]))
    .filter((d) => d.startsWith('run-'))
    .sort();
  // A folder is named after the test process that made it: one still running is in use.
  const inUse = (d: string) => isAlive(Number.parseInt(d.slice(d.lastIndexOf('-') + 1), 10));
  await Promise.all(
    runs
      .slice(0, -RUNS_KEPT)
      .filter((d) => !inUse(d))
      .map((d) => rm(join(testRunsDir, d), { recursive: true, force: true })),
  );
}

/** Starts `count` clusters in parallel. On failure, whatever started is stopped again. */
export async function startClusters(options: StartClustersOptions): Promise<TestClusters> {
  const reaped = reapOrphans();
  if (reaped.length)
    console.warn(`harness: killed ${reaped.length} processes left by an earlier run: ${reaped.join(', ')}`);
  await pruneOldRuns();
  const binaries = await controlPlaneBinaries();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(testRunsDir, `run-${stamp}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  await mkdir(pidFileDir, { recursive: true });

  const sharedEtcd =
    options.etcd === 'per-cluster' ? undefined : await startEtcd(binaries, join(runDir, 'etcd'));
  const prefix = options.namePrefix ?? 'c';
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, (_, i) =>
      startTestCluster(binaries, {
        name: `${prefix}${i + 1}`,
        dir: join(runDir, `${prefix}${i + 1}`),
        sharedEtcd,
        nodeCount: options.nodeCount,
        featureGates: options.featureGates,
      }),
    ),
  );
  const clusters = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await sharedEtcd?.process.stop();
    await rm(join(runDir, 'etcd', 'data'), { recursive: true, force: true });
  };
  const failures = started.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failures.length) {
    await stop();
    throw new Error(failures.join('\n\n'));
  }
  return { clusters, runDir, sharedEtcd, stop };
}
