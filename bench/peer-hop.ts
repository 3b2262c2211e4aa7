// Passthrough through the replica holding the cluster's tunnel vs through another replica,
// which reaches it over its peer link (docs/replicas.md §5): the same GETs, taking turns in
// one run. Prints p50 / p99 latency, throughput, and the CPU each process spent per request.

import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentProcess, type GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters, type TestCluster } from '../test/harness/index.ts';
import { startReplicas } from '../test/replicas/replica-fleet.ts';
import { addCpu, cpuDuring, processMeter } from './cpu-meters.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/peer-hop.ts [--requests N] [--rounds N]

  --requests N  GETs per case, target and round (default 1000)
  --rounds N    rounds; the two targets take turns within each (default 3)`);
  process.exit(0);
}
const requests = Number(values.requests);
const rounds = Number(values.rounds);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function load(
  base: string,
  caPem: string,
  token: string,
  path: string,
  count: number,
  concurrency: number,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: caPem });
  const latencies: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        `${base}${path}`,
        { agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) reject(new Error(`${base}${path}: ${res.statusCode}`));
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
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

console.error('starting a management cluster, a downstream cluster, two replicas and an agent ...');
const run = await startClusters({ count: 2, namePrefix: 'hopbench' });
try {
  const [management, downstream] = run.clusters as [TestCluster, TestCluster];
  const replicas = await startReplicas(management, join(run.runDir, 'replicas'), 2, 'fleetgate-system', {
    sharedTls: true,
  });
  const [holder, peer] = replicas as [GatewayProcess, GatewayProcess];
  const registration = await registerCluster(holder, 'hop');
  const agent = await AgentProcess.install(downstream, holder, registration);
  await peer.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await downstream.kubectlOk('admin', [
    'create',
    'clusterrolebinding',
    'bench-reads',
    '--clusterrole=view',
    '--user=local:admin',
  ]);
  const login = await holder.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: holder.adminPassword }),
  });
  const { token } = JSON.parse(login.text) as { token: string };
  const targets = [
    { name: 'through the holder', gateway: holder },
    { name: 'through a peer (one hop)', gateway: peer },
  ];
  const path = '/api/v1/namespaces/default/serviceaccounts/default';
  const meters = [
    processMeter('holder', holder.process?.pid),
    processMeter('peer', peer.process?.pid),
    processMeter('agent', agent.process?.pid),
  ];
  const rows: string[] = [];
  for (const concurrency of [1, 32]) {
    const results = new Map<string, { latencies: number[]; wallMs: number; cpu: Map<string, number> }>();
    for (let round = 0; round < rounds; round++) {
      for (const target of targets) {
        const base = `${target.gateway.url}/k8s/clusters/${registration.cluster.clusterId}`;
        const { result, cpu } = await cpuDuring(meters, () =>
          load(base, target.gateway.caPem, token, path, requests, concurrency),
        );
        const entry = results.get(target.name) ?? {
          latencies: [],
          wallMs: 0,
          cpu: new Map<string, number>(),
        };
        entry.latencies.push(...result.latencies);
        entry.wallMs += result.wallMs;
        addCpu(entry.cpu, cpu);
        results.set(target.name, entry);
      }
    }
    const direct = results.get(targets[0]?.name as string);
    for (const [name, entry] of results) {
      entry.latencies.sort((a, b) => a - b);
      const total = requests * rounds;
      const perRequest = (k: string) => ((entry.cpu.get(k) ?? 0) / total) * 1000;
      const p50 = percentile(entry.latencies, 50);
      const ratio = direct ? (p50 / percentile(direct.latencies, 50)).toFixed(2) : '';
      rows.push(
        `| ${concurrency} | ${name} | ${p50.toFixed(2)} | ${percentile(entry.latencies, 99).toFixed(2)} | ${Math.round(total / (entry.wallMs / 1000))} | ${perRequest('holder').toFixed(0)} | ${perRequest('peer').toFixed(0)} | ${perRequest('agent').toFixed(0)} | ${ratio} |`,
      );
    }
  }
  console.log(`| in flight | target | p50 ms | p99 ms | req/s | holder CPU µs/req | peer CPU µs/req | agent CPU µs/req | p50 ratio |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`);
  await agent.stop();
  await Promise.all(replicas.map((r) => r.stop()));
} finally {
  await run.stop();
}
