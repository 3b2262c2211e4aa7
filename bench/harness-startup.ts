// Measures how long the test harness takes to start N clusters in parallel and how much
// memory each cluster holds, with one shared etcd and with one etcd per cluster.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startClusters } from '../test/harness/index.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '3' },
    settle: { type: 'string', default: '15' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('Usage: node bench/harness-startup.ts [--clusters N] [--settle SECONDS]');
  process.exit(0);
}
const count = Number(values.clusters);
const settleSeconds = Number(values.settle);

function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

for (const etcd of ['shared', 'per-cluster'] as const) {
  const started = performance.now();
  const run = await startClusters({ count, etcd, namePrefix: `bench-${etcd}-` });
  const readyMs = performance.now() - started;
  await sleep(settleSeconds * 1000);
  const perCluster = run.clusters.map((cluster) => {
    const byComponent = Object.fromEntries(
      cluster.processes.map((p) => [p.name.replace(/-.*etcd.*|etcd-.*/, 'etcd'), rssMiB(p.pid)]),
    );
    const total = Object.values(byComponent).reduce((a, b) => a + b, 0);
    return { cluster: cluster.name, total, byComponent };
  });
  const sharedEtcdMiB = rssMiB(run.sharedEtcd?.process.pid);
  console.log(`\n${count} clusters, etcd ${etcd}: all ready after ${(readyMs / 1000).toFixed(1)} s`);
  for (const c of perCluster) {
    const parts = Object.entries(c.byComponent)
      .map(([name, mib]) => `${name} ${mib.toFixed(0)}`)
      .join(', ');
    console.log(`  ${c.cluster}: ${c.total.toFixed(0)} MiB RSS (${parts})`);
  }
  if (run.sharedEtcd) console.log(`  shared etcd: ${sharedEtcdMiB.toFixed(0)} MiB RSS`);
  const sum = perCluster.reduce((a, c) => a + c.total, 0) + sharedEtcdMiB;
  console.log(`  total: ${sum.toFixed(0)} MiB, ${(sum / count).toFixed(0)} MiB per cluster including etcd`);
  await run.stop();
}
