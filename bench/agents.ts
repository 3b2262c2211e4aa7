// Agents at scale: 100, 500 and 2,000 agents on one gateway process. Real apiservers (a
// few, shared), a real gateway process, real agent tunnels (bench/agent-swarm.ts runs many
// AgentConnectors in one process). Measures the gateway's memory and CPU idle and with N
// agents, the time until all N are Active again after a gateway restart (and how the
// reconnecting agents spread out), and the time until a lost agent shows Disconnected, for
// an agent killed (its socket closes) and one stopped with SIGSTOP (its socket stays open).
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Cluster } from '../src/clusters/cluster.ts';
import { AGENT_NAME, AGENT_NAMESPACE } from '../src/clusters/install-manifest.ts';
import { HEARTBEAT_INTERVAL_MS, LIVENESS_TIMEOUT_MS } from '../src/shared/tunnel/limits.ts';
import { GatewayProcess } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { writeKubeconfig } from '../test/harness/kubeconfig.ts';
import type { SwarmConfig } from './agent-swarm.ts';
import { cpuMs } from './process-cpu.ts';
import { cpuShare, heapAfterGc, memoryProbeNodeOptions, residentBytes } from './process-sampler.ts';
import { SwarmProcess } from './swarm-process.ts';

const HELP = `Usage: node bench/agents.ts [options]

  --agents LIST           agent counts, ascending (default 100,500,2000)
  --apiservers N          real clusters the agents share (default 2)
  --rounds N              lost-agent detections of each kind per count (default 3)
  --settle-s N            wait after all connect before sampling (default 20; > health interval)
  --start-spread-ms N     agents first connect at random times within this (default 5000)
  --register-concurrency N  registrations in flight (default 16)
  --heartbeat-ms N        gateway heartbeat (default: the protocol's, ${HEARTBEAT_INTERVAL_MS})
  --liveness-ms N         gateway liveness timeout (default: the protocol's, ${LIVENESS_TIMEOUT_MS})
  --profile-dir DIR       write CPU profiles of the gateway and the swarms there
  -h, --help              this text

Progress goes to standard error, the result tables (markdown) to standard output.`;

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '100,500,2000' },
    apiservers: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    'settle-s': { type: 'string', default: '20' },
    'start-spread-ms': { type: 'string', default: '5000' },
    'register-concurrency': { type: 'string', default: '16' },
    'heartbeat-ms': { type: 'string' },
    'liveness-ms': { type: 'string' },
    'profile-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const counts = values.agents.split(',').map(Number);
const apiserverCount = Number(values.apiservers);
const rounds = Number(values.rounds);
const settleMs = Number(values['settle-s']) * 1000;
const startSpreadMs = Number(values['start-spread-ms']);
const registerConcurrency = Number(values['register-concurrency']);
const heartbeatMs = values['heartbeat-ms'] ? Number(values['heartbeat-ms']) : HEARTBEAT_INTERVAL_MS;
const livenessMs = values['liveness-ms'] ? Number(values['liveness-ms']) : LIVENESS_TIMEOUT_MS;
if (counts.some((n, i) => !(Number.isInteger(n) && n > 0) || (i > 0 && n <= (counts[i - 1] as number)))) {
  throw new Error('--agents must list ascending positive integers');
}

const began = Date.now();
function progress(message: string): void {
  console.error(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`);
}
const MiB = 1024 * 1024;
const fmt = (n: number, digits = 1) => n.toFixed(digits);
const profileOptions = values['profile-dir'] ? ` --cpu-prof --cpu-prof-dir=${values['profile-dir']}` : '';

console.error(`starting ${apiserverCount} clusters and the gateway ...`);
const run = await startClusters({ count: apiserverCount, namePrefix: 'agents', nodeCount: 1 });
const memoryFile = join(run.runDir, 'gateway-memory.json');
const gateway = await GatewayProcess.start({
  dir: run.runDir,
  logLevel: 'warn',
  heartbeatMs: values['heartbeat-ms'] ? heartbeatMs : undefined,
  livenessMs: values['liveness-ms'] ? livenessMs : undefined,
  env: {
    NODE_OPTIONS: `${memoryProbeNodeOptions}${profileOptions}`,
    FLEETGATE_BENCH_MEMORY_FILE: memoryFile,
  },
});
const gatewayPid = () => gateway.process?.pid as number;

// The admin's bearer token: HTTP Basic would cost a password hash on every call.
const login = await gateway.request('/v1/auth/login', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: gateway.adminPassword }),
});
const adminToken = (JSON.parse(login.text) as { token: string }).token;
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await gateway.request(path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as T;
}

interface Registered {
  readonly clusterId: string;
  readonly registrationToken: string;
  readonly installUrl: string;
}
async function register(name: string): Promise<Registered> {
  const answer = await api<{ cluster: Cluster; registrationToken: string; installUrl: string }>(
    'POST',
    '/v1/clusters',
    { name },
  );
  return { clusterId: answer.cluster.clusterId, ...answer };
}

/** Registers clusters from..to-1 with `registerConcurrency` requests in flight. */
async function registerMany(from: number, to: number): Promise<Registered[]> {
  const out: Registered[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: registerConcurrency }, async () => {
      while (next < to) {
        const index = next++;
        out[index - from] = await register(`swarm-${index + 1}`);
      }
    }),
  );
  return out;
}

async function clustersById(): Promise<Map<string, Cluster>> {
  const { clusters } = await api<{ clusters: Cluster[] }>('GET', '/v1/clusters');
  return new Map(clusters.map((c) => [c.clusterId, c]));
}

/** Polls the cluster list until every one of `ids` is Active; returns them as last seen. */
async function waitAllActive(ids: readonly string[], timeoutMs: number): Promise<Cluster[]> {
  const deadline = Date.now() + timeoutMs;
  let active = 0;
  while (Date.now() < deadline) {
    const byId = await clustersById().catch(() => new Map<string, Cluster>());
    const seen = ids.map((id) => byId.get(id));
    active = seen.filter((c) => c?.state === 'Active').length;
    if (active === ids.length) return seen as Cluster[];
    await sleep(1000);
  }
  throw new Error(`only ${active} of ${ids.length} clusters Active after ${timeoutMs} ms`);
}

async function waitForState(clusterId: string, state: string, timeoutMs: number): Promise<Cluster> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { cluster } = await api<{ cluster: Cluster }>('GET', `/v1/clusters/${clusterId}`);
    if (cluster.state === state) return cluster;
    await sleep(100);
  }
  throw new Error(`cluster ${clusterId} not ${state} after ${timeoutMs} ms`);
}

// The agents' ServiceAccount on every real cluster, installed from a real install manifest,
// and a kubeconfig holding its token: what each agent in the swarm uses.
progress('installing the agent ServiceAccount on the real clusters');
const victim = await register('victim');
const manifest = await gateway.request(new URL(victim.installUrl).pathname);
const kubeconfigs: string[] = [];
for (const cluster of run.clusters) {
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], { stdin: manifest.text });
  const saToken = (
    await cluster.kubectlOk('admin', ['create', 'token', AGENT_NAME, '-n', AGENT_NAMESPACE, '--duration=24h'])
  ).trim();
  const path = join(cluster.dir, 'swarm-agent.kubeconfig');
  await writeKubeconfig(path, {
    clusterName: cluster.name,
    server: cluster.server,
    caPem: cluster.caPem,
    userName: 'agent',
    token: saToken,
  });
  kubeconfigs.push(path);
}
const swarmConfig = (agents: readonly Registered[], spreadMs: number): SwarmConfig => ({
  gatewayUrl: gateway.url,
  gatewayCaPem: gateway.caPem,
  kubeconfigs,
  agents: agents.map((a, i) => ({
    registrationToken: a.registrationToken,
    kubeconfig: i % kubeconfigs.length,
  })),
  startSpreadMs: spreadMs,
  credentialDir: join(run.runDir, 'swarm-credentials'),
});

interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly cpu: number;
}
async function sampleGateway(): Promise<MemorySample> {
  const cpu = await cpuShare(gatewayPid(), 10_000);
  const heap = await heapAfterGc(gatewayPid(), memoryFile);
  return { rss: residentBytes(gatewayPid()), heapUsed: heap.heapUsed, external: heap.external, cpu };
}

interface Detection {
  readonly kind: 'killed' | 'stopped';
  readonly seconds: number;
  readonly reason: string;
}
/** Connects the victim agent alone in its process, loses it, and times the gateway noticing. */
async function detectLoss(kind: Detection['kind']): Promise<Detection> {
  const agentProcess = await SwarmProcess.start(run.runDir, 'victim', swarmConfig([victim], 0));
  try {
    await waitForState(victim.clusterId, 'Active', 30_000);
    // A random phase against the heartbeat, so that rounds sample the whole range.
    await sleep(1000 + Math.random() * heartbeatMs);
    const lostAt = Date.now();
    agentProcess.signal(kind === 'killed' ? 'SIGKILL' : 'SIGSTOP');
    const cluster = await waitForState(victim.clusterId, 'Disconnected', livenessMs + heartbeatMs + 60_000);
    return {
      kind,
      seconds: (Date.parse(cluster.stateChangedAt) - lostAt) / 1000,
      reason: cluster.stateReason,
    };
  } finally {
    await agentProcess.kill();
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
function peakPerSecond(times: readonly number[]): number {
  const buckets = new Map<number, number>();
  for (const t of times) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...buckets.values());
}

interface CpuSeconds {
  readonly gateway: number;
  readonly swarm: number;
}

interface SizeResult {
  readonly agents: number;
  readonly registerSeconds: number;
  readonly idle: MemorySample;
  readonly connected: MemorySample;
  readonly afterRestart: MemorySample;
  readonly swarmRss: number;
  readonly coldStartSeconds: number;
  /** CPU seconds used while the agents first connected. */
  readonly coldStartCpu: CpuSeconds;
  readonly restart: {
    readonly servingSeconds: number;
    readonly allActiveFromStop: number;
    readonly allActiveFromServing: number;
    readonly connectP50: number;
    readonly connectP99: number;
    readonly attempts: number;
    readonly peakAttemptsPerSecond: number;
    readonly peakConnectsPerSecond: number;
    readonly failures: Record<string, number>;
    /** CPU seconds: the new gateway from its start, the swarm from the stop, until all are Active. */
    readonly cpu: CpuSeconds;
  };
  readonly detections: Detection[];
}

const results: SizeResult[] = [];
const registered: Registered[] = [];
let swarm: SwarmProcess | undefined;
try {
  const baseline = await (async () => {
    await sleep(5_000);
    return sampleGateway();
  })();
  progress(
    `gateway with no clusters: RSS ${fmt(baseline.rss / MiB)} MiB, heap ${fmt(baseline.heapUsed / MiB)} MiB`,
  );

  for (const count of counts) {
    progress(`registering clusters ${registered.length + 1}..${count}`);
    const registerStart = performance.now();
    registered.push(...(await registerMany(registered.length, count)));
    const registerSeconds = (performance.now() - registerStart) / 1000;
    const ids = registered.map((r) => r.clusterId);

    progress(`restarting the gateway with ${count} clusters and no agents`);
    await gateway.restart();
    await sleep(5_000);
    const idle = await sampleGateway();

    progress(`starting ${count} agents (first attempts spread over ${startSpreadMs} ms)`);
    const coldStart = Date.now();
    const coldGatewayCpu = cpuMs(gatewayPid());
    swarm = await SwarmProcess.start(
      run.runDir,
      `swarm-${count}`,
      swarmConfig(registered, startSpreadMs),
      profileOptions.trim(),
    );
    await waitAllActive(ids, 300_000);
    const coldStartSeconds = (Date.now() - coldStart) / 1000;
    const coldStartCpu = {
      gateway: (cpuMs(gatewayPid()) - coldGatewayCpu) / 1000,
      swarm: cpuMs(swarm.pid) / 1000,
    };
    progress(`all ${count} Active after ${fmt(coldStartSeconds)} s; settling ${settleMs / 1000} s`);
    await sleep(settleMs);
    const connected = await sampleGateway();
    const swarmRss = residentBytes(swarm.pid);
    progress(
      `connected: RSS ${fmt(connected.rss / MiB)} MiB, heap ${fmt(connected.heapUsed / MiB)} MiB, CPU ${fmt(connected.cpu * 100)} %`,
    );

    const detections: Detection[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const kind of ['killed', 'stopped'] as const) {
        const detection = await detectLoss(kind);
        detections.push(detection);
        progress(`lost agent (${kind}) detected after ${fmt(detection.seconds, 2)} s: ${detection.reason}`);
      }
    }

    progress('restarting the gateway with every agent connected');
    await swarm.stats();
    const swarmCpuBefore = cpuMs(swarm.pid);
    const stoppedAt = Date.now();
    await gateway.restart();
    const servingAt = Date.now();
    const clusters = await waitAllActive(ids, 300_000);
    const lastConnect = Math.max(...clusters.map((c) => Date.parse(c.lastConnectedAt ?? '')));
    const restartCpu = {
      gateway: cpuMs(gatewayPid()) / 1000,
      swarm: (cpuMs(swarm.pid) - swarmCpuBefore) / 1000,
    };
    const stats = await swarm.stats();
    const connects = stats.connectTimes.map((t) => (t - servingAt) / 1000).sort((a, b) => a - b);
    const restart = {
      servingSeconds: (servingAt - stoppedAt) / 1000,
      allActiveFromStop: (lastConnect - stoppedAt) / 1000,
      allActiveFromServing: (lastConnect - servingAt) / 1000,
      connectP50: percentile(connects, 50),
      connectP99: percentile(connects, 99),
      attempts: stats.attemptTimes.length,
      peakAttemptsPerSecond: peakPerSecond(stats.attemptTimes),
      peakConnectsPerSecond: peakPerSecond(stats.connectTimes),
      failures: { ...swarm.status?.failures },
      cpu: restartCpu,
    };
    progress(
      `all Active ${fmt(restart.allActiveFromStop)} s after the stop (${fmt(restart.allActiveFromServing)} s after serving); ${restart.attempts} attempts`,
    );
    await sleep(settleMs);
    const afterRestart = await sampleGateway();
    results.push({
      agents: count,
      registerSeconds,
      idle,
      connected,
      afterRestart,
      swarmRss,
      coldStartSeconds,
      coldStartCpu,
      restart,
      detections,
    });
    await swarm.stop();
    swarm = undefined;
  }

  printTables(baseline);
} finally {
  await swarm?.kill();
  await gateway.stop();
  await run.stop();
}

function printTables(baseline: MemorySample): void {
  const kib = (bytes: number) => fmt(bytes / 1024, 0);
  console.log(
    `Gateway: heartbeat ${heartbeatMs} ms, liveness timeout ${livenessMs} ms; ${apiserverCount} real apiservers. ` +
      `No clusters: RSS ${fmt(baseline.rss / MiB)} MiB, heap ${fmt(baseline.heapUsed / MiB)} MiB, CPU ${fmt(baseline.cpu * 100)} %.\n`,
  );
  console.log(
    '| agents | registered in | RSS idle | RSS connected | RSS after restart | heap idle | heap connected | per agent: RSS | per agent: heap | CPU idle | CPU connected | swarm RSS per agent |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.agents} | ${fmt(r.registerSeconds)} s | ${fmt(r.idle.rss / MiB)} MiB | ${fmt(r.connected.rss / MiB)} MiB | ${fmt(r.afterRestart.rss / MiB)} MiB | ` +
        `${fmt(r.idle.heapUsed / MiB)} MiB | ${fmt(r.connected.heapUsed / MiB)} MiB | ${kib((r.connected.rss - r.idle.rss) / r.agents)} KiB | ` +
        `${kib((r.connected.heapUsed - r.idle.heapUsed) / r.agents)} KiB | ${fmt(r.idle.cpu * 100)} % | ${fmt(r.connected.cpu * 100)} % | ${kib(r.swarmRss / r.agents)} KiB |`,
    );
  }
  console.log(
    '\n| agents | first connect: all Active after | CPU gateway / swarm | restart: serving again after stop | all Active after stop | after serving | connect p50 / p99 after serving | CPU gateway / swarm | attempts | peak attempts/s | peak connects/s | failed attempts |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const s = r.restart;
    const failures =
      Object.entries(s.failures)
        .map(([what, n]) => `${n}× ${what}`)
        .join('; ') || 'none';
    console.log(
      `| ${r.agents} | ${fmt(r.coldStartSeconds)} s | ${fmt(r.coldStartCpu.gateway)} / ${fmt(r.coldStartCpu.swarm)} s | ${fmt(s.servingSeconds)} s | ${fmt(s.allActiveFromStop)} s | ${fmt(s.allActiveFromServing)} s | ` +
        `${fmt(s.connectP50)} / ${fmt(s.connectP99)} s | ${fmt(s.cpu.gateway)} / ${fmt(s.cpu.swarm)} s | ${s.attempts} | ${s.peakAttemptsPerSecond} | ${s.peakConnectsPerSecond} | ${failures} |`,
    );
  }
  console.log('\n| agents | agent lost by | detections | min | median | max | gateway says |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    for (const kind of ['killed', 'stopped'] as const) {
      const found = r.detections.filter((d) => d.kind === kind);
      const seconds = found.map((d) => d.seconds).sort((a, b) => a - b);
      console.log(
        `| ${r.agents} | ${kind === 'killed' ? 'SIGKILL (socket closes)' : 'SIGSTOP (socket stays open)'} | ${found.length} | ` +
          `${fmt(seconds[0] ?? Number.NaN, 2)} s | ${fmt(percentile(seconds, 50), 2)} s | ${fmt(seconds.at(-1) ?? Number.NaN, 2)} s | ${found[0]?.reason ?? ''} |`,
      );
    }
  }
}
