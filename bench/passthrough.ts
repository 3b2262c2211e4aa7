// Passthrough overhead: the same requests directly against the apiserver, through
// `kubectl proxy`, and through the gateway (agent tunnel, impersonation), side by side in
// one run. Prints p50 / p99 latency, throughput and the ratios to direct access.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { downstreamIdentity } from '../src/auth/principal.ts';
import { impersonationHeaders } from '../src/kube/identity.ts';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { kubectlBinary } from '../test/harness/kubectl.ts';
import { freePort } from '../test/harness/ports.ts';
import {
  addCpu,
  type CpuMeter,
  cpuDuring,
  processMeter,
  idleCpuPerMs as sampleIdleCpu,
  syscallMeter,
} from './cpu-meters.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    targets: { type: 'string', default: 'direct,direct as agent,kubectl proxy,gateway' },
    cases: { type: 'string', default: 'small-1,small-32,list-1,list-32' },
    encodings: { type: 'string', default: 'identity,gzip' },
    baseline: { type: 'string' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
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
  --encodings LIST
                 identity,gzip (default both): each case without and with the client
                 sending Accept-Encoding: gzip, as kubectl does
  --baseline DIR another checkout of the project (with node_modules): its gateway and agent
                 run beside this one's, on the same cluster, as the target "baseline", so that
                 a change is measured against the code before it in one run
  --out DIR      where profiles go (default .bench-out/passthrough-<time>)
  --cpu-prof     write V8 CPU profiles of the gateways and agents into --out, one folder
                 per process (open them in Chrome DevTools or speedscope)
  --pin          pin the gateway, the agent and this client to CPU 0 and the cluster's
                 processes (apiserver, etcd, ...) to CPU 1, so that the two sides do not
                 compete for a core (Linux, needs taskset)

Prints latency and throughput per case and target, the CPU time each process spent
per request (from /proc/<pid>/stat), which does not depend on how busy the machine is, and
the read and write system calls the gateway and the agent made per request (/proc/<pid>/io).`);
  process.exit(0);
}
const requestsPerCase = Number(values.requests);
const rounds = Number(values.rounds);
const wantedCases = new Set(values.cases.split(',').map((c) => c.trim()));
const encodings = values.encodings.split(',').map((e) => e.trim()) as ('identity' | 'gzip')[];
const outDir = resolve(
  values.out ?? `.bench-out/passthrough-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const wantedTargets = new Set(values.targets.split(',').map((t) => t.trim()));
if (values.baseline) wantedTargets.add('baseline');

interface Target {
  readonly name: string;
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly caPem?: string;
  /** The gateway and agent processes that serve this target, if any. */
  readonly gatewayPid?: number;
  readonly agentPid?: number;
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

/** Runs `count` GETs with `concurrency` in flight; returns latencies (ms), wall time, gzip answers. */
async function load(
  target: Target,
  path: string,
  count: number,
  concurrency: number,
  encoding: 'identity' | 'gzip' = 'identity',
) {
  const https = target.base.startsWith('https:');
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency, ca: target.caPem })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const send = https ? httpsRequest : httpRequest;
  const headers = encoding === 'gzip' ? { ...target.headers, 'accept-encoding': 'gzip' } : target.headers;
  const latencies: number[] = [];
  let gzipped = 0;
  let wireBytes = 0;
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = send(`${target.base}${path}`, { agent, headers }, (res) => {
        if (res.headers['content-encoding'] === 'gzip') gzipped++;
        res.on('data', (chunk: Buffer) => {
          wireBytes += chunk.length;
        });
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
  return { latencies, wallMs, gzipped, wireBytes };
}

/** NODE_OPTIONS that make a Node process write a CPU profile into `dir` when it exits. */
function profileEnv(dir: string): NodeJS.ProcessEnv {
  if (!values['cpu-prof']) return {};
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

console.error('starting a cluster, the gateway, an agent and kubectl proxy ...');
const run = await startClusters({ count: 1, namePrefix: 'bench' });
const cluster = run.clusters[0];
if (!cluster) throw new Error('no cluster');

/** A gateway and its agent, from this checkout or from the baseline's. */
async function fleetFrom(root: string | undefined, label: string) {
  mkdirSync(join(run.runDir, label), { recursive: true });
  const gateway = await GatewayProcess.start({
    dir: join(run.runDir, label),
    logLevel: 'warn',
    root,
    env: profileEnv(join(outDir, `${label}-gateway`)),
  });
  const registration = await registerCluster(gateway, `bench-${label}`);
  const agent = await AgentProcess.install(cluster as NonNullable<typeof cluster>, gateway, registration, {
    root,
    label: `${label}-agent`,
    env: profileEnv(join(outDir, `${label}-agent`)),
  });
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  return { gateway, agent, clusterId: registration.cluster.clusterId };
}
const fleets = [await fleetFrom(undefined, 'current')];
if (values.baseline) fleets.push(await fleetFrom(resolve(values.baseline), 'baseline'));
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
/** A token of the gateway's admin, from a kubeconfig the gateway hands out. */
async function gatewayToken(gateway: GatewayProcess, label: string): Promise<string> {
  const kubeconfigPath = join(run.runDir, `bench-${label}.kubeconfig`);
  await downloadKubeconfig(gateway, 'admin', gateway.adminPassword, kubeconfigPath);
  return (parse(await readFile(kubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] }).users[0]
    ?.user.token as string;
}
const proxyPort = await freePort();
const proxy = spawn(
  kubectlBinary,
  ['--kubeconfig', cluster.kubeconfigs.admin, 'proxy', `--port=${proxyPort}`],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 1500));

/** The processes whose CPU time is counted per request. */
const measured: CpuMeter[] = [
  processMeter('client', process.pid),
  ...fleets.flatMap((f, i) => [
    processMeter(i ? 'baseline gateway' : 'gateway', f.gateway.process?.pid),
    processMeter(i ? 'baseline agent' : 'agent', f.agent.process?.pid),
  ]),
  // Read and write system calls: not CPU, but counted and reported per request the same way.
  ...fleets.flatMap((f, i) => [
    syscallMeter(i ? 'baseline gateway syscalls' : 'gateway syscalls', f.gateway.process?.pid),
    syscallMeter(i ? 'baseline agent syscalls' : 'agent syscalls', f.agent.process?.pid),
  ]),
  processMeter('kubectl proxy', proxy.pid),
  processMeter('apiserver', cluster.processes.find((p) => p.name === 'kube-apiserver')?.pid),
  processMeter(
    'etcd',
    (run.sharedEtcd?.process ?? cluster.processes.find((p) => p.name.startsWith('etcd')))?.pid,
  ),
];
if (values.pin) {
  const pin = (cpu: number, pid: number | undefined) => {
    if (pid !== undefined)
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
  };
  for (const pid of [
    process.pid,
    proxy.pid,
    ...fleets.flatMap((f) => [f.gateway.process?.pid, f.agent.process?.pid]),
  ])
    pin(0, pid);
  for (const p of [...cluster.processes, ...(run.sharedEtcd ? [run.sharedEtcd.process] : [])]) pin(1, p.pid);
  console.error('pinned gateways, agents, kubectl proxy and client to CPU 0; the cluster to CPU 1');
}

// The agent's own ServiceAccount token, from the kubeconfig the harness gave it.
const agentToken = (
  parse(await readFile(join(cluster.dir, 'current-agent.kubeconfig'), 'utf8')) as {
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
  ...(await Promise.all(
    fleets.map(async (f, i) => ({
      name: i ? 'baseline' : 'gateway',
      base: `${f.gateway.url}/k8s/clusters/${f.clusterId}`,
      headers: { authorization: `Bearer ${await gatewayToken(f.gateway, i ? 'baseline' : 'current')}` },
      caPem: f.gateway.caPem,
      gatewayPid: f.gateway.process?.pid,
      agentPid: f.agent.process?.pid,
    })),
  )),
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
]
  .filter((c) => wantedCases.has(c.id))
  .flatMap((c) =>
    encodings.map((encoding) => ({
      ...c,
      encoding,
      name: `${c.name}${encoding === 'gzip' ? ', gzip' : ''}`,
    })),
  );

interface Cell {
  latencies: number[];
  wallMs: number;
  count: number;
  gzipped: number;
  wireBytes: number;
  /** CPU ms spent per process during this cell's runs. */
  cpu: Map<string, number>;
}
const results = new Map<string, Cell>();
const IDLE_SAMPLE_MS = 5000;
/** CPU ms per wall ms each process spends while no requests are sent. */
let idleCpuPerMs = new Map<string, number>();
try {
  for (const target of targets) await load(target, cases[0]?.path ?? '/', 200, 4); // warm-up
  // What each process spends with no requests (the cluster's controllers, heartbeats) is
  // taken out of the CPU time per request below.
  idleCpuPerMs = await sampleIdleCpu(measured, IDLE_SAMPLE_MS);
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) {
      // Targets take turns within each round, so that machine noise hits them alike.
      for (const target of targets) {
        const { result, cpu } = await cpuDuring(measured, () =>
          load(target, c.path, requestsPerCase, c.concurrency, c.encoding),
        );
        const { latencies, wallMs, gzipped, wireBytes } = result;
        const key = `${c.name}|${c.concurrency}|${target.name}`;
        const entry = results.get(key) ?? {
          latencies: [],
          wallMs: 0,
          count: 0,
          gzipped: 0,
          wireBytes: 0,
          cpu: new Map<string, number>(),
        };
        addCpu(entry.cpu, cpu);
        entry.latencies.push(...latencies);
        entry.wallMs += wallMs;
        entry.count += latencies.length;
        entry.gzipped += gzipped;
        entry.wireBytes += wireBytes;
        results.set(key, entry);
        console.error(
          `round ${round + 1}/${rounds} ${c.name} c=${c.concurrency} ${target.name}: ${(latencies.length / (wallMs / 1000)).toFixed(0)} req/s`,
        );
      }
    }
  }
} finally {
  proxy.kill();
  for (const f of fleets) {
    await f.agent.stop();
    await f.gateway.stop();
  }
  await run.stop();
}

/** CPU ms per request of one process in one cell, less its idle CPU. */
function cpuPerRequest(entry: Cell | undefined, processName: string): number {
  const idle = (idleCpuPerMs.get(processName) ?? 0) * (entry?.wallMs ?? 0);
  return ((entry?.cpu.get(processName) ?? 0) - idle) / (entry?.count || 1);
}
/** The names under which a target's gateway and agent are measured. */
const rolesOf = (target: Target) =>
  target.name === 'baseline' ? ['baseline gateway', 'baseline agent'] : ['gateway', 'agent'];

console.log(
  '| case | concurrency | target | p50 ms | p99 ms | req/s | p50 vs direct | p99 vs direct | req/s vs direct | gzip answers | KB per answer |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const summary: {
  c: (typeof cases)[number];
  target: Target;
  p50: number;
  rps: number;
  direct?: { p50: number; rps: number };
}[] = [];
for (const c of cases) {
  const stats = targets.map((target) => {
    const entry = results.get(`${c.name}|${c.concurrency}|${target.name}`);
    const sorted = [...(entry?.latencies ?? [])].sort((a, b) => a - b);
    return {
      target,
      entry,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      rps: (entry?.count ?? 0) / ((entry?.wallMs ?? 1) / 1000),
    };
  });
  const direct = stats.find((s) => s.target.name === 'direct');
  for (const s of stats) {
    const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}x` : '');
    const count = s.entry?.count || 1;
    console.log(
      `| ${c.name} | ${c.concurrency} | ${s.target.name} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.rps.toFixed(0)} | ${ratio(s.p50, direct?.p50)} (${signed(s.p50 - (direct?.p50 ?? 0))} ms) | ${ratio(s.p99, direct?.p99)} (${signed(s.p99 - (direct?.p99 ?? 0))} ms) | ${ratio(s.rps, direct?.rps)} | ${(((s.entry?.gzipped ?? 0) / count) * 100).toFixed(0)} % | ${((s.entry?.wireBytes ?? 0) / count / 1000).toFixed(1)} |`,
    );
    summary.push({ c, target: s.target, p50: s.p50, rps: s.rps, direct });
  }
}

console.log('');
console.log(
  "CPU time per request (ms, user + system, from /proc/<pid>/stat, less what the process spends idle; gateway and agent are the target's own):",
);
console.log('');
const others = measured.filter((m) => !/gateway|agent/.test(m.name));
console.log(
  `| case | concurrency | target | gateway | agent | gateway + agent | ${others.map((m) => m.name).join(' | ')} |`,
);
console.log(`| --- | --- | --- | --- | --- | --- | ${others.map(() => '---').join(' | ')} |`);
for (const c of cases) {
  for (const target of targets) {
    const entry = results.get(`${c.name}|${c.concurrency}|${target.name}`);
    const [gatewayRole, agentRole] = rolesOf(target) as [string, string];
    const gatewayCpu = cpuPerRequest(entry, gatewayRole);
    const agentCpu = cpuPerRequest(entry, agentRole);
    const rest = others.map((m) => cpuPerRequest(entry, m.name).toFixed(3));
    console.log(
      `| ${c.name} | ${c.concurrency} | ${target.name} | ${gatewayCpu.toFixed(3)} | ${agentCpu.toFixed(3)} | ${(gatewayCpu + agentCpu).toFixed(3)} | ${rest.join(' | ')} |`,
    );
  }
}

console.log('');
console.log(
  'Read and write system calls per request (syscr + syscw from /proc/<pid>/io, less the idle rate; each TLS write or read is one):',
);
console.log('');
console.log('| case | concurrency | target | gateway | agent |');
console.log('| --- | --- | --- | --- | --- |');
for (const c of cases) {
  for (const target of targets.filter((t) => t.name === 'gateway' || t.name === 'baseline')) {
    const entry = results.get(`${c.name}|${c.concurrency}|${target.name}`);
    const [gatewayRole, agentRole] = rolesOf(target) as [string, string];
    console.log(
      `| ${c.name} | ${c.concurrency} | ${target.name} | ${cpuPerRequest(entry, `${gatewayRole} syscalls`).toFixed(2)} | ${cpuPerRequest(entry, `${agentRole} syscalls`).toFixed(2)} |`,
    );
  }
}

const gatewayTargets = targets.filter((t) => t.name === 'gateway' || t.name === 'baseline');
if (gatewayTargets.length) {
  console.log('');
  console.log('Against the bar (gateway + agent CPU per request; the gateway against direct, same run):');
  console.log('');
  console.log(
    '| case | concurrency | target | gateway + agent CPU ms | p50 over direct, ms | req/s vs direct |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const s of summary.filter((row) => gatewayTargets.includes(row.target))) {
    const entry = results.get(`${s.c.name}|${s.c.concurrency}|${s.target.name}`);
    const [gatewayRole, agentRole] = rolesOf(s.target) as [string, string];
    const both = cpuPerRequest(entry, gatewayRole) + cpuPerRequest(entry, agentRole);
    console.log(
      `| ${s.c.name} | ${s.c.concurrency} | ${s.target.name} | ${both.toFixed(3)} | ${s.direct ? signed(s.p50 - s.direct.p50) : ''} | ${s.direct ? `${(s.rps / s.direct.rps).toFixed(2)}x` : ''} |`,
    );
  }
}
if (values['cpu-prof']) console.error(`CPU profiles in ${outDir}`);
