// Tunnel throughput: large responses (a pod log stream, a big ConfigMap list) through the
// gateway's passthrough and its agent tunnel vs directly from the apiserver, side by side in
// one run; and the latency of small GETs beside a bulk transfer vs with nothing else running.
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { parse, stringify } from 'yaml';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { type CpuMeter, cpuDuring, processMeter } from './cpu-meters.ts';
import type { BulkOrder, BulkResult } from './tunnel-bulk-reader.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'log-mb': { type: 'string', default: '100' },
    configmaps: { type: 'string', default: '5000' },
    'configmap-kib': { type: 'string', default: '4' },
    'busy-seconds': { type: 'string', default: '3' },
    'probe-interval-ms': { type: 'string', default: '10' },
    cases: { type: 'string', default: 'log,list' },
    'throughput-only': { type: 'boolean', default: false },
    encodings: { type: 'string', default: 'identity,gzip' },
    baseline: { type: 'string' },
    out: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/tunnel-throughput.ts [options]

  --rounds N              rounds; targets and cases take turns within each (default 5)
  --log-mb N              size of the pod log streamed, in MB (default 100)
  --configmaps N          ConfigMaps in the listed namespace (default 5000)
  --configmap-kib N       data per ConfigMap, in KiB (default 4)
  --busy-seconds N        how long bulk transfers run while small GETs are timed (default 3)
  --probe-interval-ms N   one small GET starts every N ms, one at a time (default 10)
  --cases log,list        which large responses: a pod log stream, a ConfigMap list
  --throughput-only       skip the small-GET latency part (for profiling)
  --encodings LIST        identity,gzip (default both): bulk transfers without and with
                          Accept-Encoding: gzip, as kubectl sends it (the apiserver compresses
                          lists; CPU per MB is per MB of the uncompressed body)
  --baseline DIR          another checkout of the project (with node_modules): its gateway
                          and agent run beside this one's on the same cluster, as the target
                          "baseline", taking turns with it in each round
  --out DIR               where profiles go (default .bench-out/tunnel-<time>)
  --cpu-prof              write V8 CPU profiles of the gateways and agents into --out

Prints markdown tables on stdout, progress on stderr.`);
  process.exit(0);
}
const rounds = Number(values.rounds);
const logBytesWanted = Number(values['log-mb']) * 1e6;
const configMapCount = Number(values.configmaps);
const configMapKib = Number(values['configmap-kib']);
const busyMs = Number(values['busy-seconds']) * 1000;
const probeIntervalMs = Number(values['probe-interval-ms']);
const caseKeys = new Set(values.cases.split(','));
const encodings = values.encodings.split(',').map((e) => e.trim()) as ('identity' | 'gzip')[];
const outDir = resolve(values.out ?? `.bench-out/tunnel-${new Date().toISOString().replace(/[:.]/g, '-')}`);

const SMALL_GET = '/api/v1/namespaces/default';
const NAMESPACE = 'bulk';

interface Target {
  readonly name: 'direct' | 'gateway' | 'baseline';
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly caPem: string;
  readonly gatewayPid?: number;
  readonly agentPid?: number;
}

/** NODE_OPTIONS that make a Node process write a CPU profile into `dir` when it exits. */
function profileEnv(dir: string): NodeJS.ProcessEnv {
  if (!values['cpu-prof']) return {};
  mkdirSync(dir, { recursive: true });
  return { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` };
}

const progress = (line: string) => console.error(line);
const mb = (bytes: number) => bytes / 1e6;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Sends `body` (JSON) to the apiserver directly, as the cluster's admin. */
function post(target: Target, agent: Agent, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.base}${path}`,
      { method: 'POST', agent, headers: { ...target.headers, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Creates `count` ConfigMaps with `kib` KiB of data each, 16 requests at a time. */
async function createConfigMaps(target: Target, count: number, kib: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: target.caPem });
  const data = 'x'.repeat(kib * 1024 - 40);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const index = next++;
        const status = await post(target, agent, `/api/v1/namespaces/${NAMESPACE}/configmaps`, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `bulk-${index}` },
          // Distinct data per object, so that nothing along the way could shortcut repeats.
          data: { value: `${index}:${data}` },
        });
        if (status !== 201 && status !== 409) throw new Error(`create ConfigMap bulk-${index}: ${status}`);
        if (index % 1000 === 999) progress(`  ${index + 1} ConfigMaps`);
      }
    }),
  );
  agent.destroy();
}

/** Runs one order on the bulk-reader thread. */
function bulk(
  worker: Worker,
  target: Target,
  path: string,
  minMs: number,
  encoding: 'identity' | 'gzip' = 'identity',
): Promise<BulkResult> {
  return new Promise((resolve, reject) => {
    worker.once('message', (answer: BulkResult | { error: string }) =>
      'error' in answer ? reject(new Error(answer.error)) : resolve(answer),
    );
    worker.postMessage({
      url: `${target.base}${path}`,
      headers: encoding === 'gzip' ? { ...target.headers, 'accept-encoding': 'gzip' } : target.headers,
      caPem: target.caPem,
      minMs,
    } satisfies BulkOrder);
  });
}

/** One small GET every `probeIntervalMs` (one at a time) until `stop` resolves; latencies in ms. */
async function probe(target: Target, agent: Agent, stop: Promise<unknown>): Promise<number[]> {
  let stopped = false;
  void stop.then(
    () => {
      stopped = true;
    },
    () => {
      stopped = true;
    },
  );
  const latencies: number[] = [];
  while (!stopped) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request(`${target.base}${SMALL_GET}`, { agent, headers: target.headers }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`probe: ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
    const took = performance.now() - started;
    latencies.push(took);
    if (took < probeIntervalMs) await new Promise((r) => setTimeout(r, probeIntervalMs - took));
  }
  return latencies;
}

progress('starting a cluster, the gateway and an agent ...');
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
  return { gateway, agent, registration };
}
const fleets = [await fleetFrom(undefined, 'current')];
if (values.baseline) fleets.push(await fleetFrom(resolve(values.baseline), 'baseline'));
const { gateway, agent: agentProcess } = fleets[0] as (typeof fleets)[number];
const worker = new Worker(new URL('./tunnel-bulk-reader.ts', import.meta.url));

try {
  for (const f of fleets)
    await f.gateway.waitForCluster(f.registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await cluster.grantGatewayAdmin();
  const tokenOf = async (g: GatewayProcess, label: string) => {
    const kubeconfigPath = join(run.runDir, `bench-${label}.kubeconfig`);
    await downloadKubeconfig(g, 'admin', g.adminPassword, kubeconfigPath);
    return (parse(await readFile(kubeconfigPath, 'utf8')) as { users: { user: { token: string } }[] })
      .users[0]?.user.token as string;
  };
  const targets: Target[] = [
    {
      name: 'direct',
      base: cluster.server,
      headers: { authorization: `Bearer ${cluster.tokens.admin}`, accept: 'application/json' },
      caPem: cluster.caPem,
    },
    ...(await Promise.all(
      fleets.map(async (f, i) => ({
        name: i ? ('baseline' as const) : ('gateway' as const),
        base: `${f.gateway.url}/k8s/clusters/${f.registration.cluster.clusterId}`,
        headers: {
          authorization: `Bearer ${await tokenOf(f.gateway, i ? 'baseline' : 'current')}`,
          accept: 'application/json',
        },
        caPem: f.gateway.caPem,
        gatewayPid: f.gateway.process?.pid,
        agentPid: f.agent.process?.pid,
      })),
    )),
  ];
  const direct = targets[0] as Target;

  // KWOK serves every container's log from this one file, in CRI log format.
  progress(`writing a ${mb(logBytesWanted)} MB pod log, creating ${configMapCount} ConfigMaps ...`);
  const line = `2026-01-01T00:00:00.000000000Z stdout F ${'x'.repeat(1023)}\n`;
  const lineCount = Math.ceil(logBytesWanted / 1024);
  await writeFile(cluster.containerLogFile, line.repeat(lineCount));
  await cluster.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'chatty', namespace: NAMESPACE },
      spec: { containers: [{ name: 'main', image: 'registry.invalid/chatty:1' }] },
    }),
  });
  if (caseKeys.has('list')) await createConfigMaps(direct, configMapCount, configMapKib);
  await cluster.kubectlOk('admin', [
    'wait',
    '--for=condition=Ready',
    `pod/chatty`,
    '-n',
    NAMESPACE,
    '--timeout=60s',
  ]);

  const cases = [
    { key: 'log', name: 'pod log', path: `/api/v1/namespaces/${NAMESPACE}/pods/chatty/log` },
    {
      key: 'list',
      name: `list ${configMapCount} ConfigMaps`,
      path: `/api/v1/namespaces/${NAMESPACE}/configmaps`,
    },
  ]
    .filter((c) => caseKeys.has(c.key))
    .flatMap((c) =>
      encodings.map((encoding) => ({
        ...c,
        encoding,
        name: `${c.name}${encoding === 'gzip' ? ', gzip' : ''}`,
      })),
    );
  // The small-GET part runs beside the uncompressed transfers only.
  const besideCases = cases.filter((c) => c.encoding === 'identity');
  const throughput = new Map<string, number[]>(); // `${case}|${target}` -> MB/s per round
  const cpuPerMb = new Map<string, number[]>(); // `${case}|${target}|${process}` -> CPU ms per MB
  const apiserver = cluster.processes.find((p) => p.name === 'kube-apiserver');
  const kwok = cluster.processes.find((p) => p.name === 'kwok');
  const meters: CpuMeter[] = [
    processMeter('client', process.pid),
    processMeter('kube-apiserver', apiserver?.pid),
    processMeter('KWOK', kwok?.pid),
    processMeter('etcd', run.sharedEtcd?.process.pid),
    processMeter('agent', agentProcess.process?.pid),
    processMeter('gateway', gateway.process?.pid),
    ...(fleets[1]
      ? [
          processMeter('baseline agent', fleets[1].agent.process?.pid),
          processMeter('baseline gateway', fleets[1].gateway.process?.pid),
        ]
      : []),
  ];
  /** The body's uncompressed size per case (from its identity transfer), for CPU per MB. */
  const plainBytes = new Map<string, number>();
  const wireBytes = new Map<string, number>();
  const bodyBytes = new Map<string, number>();
  const latency = new Map<string, number[]>(); // `${beside}|${target}` -> ms
  const busyThroughput = new Map<string, number[]>();
  const record = <T>(map: Map<string, T[]>, key: string, ...items: T[]) =>
    map.set(key, [...(map.get(key) ?? []), ...items]);

  for (const target of targets) await bulk(worker, target, cases[0]?.path ?? SMALL_GET, 0); // warm-up
  // The uncompressed size of each body, so that a gzip transfer's CPU is per MB of content.
  for (const c of cases)
    if (c.encoding === 'identity') {
      const { transfers } = await bulk(worker, targets[0] as Target, c.path, 0);
      plainBytes.set(c.key, (transfers[0] as { bytes: number }).bytes);
    }
  for (let round = 1; round <= rounds; round++) {
    for (const c of cases) {
      // Targets take turns within each round, so that machine noise hits them alike.
      for (const target of targets) {
        const { result, cpu } = await cpuDuring(meters, () => bulk(worker, target, c.path, 0, c.encoding));
        const { transfers } = result;
        const one = transfers[0] as { bytes: number; ms: number };
        // MB of content: a compressed transfer counts the body it stands for.
        const content = plainBytes.get(c.key) ?? one.bytes;
        record(throughput, `${c.name}|${target.name}`, mb(content) / (one.ms / 1000));
        bodyBytes.set(c.name, content);
        wireBytes.set(`${c.name}|${target.name}`, one.bytes);
        for (const [name, spent] of cpu)
          record(cpuPerMb, `${c.name}|${target.name}|${name}`, spent / mb(content));
        progress(
          `round ${round}/${rounds} ${c.name} ${target.name}: ${(mb(content) / (one.ms / 1000)).toFixed(1)} MB/s (${mb(one.bytes).toFixed(1)} MB on the wire)`,
        );
      }
    }
    for (const target of values['throughput-only'] ? [] : targets) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: target.caPem });
      await probe(target, agent, new Promise((r) => setTimeout(r, 200))); // connect, warm up
      const idle = await probe(target, agent, new Promise((r) => setTimeout(r, busyMs)));
      record(latency, `nothing|${target.name}`, ...idle);
      for (const c of besideCases) {
        const busy = bulk(worker, target, c.path, busyMs);
        const beside = await probe(target, agent, busy);
        const { transfers } = await busy;
        const bytes = transfers.reduce((sum, t) => sum + t.bytes, 0);
        const ms = transfers.reduce((sum, t) => sum + t.ms, 0);
        record(latency, `${c.name}|${target.name}`, ...beside);
        record(busyThroughput, `${c.name}|${target.name}`, mb(bytes) / (ms / 1000));
        progress(
          `round ${round}/${rounds} small GETs beside ${c.name} ${target.name}: p50 ${median(beside).toFixed(2)} ms, ${beside.length} GETs`,
        );
      }
      agent.destroy();
    }
  }

  const fixed = (n: number, digits = 1) => n.toFixed(digits);
  console.log(
    `\nBulk transfers, one at a time, ${rounds} rounds (MB = 10^6 bytes of content, uncompressed; spread = slowest–fastest round):\n`,
  );
  console.log(
    '| response | size | target | MB on the wire | MB/s median | spread | vs direct (median; per round) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const c of cases) {
    const d = throughput.get(`${c.name}|direct`) ?? [];
    for (const target of targets) {
      const values = throughput.get(`${c.name}|${target.name}`) ?? [];
      const perRound = values.map((value, i) => value / (d[i] ?? Number.NaN));
      const ratio =
        target.name === 'direct'
          ? ''
          : `${fixed(median(values) / median(d), 2)}x; ${fixed(Math.min(...perRound), 2)}–${fixed(Math.max(...perRound), 2)}x`;
      console.log(
        `| ${c.name} | ${fixed(mb(bodyBytes.get(c.name) ?? 0))} MB | ${target.name} | ${fixed(mb(wireBytes.get(`${c.name}|${target.name}`) ?? 0))} | ${fixed(median(values))} | ${fixed(Math.min(...values))}–${fixed(Math.max(...values))} | ${ratio} |`,
      );
    }
  }

  console.log(
    "\nCPU time per MB of content during those transfers, by process (median of the rounds; the client decrypts and counts; agent and gateway are the target's own):\n",
  );
  const shared = meters.filter((m) => !/agent|gateway/.test(m.name));
  console.log(
    `| response | target | ${shared.map((m) => m.name).join(' | ')} | agent | gateway | agent + gateway | all |`,
  );
  console.log(`| --- | --- | ${shared.map(() => '---').join(' | ')} | --- | --- | --- | --- |`);
  for (const c of cases) {
    for (const target of targets) {
      const of = (name: string) => median(cpuPerMb.get(`${c.name}|${target.name}|${name}`) ?? []);
      const own =
        target.name === 'baseline'
          ? [of('baseline agent'), of('baseline gateway')]
          : target.name === 'gateway'
            ? [of('agent'), of('gateway')]
            : [0, 0];
      const perProcess = [...shared.map((m) => of(m.name)), ...own];
      const all = perProcess.reduce((sum, v) => sum + v, 0);
      console.log(
        `| ${c.name} | ${target.name} | ${perProcess.map((v) => `${fixed(v)} ms`).join(' | ')} | ${fixed((own[0] ?? 0) + (own[1] ?? 0))} ms | ${fixed(all)} ms |`,
      );
    }
  }

  if (latency.size)
    console.log(
      `\nSmall GETs (${SMALL_GET}, one at a time, one every ${probeIntervalMs} ms) beside bulk transfers on the same path, ${busyMs / 1000} s per cell and round:\n`,
    );
  if (latency.size) {
    console.log(
      '| small GETs to | beside | GETs | p50 ms | p99 ms | p50 / p99 vs nothing beside | bulk MB/s meanwhile |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
  }
  for (const target of latency.size ? targets : []) {
    const quiet = [...(latency.get(`nothing|${target.name}`) ?? [])].sort((a, b) => a - b);
    for (const beside of ['nothing', ...besideCases.map((c) => c.name)]) {
      const sorted = [...(latency.get(`${beside}|${target.name}`) ?? [])].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const versus =
        beside === 'nothing'
          ? ''
          : `${fixed(p50 / percentile(quiet, 50), 2)}x / ${fixed(p99 / percentile(quiet, 99), 2)}x`;
      const during = busyThroughput.get(`${beside}|${target.name}`);
      console.log(
        `| ${target.name} | ${beside === 'nothing' ? 'nothing' : `${beside} (${target.name})`} | ${sorted.length} | ${fixed(p50, 2)} | ${fixed(p99, 2)} | ${versus} | ${during ? fixed(median(during)) : ''} |`,
      );
    }
  }
} finally {
  await worker.terminate();
  for (const f of fleets) {
    await f.agent.stop();
    await f.gateway.stop();
  }
  await run.stop();
}
