// Passthrough overhead: the same requests directly against the apiserver, through
// `kubectl proxy`, and through the gateway (agent tunnel, impersonation), side by side in
// one run. Prints p50 / p99 latency, throughput and the ratios to direct access.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { kubectlBinary } from '../test/harness/kubectl.ts';
import { freePort } from '../test/harness/ports.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('Usage: node bench/passthrough.ts [--requests N per case and round] [--rounds N]');
  process.exit(0);
}
const requestsPerCase = Number(values.requests);
const rounds = Number(values.rounds);

interface Target {
  readonly name: string;
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly caPem?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs `count` GETs with `concurrency` in flight; returns latencies (ms) and wall time. */
async function load(target: Target, path: string, count: number, concurrency: number) {
  const https = target.base.startsWith('https:');
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency, ca: target.caPem })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const send = https ? httpsRequest : httpRequest;
  const latencies: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = send(`${target.base}${path}`, { agent, headers: target.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${target.name} ${path}: ${res.statusCode}`));
          latencies.push(performance.now() - started);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        await one();
      }
    }),
  );
  const wallMs = performance.now() - began;
  agent.destroy();
  return { latencies, wallMs };
}

console.error('starting a cluster, the gateway, an agent and kubectl proxy ...');
const run = await startClusters({ count: 1, namePrefix: 'bench' });
const cluster = run.clusters[0];
if (!cluster) throw new Error('no cluster');
const gateway = await GatewayProcess.start({ dir: run.runDir, logLevel: 'warn' });
const registration = await registerCluster(gateway, 'bench');
const agent = await AgentProcess.install(cluster, gateway, registration);
await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
await cluster.grantGatewayAdmin();
await cluster.kubectlOk('admin', ['create', 'namespace', 'bench']);
await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
  stdin: stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: Array.from({ length: 200 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${i}`, namespace: 'bench' },
      data: { v: 'x'.repeat(500) },
    })),
  }),
});
const kubeconfigPath = join(run.runDir, 'bench-gateway.kubeconfig');
await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, kubeconfigPath);
const gatewayToken = (
  parse(await readFile(kubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] }
).users[0]?.user.token as string;
const proxyPort = await freePort();
const proxy = spawn(
  kubectlBinary,
  ['--kubeconfig', cluster.kubeconfigs.admin, 'proxy', `--port=${proxyPort}`],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 1500));

const targets: Target[] = [
  {
    name: 'direct',
    base: cluster.server,
    headers: { authorization: `Bearer ${cluster.tokens.admin}` },
    caPem: cluster.caPem,
  },
  { name: 'kubectl proxy', base: `http://127.0.0.1:${proxyPort}`, headers: {} },
  {
    name: 'gateway',
    base: `${gateway.url}/k8s/clusters/${registration.cluster.clusterId}`,
    headers: { authorization: `Bearer ${gatewayToken}` },
    caPem: gateway.caPem,
  },
];
const cases = [
  { name: 'small GET', path: '/api/v1/namespaces/default', concurrency: 1 },
  { name: 'small GET', path: '/api/v1/namespaces/default', concurrency: 32 },
  { name: 'list 200 configmaps', path: '/api/v1/namespaces/bench/configmaps', concurrency: 1 },
  { name: 'list 200 configmaps', path: '/api/v1/namespaces/bench/configmaps', concurrency: 32 },
];

const results = new Map<string, { latencies: number[]; wallMs: number; count: number }>();
try {
  for (const target of targets) await load(target, cases[0]?.path ?? '/', 200, 4); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      // Targets take turns within each round, so that machine noise hits them alike.
      for (const target of targets) {
        const { latencies, wallMs } = await load(target, c.path, requestsPerCase, c.concurrency);
        const key = `${c.name}|${c.concurrency}|${target.name}`;
        const entry = results.get(key) ?? { latencies: [], wallMs: 0, count: 0 };
        entry.latencies.push(...latencies);
        entry.wallMs += wallMs;
        entry.count += latencies.length;
        results.set(key, entry);
        console.error(
          `round ${round + 1}/${rounds} ${c.name} c=${c.concurrency} ${target.name}: ${(latencies.length / (wallMs / 1000)).toFixed(0)} req/s`,
        );
      }
    }
  }
} finally {
  proxy.kill();
  await agent.stop();
  await gateway.stop();
  await run.stop();
}

console.log(
  '| case | concurrency | target | p50 ms | p99 ms | req/s | p50 vs direct | p99 vs direct | req/s vs direct |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const c of cases) {
  const stats = targets.map((target) => {
    const entry = results.get(`${c.name}|${c.concurrency}|${target.name}`);
    const sorted = [...(entry?.latencies ?? [])].sort((a, b) => a - b);
    return {
      target,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rps: (entry?.count ?? 0) / ((entry?.wallMs ?? 1) / 1000),
    };
  });
  const direct = stats[0];
  for (const s of stats) {
    const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '');
    console.log(
      `| ${c.name} | ${c.concurrency} | ${s.target.name} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.rps.toFixed(0)} | ${ratio(s.p50, direct?.p50)} (+${(s.p50 - (direct?.p50 ?? 0)).toFixed(2)} ms) | ${ratio(s.p99, direct?.p99)} (+${(s.p99 - (direct?.p99 ?? 0)).toFixed(2)} ms) | ${ratio(s.rps, direct?.rps)} |`,
    );
  }
}
