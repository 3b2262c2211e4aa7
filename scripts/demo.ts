// The main job on one machine: the gateway with local demo clusters, each with its agent
// connected through the tunnel.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';

const HELP = `Usage: npm start [-- --clusters N] [-- --nodes N] [-- --port PORT]

Starts N local Kubernetes control planes (etcd, kube-apiserver, controller-manager,
scheduler and KWOK with simulated nodes), the gateway, and one agent per cluster that
connects to the gateway through its tunnel. Prints where everything is and runs until
Ctrl-C, which stops it all. Everything is throwaway: a new start is a new fleet.

  --clusters N   demo clusters (default 3, at most 10)
  --nodes N      simulated nodes per cluster (default 3)
  --port PORT    the gateway's port (default 8443)`;

function parse() {
  try {
    return parseArgs({
      options: {
        clusters: { type: 'string', default: '3' },
        nodes: { type: 'string', default: '3' },
        port: { type: 'string', default: '8443' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message} (see --help)`);
    process.exit(2);
  }
}
const values = parse();
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got '${text}'`);
    process.exit(2);
  }
  return n;
}

const count = wholeNumber('clusters', values.clusters, 1, 10);
const nodeCount = wholeNumber('nodes', values.nodes, 1, 500);
const port = wholeNumber('port', values.port, 1, 65535);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

console.log(`starting ${count} demo clusters with ${nodeCount} simulated nodes each ...`);
const run = await startClusters({ count, nodeCount, namePrefix: 'demo' });
console.log(`clusters ready after ${elapsed()}; starting the gateway on port ${port} ...`);
const adminPassword = randomBytes(12).toString('base64url');
const gateway = await GatewayProcess.start({ dir: run.runDir, port, adminPassword, logLevel: 'info' }).catch(
  async (error: Error) => {
    await run.stop();
    console.error(`the gateway did not start: ${error.message}`);
    process.exit(1);
  },
);
const agents: AgentProcess[] = [];
for (const cluster of run.clusters) {
  const registration = await registerCluster(gateway, cluster.name);
  agents.push(await AgentProcess.install(cluster, gateway, registration));
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  // Each cluster's own administrator decides what gateway people may do there; for the
  // demo, the gateway's admin is a cluster admin everywhere.
  await cluster.grantGatewayAdmin();
  console.log(
    `  ${cluster.name} registered as ${registration.cluster.clusterId}, agent connected (${elapsed()})`,
  );
}
const kubeconfig = join(run.runDir, 'gateway-admin.kubeconfig');
await downloadKubeconfig(gateway, 'admin', adminPassword, kubeconfig);
const ca = join(gateway.dataDir, 'tls', 'ca.crt');

console.log(`
gateway   ${gateway.url}   (logs: ${run.runDir}/gateway-1.log, audit: ${gateway.dataDir}/audit.log)
admin     user admin, password ${adminPassword}
clusters  curl --cacert ${ca} -su admin:${adminPassword} ${gateway.url}/v1/clusters

Through the gateway, as its admin (one context per cluster):
  kubectl --kubeconfig ${kubeconfig} --context ${run.clusters[0]?.name} get nodes
A kubeconfig for any gateway user:
  npm run -s fleetgate -- kubeconfig --gateway-url ${gateway.url} --ca-file ${ca} --username admin

Directly, as each cluster's own users:`);
for (const cluster of run.clusters) {
  console.log(
    `  ${cluster.name}  kubectl --kubeconfig ${cluster.kubeconfigs.admin} get nodes   (also alice.kubeconfig, bob.kubeconfig)`,
  );
}
console.log('\nPress Ctrl-C to stop everything.');

const stop = async () => {
  console.log('\nstopping ...');
  await Promise.all(agents.map((a) => a.stop()));
  await gateway.stop();
  await run.stop();
  process.exit(0);
};
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
