// Subscriptions at scale: N graphql-ws subscribers on one gateway process follow the pods of
// one namespace while a producer patches those pods at a fixed rate. Each patch carries its
// send time, so every subscriber measures its delivery latency; ONE direct watch on the
// apiserver reads the same events in the same run as the baseline. With `--baseline REF`
// the gateway of an older commit runs every phase too, beside this one, in the same run.
// Prints latency p50 / p99 / max, messages lost, attach time, the gateway's memory per
// subscriber and its CPU per delivered message.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters, type TestCluster } from '../test/harness/index.ts';
import { exportBaseline } from './baseline-checkout.ts';
import { ioSyscalls } from './process-cpu.ts';
import { heapAfterGc, memoryProbeNodeOptions } from './process-sampler.ts';
import { Apiserver, DirectWatch, NAMESPACE, namespaceOf, PODS, produce } from './subscriptions-apiserver.ts';
import type { ClientResult, ClientStart, ClientStatus } from './subscriptions-client.ts';
import type { FloorEmit, FloorReady, FloorStart } from './subscriptions-floor.ts';

const { values } = parseArgs({
  options: {
    phases: { type: 'string', default: '10000@1,2000@10' },
    seconds: { type: 'string', default: '30' },
    people: { type: 'string', default: '50' },
    'per-client': { type: 'string', default: '1000' },
    'attach-timeout': { type: 'string', default: '120' },
    baseline: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    client: { type: 'string', default: 'lean' },
    'gateway-node-options': { type: 'string', default: '' },
    floor: { type: 'boolean', default: false },
    groups: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/subscriptions.ts [options]
  --phases LIST          SUBSCRIBERS@EVENTS_PER_SECOND, one phase each (default 10000@1,2000@10)
  --seconds N            measuring time per phase (default 30)
  --people N             local users the subscribers are spread over, one group (default 50)
  --per-client N         subscribers per client process (default 1000)
  --attach-timeout S     how long subscribers may take to receive their first event (default 120)
  --baseline REF         also run every phase on the gateway of git commit REF, in turns
  --cpu-prof             write V8 CPU profiles of the gateways into the run directory
  --client KIND          lean (default: graphql-transport-ws by hand, reading only the bench's
                         annotations of a change) or graphql-ws (the library's client, which
                         parses every message whole); both gateways get the same
  --gateway-node-options more NODE_OPTIONS for the gateways (e.g. --heapsnapshot-signal=SIGUSR1)
  --groups G             subscribers in G groups, each following its own namespace (default 1:
                         all follow one); every subscriber still gets EVENTS_PER_SECOND, the
                         groups' events spread evenly over each second instead of one burst
  --floor                also run every phase on a zero-cost gateway (bench/subscriptions-floor.ts):
                         the same clients, TLS and messages, and nothing else, the lower bound
                         this machine sets`);
  process.exit(0);
}
const phases = values.phases.split(',').map((spec) => {
  const [subscribers, rate] = spec.split('@').map(Number);
  if (!subscribers || !rate) throw new Error(`bad phase ${spec}: SUBSCRIBERS@RATE`);
  return { subscribers, rate, events: Math.round(rate * Number(values.seconds)) };
});
if (values.client !== 'lean' && values.client !== 'graphql-ws')
  throw new Error(`bad --client ${values.client}: lean or graphql-ws`);
const clientKind: 'lean' | 'graphql-ws' = values.client;
const groups = Number(values.groups);
if (!(Number.isInteger(groups) && groups >= 1))
  throw new Error(`bad --groups ${values.groups}: a whole number from 1`);
const namespaces = Array.from({ length: groups }, (_, g) => namespaceOf(g));
const people = Number(values.people);
const perClient = Number(values['per-client']);
const attachTimeoutMs = Number(values['attach-timeout']) * 1000;
const GROUP = 'bench-viewers';
/** After the last patch, wait until deliveries stop for this long (late is not lost)... */
const QUIET_MS = 3000;
/** ... but no longer than this. */
const MAX_DRAIN_MS = 60_000;
const repoRoot = new URL('../', import.meta.url).pathname;

function percentile(sorted: Float64Array | number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function decodeLatencies(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** The kernel's count of connections dropped because a listen queue was full (all processes). */
function listenOverflows(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const names = lines.find((l) => l.startsWith('TcpExt:'))?.split(' ') ?? [];
  const counts = lines.filter((l) => l.startsWith('TcpExt:'))[1]?.split(' ') ?? [];
  return Number(counts[names.indexOf('ListenOverflows')] ?? Number.NaN);
}

/** A kernel setting as this user can read it, or '?'. */
function sysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim();
  } catch {
    return '?';
  }
}

async function rssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** User + system CPU seconds a process has used. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const { user, system } = await cpuSplit(pid);
  return user + system;
}

/** User and system CPU seconds a process has used, apart: the kernel's share is its sockets. */
async function cpuSplit(pid: number | undefined): Promise<{ user: number; system: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** One server under test: a gateway with its own cluster, agent and people, or the floor. */
interface Target {
  readonly name: string;
  readonly pid: number | undefined;
  /** The GraphQL WebSocket URL and the CA its certificate is signed by. */
  readonly url: string;
  readonly caPem: string;
  /** Where its server.crt and server.key are. */
  readonly tlsDir: string;
  readonly tokens: string[];
  /** Where the server's memory probe writes (bench/memory-probe.ts). */
  readonly memoryFile: string;
  /** Makes one bench event, for the subscribers following `namespace`. */
  produce(phase: 'warm' | 'measure', seq: number, namespace: string): Promise<unknown>;
  /** The direct watch on the apiserver that reads the same events (not for the floor). */
  readonly direct:
    | { readonly watch: DirectWatch; readonly handle: { restarts: number; stop(): void } }
    | undefined;
  stop(): Promise<void>;
}

async function startTarget(
  name: string,
  cluster: TestCluster,
  runDir: string,
  root?: string,
): Promise<Target> {
  const dir = join(runDir, name.split(' ')[0] ?? name);
  mkdirSync(dir, { recursive: true });
  const memoryFile = join(dir, 'gateway-memory.json');
  const profileDir = join(dir, 'profiles');
  const profile = values['cpu-prof'] ? ` --cpu-prof --cpu-prof-dir=${profileDir}` : '';
  const gateway = await GatewayProcess.start({
    dir,
    logLevel: 'warn',
    root,
    env: {
      NODE_OPTIONS: `${memoryProbeNodeOptions}${profile} ${values['gateway-node-options']}`,
      FLEETGATE_BENCH_MEMORY_FILE: memoryFile,
      // A profile of each measured window too (bench/memory-probe.ts), beside the whole run's.
      ...(values['cpu-prof'] ? { FLEETGATE_BENCH_PROFILE_DIR: profileDir } : {}),
    },
  });
  const registration = await registerCluster(gateway, 'bench');
  const agent = await AgentProcess.install(cluster, gateway, registration);
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await cluster.grantGatewayAdmin();
  for (const namespace of namespaces) {
    await cluster.kubectlOk('admin', ['create', 'namespace', namespace]);
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          ...Array.from({ length: PODS }, (_, i) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: `pod-${i}`, namespace },
            spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
          })),
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'Role',
            metadata: { name: 'pod-viewer', namespace },
            rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
          },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'bench-viewers', namespace },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-viewer' },
            subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `local:${GROUP}` }],
          },
        ],
      }),
    });
    await cluster.kubectlOk('admin', [
      'wait',
      '-n',
      namespace,
      '--for=jsonpath={.status.phase}=Running',
      'pod',
      '--all',
      '--timeout=60s',
    ]);
  }
  // Many people in one group (one person may hold only so many subscriptions): what they may
  // see is the same, so a gateway may share their deliveries.
  const tokens: string[] = [];
  for (let i = 0; i < people; i++) {
    const username = `viewer-${i}`;
    const password = `bench-password-${i}-0123456789`;
    const created = await gateway.api('POST', '/v1/users', { username, password, groups: [GROUP] });
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
    tokens.push(await downloadKubeconfig(gateway, username, password, join(dir, `${username}.kubeconfig`)));
  }
  const apiserver = new Apiserver(cluster);
  const list = JSON.parse((await apiserver.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).text) as {
    metadata: { resourceVersion: string };
  };
  const direct = new DirectWatch();
  const directWatch = apiserver.watch(
    `/api/v1/namespaces/${NAMESPACE}/pods?watch=1&allowWatchBookmarks=true`,
    list.metadata.resourceVersion,
    direct.onEvent,
  );
  return {
    name,
    pid: gateway.process?.pid,
    url: `${gateway.url.replace('https', 'wss')}/graphql`,
    caPem: gateway.caPem,
    tlsDir: join(gateway.dataDir, 'tls'),
    tokens,
    memoryFile,
    produce: (phase, seq, namespace) => produce(apiserver, phase, seq, namespace),
    direct: { watch: direct, handle: directWatch },
    stop: async () => {
      directWatch.stop();
      apiserver.close();
      await agent.stop();
      await gateway.stop();
    },
  };
}

/**
 * The zero-cost gateway (bench/subscriptions-floor.ts) beside `beside`, a gateway target: its
 * TLS certificate and people's tokens (which the floor does not check), and a change of a
 * real pod of the bench's namespace.
 */
async function startFloor(beside: Target, cluster: TestCluster, runDir: string): Promise<Target> {
  const dir = join(runDir, 'floor');
  mkdirSync(dir, { recursive: true });
  const memoryFile = join(dir, 'floor-memory.json');
  const server = fork(new URL('./subscriptions-floor.ts', import.meta.url).pathname, [], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: memoryProbeNodeOptions, FLEETGATE_BENCH_MEMORY_FILE: memoryFile },
  });
  const apiserver = new Apiserver(cluster);
  const pod = JSON.parse((await apiserver.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods/pod-0`)).text);
  apiserver.close();
  const ready = new Promise<FloorReady>((resolve, reject) => {
    server.once('message', resolve);
    server.once('exit', (code) => reject(new Error(`the floor server ended (${code}) before listening`)));
  });
  const start: FloorStart = { type: 'start', tlsDir: beside.tlsDir, pod };
  server.send(start);
  const { port } = await ready;
  return {
    name: 'floor (zero-cost gateway)',
    pid: server.pid,
    url: `wss://127.0.0.1:${port}/graphql`,
    caPem: beside.caPem,
    tlsDir: beside.tlsDir,
    tokens: beside.tokens,
    memoryFile,
    produce: async (phase, seq, namespace) => {
      const emit: FloorEmit = { type: 'emit', phase, seq, namespace };
      server.send(emit);
    },
    direct: undefined,
    stop: async () => {
      server.kill();
    },
  };
}

interface PhaseResult {
  readonly target: string;
  readonly subscribers: number;
  readonly rate: number;
  readonly events: number;
  readonly clients: number;
  readonly attached: number;
  readonly attachSeconds: number;
  readonly connected: number;
  readonly latencies: Float64Array;
  readonly received: number;
  readonly lost: number;
  readonly errors: Record<string, number>;
  readonly clientUtilization: number[];
  /** Client processes' event-loop utilization while subscribers attached. */
  readonly clientAttachUtilization: number[];
  /** Client processes' CPU seconds while measuring, all together. */
  readonly clientCpuSeconds: number;
  /** Kernel listen-queue overflows (all processes) while subscribers attached. */
  readonly listenOverflows: number;
  readonly direct: { latencies: Float64Array; lost: number; restarts: number };
  readonly rssIdle: number;
  readonly rssAttached: number;
  /** V8 heap after a full collection, idle and with every subscriber attached (MiB). */
  readonly heapIdle: number;
  readonly heapAttached: number;
  /** The rest of the samples: heap committed and ArrayBuffers (MiB), idle and attached. */
  readonly heapTotalIdle: number;
  readonly heapTotalAttached: number;
  readonly arrayBuffersIdle: number;
  readonly arrayBuffersAttached: number;
  readonly rssAfter: number;
  readonly gatewayCpu: number;
  readonly cpuSecondsDelivering: number;
  /** The kernel's part of it. */
  readonly systemSecondsDelivering: number;
  /** Read and write system calls meanwhile (bench/process-cpu.ts). */
  readonly syscallsDelivering: number;
}

const workers: ChildProcess[] = [];

async function runPhase(target: Target, phase: (typeof phases)[number]): Promise<PhaseResult> {
  const { subscribers: count, rate, events } = phase;
  const gatewayPid = target.pid;
  const idleSample = await heapAfterGc(gatewayPid as number, target.memoryFile);
  const heapIdle = idleSample.heapUsed / 1048576;
  const rssIdle = await rssMiB(gatewayPid);
  const clients = Math.max(1, Math.ceil(count / perClient));
  const statuses = new Map<ChildProcess, ClientStatus>();
  const finished = new Map<ChildProcess, Promise<ClientResult>>();
  const phaseWorkers: ChildProcess[] = [];
  let first = 0;
  for (let i = 0; i < clients; i++) {
    const worker = fork(new URL('./subscriptions-client.ts', import.meta.url).pathname, [], {
      execPath: process.execPath,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    workers.push(worker);
    phaseWorkers.push(worker);
    finished.set(
      worker,
      new Promise((resolve) => {
        worker.on('message', (m: ClientStatus | ClientResult) => {
          if (m.type === 'status') statuses.set(worker, m);
          else resolve(m);
        });
        // A client that ends without its result loses all its subscribers' events (instead
        // of the run waiting for it forever).
        worker.once('exit', (code) =>
          resolve({
            type: 'result',
            latencies: '',
            lost: Number.NaN,
            errors: { [`client process ended (${code}) without a result`]: 1 },
            eventLoopUtilization: Number.NaN,
            attachEventLoopUtilization: Number.NaN,
            cpuSeconds: Number.NaN,
          }),
        );
      }),
    );
    const share = Math.floor(count / clients) + (i < count % clients ? 1 : 0);
    const start: ClientStart = {
      type: 'start',
      url: target.url,
      caPem: target.caPem,
      tokens: target.tokens,
      count: share,
      first,
      namespaces,
      events,
      connectConcurrency: 50,
      client: clientKind,
    };
    first += share;
    worker.send(start);
  }
  const sum = (field: 'connected' | 'attached' | 'ended' | 'received') =>
    [...statuses.values()].reduce((total, s) => total + s[field], 0);
  const label = `${target.name} ${count}@${rate}/s`;

  // Warm-up: a patch a second until every subscriber has received one (its watch is live).
  const began = Date.now();
  const overflowsBefore = listenOverflows();
  let warm = 0;
  let attachSeconds = Number.NaN;
  while (Date.now() - began < attachTimeoutMs) {
    warm++;
    for (const namespace of namespaces) await target.produce('warm', warm, namespace);
    await new Promise((r) => setTimeout(r, 1000));
    console.error(
      `${label}: ${sum('connected')} connected, ${sum('attached')} receiving, ${sum('ended')} ended after ${((Date.now() - began) / 1000).toFixed(0)} s`,
    );
    if (sum('attached') + sum('ended') >= count) {
      attachSeconds = (Date.now() - began) / 1000;
      break;
    }
  }
  const attached = sum('attached');
  const connected = sum('connected');
  const overflowsDuringAttach = listenOverflows() - overflowsBefore;
  // Settle (the last warm-up events), so that the memory read is of subscribers at rest.
  await new Promise((r) => setTimeout(r, 2000));
  const attachedSample = await heapAfterGc(gatewayPid as number, target.memoryFile);
  const heapAttached = attachedSample.heapUsed / 1048576;
  const rssAttached = await rssMiB(gatewayPid);

  console.error(`${label}: measuring ${events} patches ...`);
  target.direct?.watch.begin(events);
  const directRestarts = target.direct?.handle.restarts ?? 0;
  for (const worker of phaseWorkers) worker.send({ type: 'measure' });
  await new Promise((r) => setTimeout(r, 200));
  if (values['cpu-prof']) process.kill(gatewayPid as number, 'SIGTTIN');
  const cpuBefore = await cpuSeconds(gatewayPid);
  const splitBefore = await cpuSplit(gatewayPid);
  const syscallsBefore = ioSyscalls(gatewayPid);
  const t0 = performance.now();
  const writes: Promise<unknown>[] = [];
  // Event seq of every group within the same second, the groups' turns evenly apart.
  for (let seq = 1; seq <= events; seq++)
    for (const [group, namespace] of namespaces.entries()) {
      const slot = (seq - 1) * groups + group + 1;
      const wait = t0 + (slot * 1000) / (rate * groups) - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      writes.push(target.produce('measure', seq, namespace));
    }
  await Promise.all(writes);
  const measuredSeconds = (performance.now() - t0) / 1000;
  const gatewayCpu = ((await cpuSeconds(gatewayPid)) - cpuBefore) / measuredSeconds;
  const drainStart = Date.now();
  let lastReceived = -1;
  let lastChange = Date.now();
  while (Date.now() - drainStart < MAX_DRAIN_MS && Date.now() - lastChange < QUIET_MS) {
    await new Promise((r) => setTimeout(r, 500));
    const received = sum('received');
    if (received >= attached * events) break;
    if (received !== lastReceived) lastChange = Date.now();
    lastReceived = received;
  }
  // CPU from the first patch until the deliveries stopped: late deliveries are paid for too.
  const cpuSecondsDelivering = (await cpuSeconds(gatewayPid)) - cpuBefore;
  const splitAfter = await cpuSplit(gatewayPid);
  const systemSecondsDelivering = splitAfter.system - splitBefore.system;
  const syscallsDelivering = ioSyscalls(gatewayPid) - syscallsBefore;
  if (values['cpu-prof']) process.kill(gatewayPid as number, 'SIGTTOU');
  const rssAfter = await rssMiB(gatewayPid);
  for (const worker of phaseWorkers) worker.send({ type: 'finish' });
  const outcomes = await Promise.all(phaseWorkers.map((w) => finished.get(w) as Promise<ClientResult>));
  const latencies = new Float64Array(outcomes.flatMap((o) => [...decodeLatencies(o.latencies)])).sort();
  const errors: Record<string, number> = {};
  for (const o of outcomes)
    for (const [code, n] of Object.entries(o.errors)) errors[code] = (errors[code] ?? 0) + n;
  await Promise.all(
    phaseWorkers.map(
      (w) => new Promise((resolve) => (w.exitCode === null ? w.once('exit', resolve) : resolve(0))),
    ),
  );
  // Let the gateway notice the closed sockets and end their watches before the next phase.
  await new Promise((r) => setTimeout(r, 5000));
  return {
    target: target.name,
    subscribers: count,
    rate,
    events,
    clients,
    attached,
    attachSeconds,
    connected,
    latencies,
    received: latencies.length,
    lost: outcomes.reduce((total, o) => total + o.lost, 0),
    errors,
    clientUtilization: outcomes.map((o) => o.eventLoopUtilization),
    clientAttachUtilization: outcomes.map((o) => o.attachEventLoopUtilization),
    clientCpuSeconds: outcomes.reduce((total, o) => total + o.cpuSeconds, 0),
    listenOverflows: overflowsDuringAttach,
    direct: {
      latencies: new Float64Array(target.direct?.watch.latencies ?? []).sort(),
      lost: target.direct?.watch.lost() ?? Number.NaN,
      restarts: (target.direct?.handle.restarts ?? Number.NaN) - directRestarts,
    },
    rssIdle,
    rssAttached,
    heapIdle,
    heapAttached,
    heapTotalIdle: idleSample.heapTotal / 1048576,
    heapTotalAttached: attachedSample.heapTotal / 1048576,
    arrayBuffersIdle: idleSample.arrayBuffers / 1048576,
    arrayBuffersAttached: attachedSample.arrayBuffers / 1048576,
    rssAfter,
    gatewayCpu,
    cpuSecondsDelivering,
    systemSecondsDelivering,
    syscallsDelivering,
  };
}

console.error('starting clusters, gateways and agents ...');
const run = await startClusters({ count: values.baseline ? 2 : 1, nodeCount: 1, namePrefix: 'subs' });
const targets: Target[] = [];
const results: PhaseResult[] = [];
try {
  if (values.baseline) {
    const [cluster] = run.clusters;
    if (!cluster) throw new Error('no cluster');
    const root = exportBaseline(values.baseline, run.runDir);
    targets.push(await startTarget(`baseline ${values.baseline}`, cluster, run.runDir, root));
  }
  const cluster = run.clusters.at(-1);
  if (!cluster) throw new Error('no cluster');
  const head = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const dirty = execFileSync('git', ['-C', repoRoot, 'status', '--porcelain', 'src', 'resolvers', 'schema'])
    .toString()
    .trim();
  const self = await startTarget(`this ${head}${dirty ? '+changes' : ''}`, cluster, run.runDir);
  targets.push(self);
  if (values.floor) targets.push(await startFloor(self, cluster, run.runDir));
  await new Promise((r) => setTimeout(r, 3000));
  // Phase by phase, the gateways in turns, so that the machine's other work falls on both alike.
  for (const phase of phases) for (const target of targets) results.push(await runPhase(target, phase));
} finally {
  for (const worker of workers) if (worker.exitCode === null) worker.kill();
  for (const target of targets) await target.stop();
  await run.stop();
}

/** KiB per attached subscriber of a growth in MiB. */
const perSubscriber = (mib: number, r: PhaseResult) => ((mib * 1024) / Math.max(1, r.attached)).toFixed(1);
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `${values.seconds} s per phase; ${clientKind} clients; ${groups === 1 ? 'all subscribers follow one namespace (every event reaches all at once)' : `subscribers in ${groups} groups of their own namespace (events of the groups spread over each second)`}; latency = producer's PATCH sent -> event received; load average at the end ${load}; net.core.somaxconn ${sysctl('net.core.somaxconn')}, net.ipv4.tcp_max_syn_backlog ${sysctl('net.ipv4.tcp_max_syn_backlog')}`,
);
console.log('');
console.log(
  '| gateway | subscribers @ events/s | receiving | p50 ms | p99 ms | max ms | lost | direct watch p50 / p99 ms | gateway RSS idle -> N -> end | RSS / heap KiB per subscriber | gateway CPU | CPU per delivered message | client event loops busy |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const d = r.direct.latencies;
  const lostShare = ((100 * r.lost) / (r.subscribers * r.events)).toFixed(1);
  const perSubscriber = ((r.rssAttached - r.rssIdle) * 1024) / Math.max(1, r.attached);
  const heapPerSubscriber = ((r.heapAttached - r.heapIdle) * 1024) / Math.max(1, r.attached);
  const perMessage = (1e6 * r.cpuSecondsDelivering) / Math.max(1, r.received);
  const attach = Number.isFinite(r.attachSeconds) ? `${r.attachSeconds.toFixed(0)} s` : 'timeout';
  console.log(
    `| ${r.target} | ${r.subscribers} @ ${r.rate} | ${r.attached} in ${attach} | ${ms(percentile(r.latencies, 50))} | ${ms(percentile(r.latencies, 99))} | ${ms(r.latencies.at(-1) ?? Number.NaN)} | ${r.lost} (${lostShare} %) | ${d.length === 0 && Number.isNaN(r.direct.lost) ? 'none' : `${ms(percentile(d, 50))} / ${ms(percentile(d, 99))} (lost ${r.direct.lost})`} | ${r.rssIdle.toFixed(0)} -> ${r.rssAttached.toFixed(0)} -> ${r.rssAfter.toFixed(0)} MiB | ${perSubscriber.toFixed(0)} / ${heapPerSubscriber.toFixed(0)} | ${(100 * r.gatewayCpu).toFixed(0)} % | ${perMessage.toFixed(1)} µs | ${r.clientUtilization.map((u) => `${(100 * u).toFixed(0)} %`).join(', ')} |`,
  );
}
console.log('');
for (const r of results) {
  console.log(
    `- ${r.target} ${r.subscribers}@${r.rate}: ${r.connected} connected (${(r.attached / r.attachSeconds || 0).toFixed(0)} attached a second); client event loops busy while attaching ${r.clientAttachUtilization.map((u) => `${(100 * u).toFixed(0)} %`).join(', ')}; listen-queue overflows while attaching ${r.listenOverflows} (whole machine); per subscriber: V8 heap committed ${perSubscriber(r.heapTotalAttached - r.heapTotalIdle, r)} KiB, ArrayBuffers ${perSubscriber(r.arrayBuffersAttached - r.arrayBuffersIdle, r)} KiB; server CPU per delivered message ${((1e6 * (r.cpuSecondsDelivering - r.systemSecondsDelivering)) / Math.max(1, r.received)).toFixed(1)} µs user + ${((1e6 * r.systemSecondsDelivering) / Math.max(1, r.received)).toFixed(1)} µs system, ${(r.syscallsDelivering / Math.max(1, r.received)).toFixed(2)} read/write system calls; clients' CPU while measuring ${r.clientCpuSeconds.toFixed(1)} s (${((1e6 * r.clientCpuSeconds) / Math.max(1, r.received)).toFixed(1)} µs per delivered message); direct watch restarted ${r.direct.restarts} times; subscriber errors ${JSON.stringify(r.errors)}`,
  );
}
