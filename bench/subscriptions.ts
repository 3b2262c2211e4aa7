// Subscriptions at scale: N graphql-ws subscribers on one gateway process follow the pods of
// one namespace while a producer patches those pods at a fixed rate. Each patch carries its
// send time, so every subscriber measures its delivery latency; ONE direct watch on the
// apiserver reads the same events in the same run as the baseline. Prints latency p50 / p99
// / max, messages lost, and the gateway's memory idle and with N subscribers.
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters, type TestCluster } from '../test/harness/index.ts';
import {
  type ClientResult,
  type ClientStart,
  type ClientStatus,
  nowMs,
  PHASE_ANNOTATION,
  SENT_ANNOTATION,
  SEQ_ANNOTATION,
} from './subscriptions-client.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000,10000' },
    rate: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    'per-client': { type: 'string', default: '1000' },
    'attach-timeout': { type: 'string', default: '120' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/subscriptions.ts [options]
  --subscribers LIST     subscriber counts, one phase each (default 1000,10000)
  --rate N               pod patches per second while measuring (default 10)
  --seconds N            measuring time per phase (default 30)
  --per-client N         subscribers per client process (default 1000)
  --attach-timeout S     how long subscribers may take to receive their first event (default 120)`);
  process.exit(0);
}
const counts = values.subscribers.split(',').map(Number);
const rate = Number(values.rate);
const events = Math.round(rate * Number(values.seconds));
const perClient = Number(values['per-client']);
const attachTimeoutMs = Number(values['attach-timeout']) * 1000;
const NAMESPACE = 'bench';
const PODS = 10;
/** After the last patch, wait until deliveries stop for this long (late is not lost)... */
const QUIET_MS = 3000;
/** ... but no longer than this. */
const MAX_DRAIN_MS = 60_000;

function percentile(sorted: Float64Array | number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function decodeLatencies(base64: string): Float64Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function rssMiB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

/** User + system CPU seconds a process has used. */
async function cpuSeconds(pid: number | undefined): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Direct HTTPS calls to the apiserver as the cluster's admin. */
class Apiserver {
  readonly #cluster: TestCluster;
  readonly #agent: HttpsAgent;
  constructor(cluster: TestCluster) {
    this.#cluster = cluster;
    this.#agent = new HttpsAgent({ keepAlive: true, ca: cluster.caPem });
  }

  request(method: string, path: string, body?: string, contentType = 'application/json') {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${this.#cluster.server}${path}`,
        {
          method,
          agent: this.#agent,
          headers: {
            authorization: `Bearer ${this.#cluster.tokens.admin}`,
            ...(body ? { 'content-type': contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * A kubectl-style `?watch=1` that calls `onEvent` with every event's annotations. Like
   * kubectl it watches again from the last position when the apiserver ends the watch
   * (which it does to watchers it finds too slow); `restarts` counts those.
   */
  watch(
    path: string,
    from: string,
    onEvent: (annotations: Record<string, string>, receivedAt: number) => void,
  ) {
    let resourceVersion = from;
    let stopped = false;
    let current: ReturnType<typeof httpsRequest> | undefined;
    const state = { restarts: 0, stop: () => {} };
    const again = () => {
      if (stopped) return;
      state.restarts++;
      setTimeout(start, 100);
    };
    const start = () => {
      const req = httpsRequest(`${this.#cluster.server}${path}&resourceVersion=${resourceVersion}`, {
        ca: this.#cluster.caPem,
        headers: { authorization: `Bearer ${this.#cluster.tokens.admin}` },
      });
      current = req;
      let ended = false;
      const retry = () => {
        if (ended) return;
        ended = true;
        again();
      };
      req.on('response', (res) => {
        const decoder = new StringDecoder('utf8');
        let pending = '';
        res.on('data', (chunk: Buffer) => {
          const receivedAt = nowMs();
          pending += decoder.write(chunk);
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline);
            pending = pending.slice(newline + 1);
            const event = JSON.parse(line) as {
              object?: { metadata?: { resourceVersion?: string; annotations?: Record<string, string> } };
            };
            resourceVersion = event.object?.metadata?.resourceVersion ?? resourceVersion;
            onEvent(event.object?.metadata?.annotations ?? {}, receivedAt);
            newline = pending.indexOf('\n');
          }
        });
        res.on('end', retry);
        res.on('error', () => {});
      });
      req.on('error', retry);
      req.end();
    };
    start();
    state.stop = () => {
      stopped = true;
      current?.destroy();
    };
    return state;
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The baseline: what one direct watch receives of the measured events. */
class DirectWatch {
  latencies: number[] = [];
  #received = new Uint8Array(1);
  #measuring = false;

  begin(): void {
    this.latencies = [];
    this.#received = new Uint8Array(events + 1);
    this.#measuring = true;
  }

  lost(): number {
    let lost = 0;
    for (let seq = 1; seq <= events; seq++) if (!this.#received[seq]) lost++;
    return lost;
  }

  onEvent = (annotations: Record<string, string>, receivedAt: number) => {
    if (!this.#measuring || annotations[PHASE_ANNOTATION] !== 'measure') return;
    const seq = Number(annotations[SEQ_ANNOTATION]);
    if (!(seq >= 1 && seq <= events) || this.#received[seq]) return;
    this.#received[seq] = 1;
    this.latencies.push(receivedAt - Number(annotations[SENT_ANNOTATION]));
  };
}

/** Patches one pod's annotations with a sequence number and the time of sending. */
function produce(apiserver: Apiserver, phase: 'warm' | 'measure', seq: number): Promise<unknown> {
  const patch = {
    metadata: {
      annotations: {
        [SEQ_ANNOTATION]: String(seq),
        [PHASE_ANNOTATION]: phase,
        [SENT_ANNOTATION]: nowMs().toFixed(3),
      },
    },
  };
  return apiserver.request(
    'PATCH',
    `/api/v1/namespaces/${NAMESPACE}/pods/pod-${seq % PODS}`,
    JSON.stringify(patch),
    'application/merge-patch+json',
  );
}

interface PhaseResult {
  readonly subscribers: number;
  readonly clients: number;
  readonly attached: number;
  readonly attachSeconds: number;
  readonly connected: number;
  readonly latencies: Float64Array;
  readonly lost: number;
  readonly errors: Record<string, number>;
  readonly clientUtilization: number[];
  readonly direct: { latencies: Float64Array; lost: number; restarts: number };
  readonly rssIdle: number;
  readonly rssAttached: number;
  readonly rssAfter: number;
  readonly agentRssIdle: number;
  readonly agentRssAttached: number;
  readonly gatewayCpu: number;
}

console.error('starting a cluster, the gateway and an agent ...');
const run = await startClusters({ count: 1, nodeCount: 1, namePrefix: 'subs' });
const cluster = run.clusters[0];
if (!cluster) throw new Error('no cluster');
const gateway = await GatewayProcess.start({ dir: run.runDir, logLevel: 'warn' });
const registration = await registerCluster(gateway, 'bench');
const agent = await AgentProcess.install(cluster, gateway, registration);
const apiserver = new Apiserver(cluster);
const results: PhaseResult[] = [];
let directWatch: { restarts: number; stop(): void } | undefined;
const workers: ChildProcess[] = [];
try {
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  await cluster.grantGatewayAdmin();
  await cluster.kubectlOk('admin', ['create', 'namespace', NAMESPACE]);
  await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    stdin: stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: PODS }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `pod-${i}`, namespace: NAMESPACE },
        spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
      })),
    }),
  });
  await cluster.kubectlOk('admin', [
    'wait',
    '-n',
    NAMESPACE,
    '--for=jsonpath={.status.phase}=Running',
    'pod',
    '--all',
    '--timeout=60s',
  ]);
  const token = await downloadKubeconfig(
    gateway,
    'admin',
    gateway.adminPassword,
    join(run.runDir, 'bench-gateway.kubeconfig'),
  );
  const list = JSON.parse((await apiserver.request('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).text) as {
    metadata: { resourceVersion: string };
  };
  const direct = new DirectWatch();
  directWatch = apiserver.watch(
    `/api/v1/namespaces/${NAMESPACE}/pods?watch=1&allowWatchBookmarks=true`,
    list.metadata.resourceVersion,
    direct.onEvent,
  );
  await new Promise((r) => setTimeout(r, 3000));

  for (const count of counts) {
    const gatewayPid = gateway.process?.pid;
    const agentPid = agent.process?.pid;
    const rssIdle = await rssMiB(gatewayPid);
    const agentRssIdle = await rssMiB(agentPid);
    const clients = Math.max(1, Math.ceil(count / perClient));
    const statuses = new Map<ChildProcess, ClientStatus>();
    const finished = new Map<ChildProcess, Promise<ClientResult>>();
    const phaseWorkers: ChildProcess[] = [];
    for (let i = 0; i < clients; i++) {
      const worker = fork(new URL('./subscriptions-client.ts', import.meta.url).pathname, [], {
        execPath: process.execPath,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      workers.push(worker);
      phaseWorkers.push(worker);
      finished.set(
        worker,
        new Promise((resolve) =>
          worker.on('message', (m: ClientStatus | ClientResult) => {
            if (m.type === 'status') statuses.set(worker, m);
            else resolve(m);
          }),
        ),
      );
      const start: ClientStart = {
        type: 'start',
        url: `${gateway.url.replace('https', 'wss')}/graphql`,
        caPem: gateway.caPem,
        token,
        count: Math.floor(count / clients) + (i < count % clients ? 1 : 0),
        namespace: NAMESPACE,
        events,
        connectConcurrency: 50,
      };
      worker.send(start);
    }
    const sum = (field: 'connected' | 'attached' | 'ended' | 'received') =>
      [...statuses.values()].reduce((total, s) => total + s[field], 0);

    // Warm-up: a patch a second until every subscriber has received one (its watch is live).
    const began = Date.now();
    let warm = 0;
    let attachSeconds = Number.NaN;
    while (Date.now() - began < attachTimeoutMs) {
      await produce(apiserver, 'warm', ++warm);
      await new Promise((r) => setTimeout(r, 1000));
      console.error(
        `${count} subscribers: ${sum('connected')} connected, ${sum('attached')} receiving, ${sum('ended')} ended after ${((Date.now() - began) / 1000).toFixed(0)} s`,
      );
      if (sum('attached') + sum('ended') >= count) {
        attachSeconds = (Date.now() - began) / 1000;
        break;
      }
    }
    const attached = sum('attached');
    const connected = sum('connected');
    const rssAttached = await rssMiB(gatewayPid);
    const agentRssAttached = await rssMiB(agentPid);

    console.error(`${count} subscribers: measuring ${events} patches at ${rate}/s ...`);
    direct.begin();
    const directRestarts = directWatch.restarts;
    for (const worker of phaseWorkers) worker.send({ type: 'measure' });
    await new Promise((r) => setTimeout(r, 200));
    const cpuBefore = await cpuSeconds(gatewayPid);
    const t0 = performance.now();
    const writes: Promise<unknown>[] = [];
    for (let seq = 1; seq <= events; seq++) {
      const wait = t0 + (seq * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      writes.push(produce(apiserver, 'measure', seq));
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
    const rssAfter = await rssMiB(gatewayPid);
    for (const worker of phaseWorkers) worker.send({ type: 'finish' });
    const outcomes = await Promise.all(phaseWorkers.map((w) => finished.get(w) as Promise<ClientResult>));
    const latencies = new Float64Array(outcomes.flatMap((o) => [...decodeLatencies(o.latencies)])).sort();
    const errors: Record<string, number> = {};
    for (const o of outcomes)
      for (const [code, n] of Object.entries(o.errors)) errors[code] = (errors[code] ?? 0) + n;
    results.push({
      subscribers: count,
      clients,
      attached,
      attachSeconds,
      connected,
      latencies,
      lost: outcomes.reduce((total, o) => total + o.lost, 0),
      errors,
      clientUtilization: outcomes.map((o) => o.eventLoopUtilization),
      direct: {
        latencies: new Float64Array(direct.latencies).sort(),
        lost: direct.lost(),
        restarts: directWatch.restarts - directRestarts,
      },
      rssIdle,
      rssAttached,
      rssAfter,
      agentRssIdle,
      agentRssAttached,
      gatewayCpu,
    });
    await Promise.all(
      phaseWorkers.map(
        (w) => new Promise((resolve) => (w.exitCode === null ? w.once('exit', resolve) : resolve(0))),
      ),
    );
    // Let the gateway notice the closed sockets and end their watches before the next phase.
    await new Promise((r) => setTimeout(r, 5000));
  }
} finally {
  for (const worker of workers) if (worker.exitCode === null) worker.kill();
  directWatch?.stop();
  apiserver.close();
  await agent.stop();
  await gateway.stop();
  await run.stop();
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
console.log(`${events} patches at ${rate}/s per phase; latency = producer's PATCH sent -> event received`);
console.log('');
console.log(
  '| subscribers | reader | receiving | p50 ms | p99 ms | max ms | lost | p50 / p99 vs direct | gateway RSS idle -> N -> end | gateway CPU | client event loops busy |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const d = r.direct.latencies;
  const dp50 = percentile(d, 50);
  const dp99 = percentile(d, 99);
  const p50 = percentile(r.latencies, 50);
  const p99 = percentile(r.latencies, 99);
  console.log(
    `| ${r.subscribers} | one direct watch | 1 | ${ms(dp50)} | ${ms(dp99)} | ${ms(d.at(-1) ?? Number.NaN)} | ${r.direct.lost} of ${events} | | | | |`,
  );
  const lostShare = ((100 * r.lost) / (r.subscribers * events)).toFixed(1);
  console.log(
    `| ${r.subscribers} | gateway (${r.clients} client processes) | ${r.attached} in ${Number.isFinite(r.attachSeconds) ? `${r.attachSeconds.toFixed(0)} s` : 'timeout'} | ${ms(p50)} | ${ms(p99)} | ${ms(r.latencies.at(-1) ?? Number.NaN)} | ${r.lost} (${lostShare} %) | ${(p50 / dp50).toFixed(1)}x / ${(p99 / dp99).toFixed(1)}x | ${r.rssIdle.toFixed(0)} -> ${r.rssAttached.toFixed(0)} -> ${r.rssAfter.toFixed(0)} MiB | ${(100 * r.gatewayCpu).toFixed(0)} % | ${r.clientUtilization.map((u) => `${(100 * u).toFixed(0)} %`).join(', ')} |`,
  );
}
console.log('');
for (const r of results) {
  console.log(
    `- ${r.subscribers}: ${r.connected} connected; direct watch restarted ${r.direct.restarts} times; agent RSS ${r.agentRssIdle.toFixed(0)} -> ${r.agentRssAttached.toFixed(0)} MiB; subscriber errors ${JSON.stringify(r.errors)}`,
  );
}
