// Passthrough overhead: the same requests directly against the apiserver, through
// `kubectl proxy`, and through the gateway (agent tunnel, impersonation), side by side in
// one run. Prints p50 / p99 latency, throughput and the ratios to direct access.
import { execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { downstreamIdentity } from '../src/auth/principal.ts';
import { impersonationHeaders } from '../src/kube/identity.ts';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { kubectlBinary } from '../test/harness/kubectl.ts';
import { freePort } from '../test/harness/ports.ts';
import { cpuMs as processCpuMs } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'direct,direct as agent,kubectl proxy,gateway' },
    cases: { type: 'string', default: 'small-1,small-32,list-1,list-32' },
    pin: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/passthrough.ts [options]

  --requests N   requests per case, target and round (default 2000)
  --rounds N     rounds; targets take turns within each (default 3)
  --targets LIST comma-separated subset of: direct,direct as agent,kubectl proxy,gateway
                 ("direct as agent" sends the agent's token and the Impersonate-* headers the
                 gateway sends straight to the apiserver: what the apiserver itself spends
                 on the agent's identity and on impersonation)
  --cases LIST   comma-separated subset of: small-1,small-32,list-1,list-32
  --pin          pin the gateway, the agent and this client to CPU 0 and the cluster's
                 processes (apiserver, etcd, ...) to CPU 1, so that the two sides do not
                 compete for a core (Linux, needs taskset)

Prints latency and throughput per case and target, and the CPU time each process spent
per request (from /proc/<pid>/stat), which does not depend on how busy the machine is.`);
  process.exit(0);
}
const requestsPerCase = Number(values.requests);
const rounds = Number(values.rounds);
const wantedTargets = new Set(values.targets.split(',').map((t) => t.trim()));
const wantedCases = new Set(values.cases.split(',').map((c) => c.trim()));

interface Target {
  readonly name: string;
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly caPem?: string;
}

/** CPU time (user + system, ms) a process has used so far; NaN for a process not running. */
function cpuMs(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : processCpuMs(pid);
}

/** The gateway's Impersonate-* headers for a person, as one header object (repeats joined). */
function impersonationAs(principal: Parameters<typeof downstreamIdentity>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of impersonationHeaders(downstreamIdentity(principal)))
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  return headers;
}

const signed = (ms: number) => `${ms < 0 ? '' : '+'}${ms.toFixed(2)}`;

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

/** The processes whose CPU time is counted per request. */
const measured: { name: string; pid: number | undefined }[] = [
  { name: 'client', pid: process.pid },
  { name: 'gateway', pid: gateway.process?.pid },
  { name: 'agent', pid: agent.process?.pid },
  { name: 'kubectl proxy', pid: proxy.pid },
  { name: 'apiserver', pid: cluster.processes.find((p) => p.name === 'kube-apiserver')?.pid },
  {
    name: 'etcd',
    pid: (run.sharedEtcd?.process ?? cluster.processes.find((p) => p.name.startsWith('etcd')))?.pid,
  },
];
if (values.pin) {
  const pin = (cpu: number, pid: number | undefined) => {
    if (pid !== undefined)
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  };
  for (const pid of [process.pid, gateway.process?.pid, agent.process?.pid, proxy.pid]) pin(0, pid);
  for (const p of [...cluster.processes, ...(run.sharedEtcd ? [run.sharedEtcd.process] : [])]) pin(1, p.pid);
  console.error('pinned gateway, agent, kubectl proxy and client to CPU 0; the cluster to CPU 1');
}

// The agent's own ServiceAccount token, from the kubeconfig the harness gave it.
const agentToken = (
  parse(await readFile(join(cluster.dir, 'agent.kubeconfig'), 'utf8')) as {
    users: { user: { token: string } }[];
  }
).users[0]?.user.token as string;
const allTargets: Target[] = [
  {
    name: 'direct',
    base: cluster.server,
    headers: { authorization: `Bearer ${cluster.tokens.admin}` },
    caPem: cluster.caPem,
  },
  {
    name: 'direct as agent',
    base: cluster.server,
    headers: {
      authorization: `Bearer ${agentToken}`,
      ...impersonationAs({
        principalId: 'local:admin',
        provider: 'local',
        name: 'admin',
        groups: [],
        isAdmin: true,
      }),
    },
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
const targets = allTargets.filter((t) => wantedTargets.has(t.name));
const cases = [
  { id: 'small-1', name: 'small GET', path: '/api/v1/namespaces/default', concurrency: 1 },
  { id: 'small-32', name: 'small GET', path: '/api/v1/namespaces/default', concurrency: 32 },
  { id: 'list-1', name: 'list 200 configmaps', path: '/api/v1/namespaces/bench/configmaps', concurrency: 1 },
  {
    id: 'list-32',
    name: 'list 200 configmaps',
    path: '/api/v1/namespaces/bench/configmaps',
    concurrency: 32,
  },
].filter((c) => wantedCases.has(c.id));

interface Cell {
  latencies: number[];
  wallMs: number;
  count: number;
  /** CPU ms spent per process during this cell's runs. */
  cpu: Map<string, number>;
}
const results = new Map<string, Cell>();
const IDLE_SAMPLE_MS = 5000;
/** CPU ms per wall ms each process spends while no requests are sent. */
const idleCpuPerMs = new Map<string, number>();
try {
  for (const target of targets) await load(target, cases[0]?.path ?? '/', 200, 4); // warm-up
  // What each process spends with no requests (the cluster's controllers, heartbeats) is
  // taken out of the CPU time per request below.
  const idleBefore = measured.map((m) => cpuMs(m.pid));
  const idleStarted = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
  const idleWallMs = performance.now() - idleStarted;
  for (const [i, m] of measured.entries())
    idleCpuPerMs.set(m.name, (cpuMs(m.pid) - (idleBefore[i] ?? 0)) / idleWallMs);
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      // Targets take turns within each round, so that machine noise hits them alike.
      for (const target of targets) {
        const cpuBefore = measured.map((m) => cpuMs(m.pid));
        const { latencies, wallMs } = await load(target, c.path, requestsPerCase, c.concurrency);
        const cpuAfter = measured.map((m) => cpuMs(m.pid));
        const key = `${c.name}|${c.concurrency}|${target.name}`;
        const entry = results.get(key) ?? {
          latencies: [],
          wallMs: 0,
          count: 0,
          cpu: new Map<string, number>(),
        };
        for (const [i, m] of measured.entries())
          entry.cpu.set(m.name, (entry.cpu.get(m.name) ?? 0) + (cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0));
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
  const direct = stats.find((s) => s.target.name === 'direct');
  for (const s of stats) {
    const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '');
    console.log(
      `| ${c.name} | ${c.concurrency} | ${s.target.name} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.rps.toFixed(0)} | ${ratio(s.p50, direct?.p50)} (${signed(s.p50 - (direct?.p50 ?? 0))} ms) | ${ratio(s.p99, direct?.p99)} (${signed(s.p99 - (direct?.p99 ?? 0))} ms) | ${ratio(s.rps, direct?.rps)} |`,
    );
  }
}

console.log('');
console.log(
  'CPU time per request (ms, user + system, from /proc/<pid>/stat, less what the process spends idle):',
);
console.log('');
console.log(`| case | concurrency | target | ${measured.map((m) => m.name).join(' | ')} |`);
console.log(`| --- | --- | --- | ${measured.map(() => '---').join(' | ')} |`);
for (const c of cases) {
  for (const target of targets) {
    const entry = results.get(`${c.name}|${c.concurrency}|${target.name}`);
    const perRequest = measured.map((m) => {
      const idle = (idleCpuPerMs.get(m.name) ?? 0) * (entry?.wallMs ?? 0);
      return (((entry?.cpu.get(m.name) ?? 0) - idle) / (entry?.count || 1)).toFixed(3);
    });
    console.log(`| ${c.name} | ${c.concurrency} | ${target.name} | ${perRequest.join(' | ')} |`);
  }
}
