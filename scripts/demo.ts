// The main job until the gateway exists: local demo clusters, ready for kubectl.
import { parseArgs } from 'node:util';
import { startClusters } from '../test/harness/index.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: npm run demo [-- --clusters N] [-- --nodes N]

Starts N local Kubernetes control planes (etcd, kube-apiserver, controller-manager,
scheduler and KWOK with simulated nodes), prints how to reach each with kubectl, and
runs until Ctrl-C, which stops them all.`);
  process.exit(0);
}

function positiveInt(name: string, text: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be a whole number from 1 to ${max}, got '${text}'`);
    process.exit(2);
  }
  return n;
}

const count = positiveInt('clusters', values.clusters, 10);
const nodeCount = positiveInt('nodes', values.nodes, 500);
const started = Date.now();
console.log(`starting ${count} demo clusters with ${nodeCount} simulated nodes each ...`);
const run = await startClusters({ count, nodeCount, namePrefix: 'demo' });
console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s; component logs in ${run.runDir}\n`);
for (const cluster of run.clusters) {
  console.log(`${cluster.name}  ${cluster.server}`);
  for (const [user, path] of Object.entries(cluster.kubeconfigs)) {
    console.log(`  as ${user.padEnd(5)}  kubectl --kubeconfig ${path} get nodes`);
  }
}
console.log('\nPress Ctrl-C to stop the clusters.');

const stop = async () => {
  console.log('\nstopping ...');
  await run.stop();
  process.exit(0);
};
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
// Keep the event loop alive until a signal arrives.
setInterval(() => {}, 1 << 30);
