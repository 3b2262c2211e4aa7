// Fan-out: a GraphQL pods query over 10, 50 and 100 clusters with many pods each, first page
// and a full walk, three ways in one run: the naive client (one passthrough list per
// cluster, one after the other, then a sort), the gateway listing live for every page
// (--no-list-cache), and the gateway answering from its watch-backed caches, in the default
// (cluster, namespace, name) order and sorted by creation time, newest first. Memory per
// cached pod is reported twice: the gateway's RSS growth over the pods its caches hold, and
// the heap per pod of the pods read from a cluster, stored as the caches did before
// (parsed objects) and as they do now (compressed), measured in this process side by side.
//
// The registered clusters share a few real control planes (a cluster here is a registration
// with its own agent process and tunnel; several agents point at the same apiserver), so
// 100 clusters of 1,000 pods are 100,000 pods from the gateway's side.
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../src/kube/objects.ts';
import {
  downloadKubeconfig,
  GatewayProcess,
  type Registration,
  registerCluster,
} from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import type { ManagedProcess } from '../test/harness/managed-process.ts';
import { exportBaseline } from './baseline-checkout.ts';
import { benchOptions, installAgentIdentities, startAgentProcesses } from './bench-fleet.ts';
import { cachedObjectMemory } from './cached-object-memory.ts';
import { cpuMs } from './process-cpu.ts';
import { heapAfterGc, memoryProbeNodeOptions, residentBytes } from './process-sampler.ts';

const values = benchOptions(
  {
    'real-clusters': { type: 'string', default: '4' },
    clusters: { type: 'string', default: '10,50,100' },
    pods: { type: 'string', default: '100,1000' },
    repeats: { type: 'string', default: '200' },
    'max-live-pages': { type: 'string', default: '10' },
    baseline: { type: 'string' },
    'skip-live': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'settle-seconds': { type: 'string', default: '30' },
    'active-timeout': { type: 'string', default: '180' },
    'tunnel-liveness-ms': { type: 'string', default: '8000' },
  },
  `Usage: node bench/fan-out.ts [options]
  --real-clusters N   control planes the registered clusters share (default 4)
  --clusters LIST     cluster counts to query (default 10,50,100; the largest is registered)
  --pods LIST         pods per cluster, ascending (default 100,1000)
  --repeats N         warm first-page queries per cell for the cached gateway (default 200)
  --max-live-pages N  live full walks longer than this many pages are extrapolated from
                      the measured page time instead of run (default 10)
  --baseline REF      also measure the cached gateway of git commit REF, in turns with this
                      checkout's, against the same clusters and agents (rows marked)
  --skip-live         measure only the cached gateway (no naive client, no live lists)
  --cpu-prof          write the gateway's CPU profiles (one per gateway start) under the
                      run's folder, in profiles-<which>/
  --active-timeout N  seconds to wait for every agent to be Active after a (re)start (default 180)
  --tunnel-liveness-ms N  how long the gateway waits for a sign of life from an agent
                      before it drops its tunnel (default 8000, the gateway's own)
  --settle-seconds N  how long the gateway is left quiet after filling its caches before its
                      RSS is read again (default 30; V8 gives pages back only once it is quiet)`,
);
const realCount = Number(values['real-clusters']);
const clusterCounts = (values.clusters as string).split(',').map(Number);
const podCounts = (values.pods as string).split(',').map(Number);
const repeats = Number(values.repeats);
const maxLivePages = Number(values['max-live-pages']);
const maxClusters = Math.max(...clusterCounts);
const settleMs = Number(values['settle-seconds']) * 1000;
const activeTimeoutMs = Number(values['active-timeout']) * 1000;
const FIRST_PAGE = 100;
const WALK_PAGE = 1000;
const NAMESPACES = 10;

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

// ---- the fleet ----

log(`starting ${realCount} control planes and the gateway ...`);
const run = await startClusters({ count: realCount, namePrefix: 'fan' });
const memoryFile = join(run.runDir, 'gateway-memory.json');
/** The gateway's environment: the memory probe, and a CPU profile per start if asked for. */
function gatewayEnv(which: string): Record<string, string> {
  const profile = values['cpu-prof']
    ? ` --cpu-prof --cpu-prof-dir=${join(run.runDir, `profiles-${which}`)}`
    : '';
  return {
    NODE_OPTIONS: `${memoryProbeNodeOptions}${profile}`,
    FLEETGATE_BENCH_MEMORY_FILE: memoryFile,
    // 100 agent processes on a loaded machine can be starved past the default 8 s.
    FLEETGATE_TUNNEL_LIVENESS_MS: values['tunnel-liveness-ms'] as string,
  };
}
const gateway = await GatewayProcess.start({ dir: run.runDir, logLevel: 'warn', env: gatewayEnv('setup') });
const baselineRoot = values.baseline ? exportBaseline(values.baseline, run.runDir) : undefined;
const agents: ManagedProcess[] = [];

async function stopAll(): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
  await gateway.stop();
  await run.stop();
}
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  log(`registering ${maxClusters} clusters ...`);
  const registrations: Registration[] = [];
  for (let i = 0; i < maxClusters; i++)
    registrations.push(await registerCluster(gateway, `fan-${String(i + 1).padStart(3, '0')}`));

  const agentKubeconfigs = await installAgentIdentities(gateway, run.clusters, registrations);
  log(`starting ${maxClusters} agent processes ...`);
  await startAgentProcesses({
    gateway,
    registrations,
    kubeconfigs: agentKubeconfigs,
    dir: join(run.runDir, 'agents'),
    agents,
    extraArgs: ['--reconnect-max-ms', '1000'],
  });
  const clusterIds = registrations.map((r) => r.cluster.clusterId).sort();
  await waitAllActive();
  const adminToken = await downloadKubeconfig(
    gateway,
    'admin',
    gateway.adminPassword,
    join(run.runDir, 'admin.kubeconfig'),
  );
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 16, ca: gateway.caPem });

  async function get(path: string, body?: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        `${gateway.url}${path}`,
        {
          agent: https,
          method: body ? 'POST' : 'GET',
          headers: {
            authorization: `Bearer ${adminToken}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function waitAllActive(): Promise<void> {
    const started = performance.now();
    for (;;) {
      const { status, body } = await gateway.api<{ clusters: { state: string }[] }>('GET', '/v1/clusters');
      const active = status === 200 ? body.clusters.filter((c) => c.state === 'Active').length : 0;
      if (active === maxClusters) break;
      if (performance.now() - started > activeTimeoutMs)
        throw new Error(`only ${active} clusters Active after ${activeTimeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`all ${maxClusters} clusters Active after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** One page of pods over `scope`; the page size is a literal so the cost limit sees it. */
  async function page(
    scope: readonly string[],
    first: number,
    after: string | null,
    allowClusterErrors = false,
    sorted = false,
  ) {
    const sort = sorted ? ', sort: [{ field: "createdAt", direction: DESC }]' : '';
    const query = `query($c: [ID!], $after: String) {
      pods(first: ${first}, after: $after, filter: { clusters: $c }${sort}) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { clusterId namespace name phase nodeName } }
      }
    }`;
    const answer = await get('/graphql', JSON.stringify({ query, variables: { c: scope, after } }));
    const parsed = JSON.parse(answer.text) as {
      data?: {
        pods: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          edges: unknown[];
        };
      };
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (!parsed.data || (parsed.errors?.length && !allowClusterErrors))
      throw new Error(
        `pods query: ${answer.status} ${JSON.stringify(parsed.errors ?? answer.text).slice(0, 300)}`,
      );
    return { ...parsed.data.pods, failedClusters: parsed.errors?.length ?? 0 };
  }

  async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const started = performance.now();
    const value = await work();
    return { ms: performance.now() - started, value };
  }

  async function walk(scope: readonly string[], sorted = false): Promise<number> {
    let after: string | null = null;
    let seen = 0;
    for (;;) {
      const result = await page(scope, WALK_PAGE, after, false, sorted);
      seen += result.edges.length;
      if (!result.pageInfo.hasNextPage) return seen;
      after = result.pageInfo.endCursor;
    }
  }

  /** The naive client: each cluster's pods through the passthrough, one cluster after another. */
  async function naive(scope: readonly string[]): Promise<number> {
    const keys: string[] = [];
    for (const clusterId of scope) {
      let continueToken = '';
      do {
        const query = new URLSearchParams({ limit: '500' });
        if (continueToken) query.set('continue', continueToken);
        const answer = await get(`/k8s/clusters/${clusterId}/api/v1/pods?${query}`);
        if (answer.status !== 200) throw new Error(`naive list ${clusterId}: ${answer.status}`);
        const body = JSON.parse(answer.text) as {
          items: { metadata: { namespace: string; name: string } }[];
          metadata: { continue?: string };
        };
        for (const pod of body.items)
          keys.push(`${clusterId}/${pod.metadata.namespace}/${pod.metadata.name}`);
        continueToken = body.metadata.continue ?? '';
      } while (continueToken);
    }
    keys.sort();
    return keys.length;
  }

  /** One value from the gateway's Prometheus metrics. */
  async function metric(name: string): Promise<number> {
    const answer = await get('/metrics');
    if (answer.status !== 200) throw new Error(`metrics: ${answer.status}`);
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(answer.text)?.[1] ?? Number.NaN);
  }

  const rows: string[] = [];
  const memoryRows: string[] = [];
  const row = (cells: (string | number)[]) => rows.push(`| ${cells.join(' | ')} |`);
  const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
  let podsNow = 0;

  for (const pods of podCounts) {
    log(`creating pods: ${pods} per control plane ...`);
    await Promise.all(
      run.clusters.map(async (cluster) => {
        for (let n = 0; n < NAMESPACES; n++)
          await cluster.kubectlOk('admin', ['create', 'namespace', `team-${n}`]).catch(() => '');
        for (let start = podsNow; start < pods; start += 500) {
          const items = [];
          for (let i = start; i < Math.min(pods, start + 500); i++) {
            items.push({
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: {
                name: `web-${String(i).padStart(5, '0')}`,
                namespace: `team-${i % NAMESPACES}`,
                labels: { app: 'web', shard: String(i % 7) },
              },
              spec: {
                // No scheduler picks these up: the count stays put while we measure.
                schedulerName: 'not-scheduled',
                containers: [
                  {
                    name: 'web',
                    image: 'registry.invalid/web:1.2.3',
                    resources: { requests: { cpu: '10m', memory: '16Mi' } },
                  },
                ],
              },
            });
          }
          // Without client-side validation (its schema download times out on a loaded
          // machine), and again on a failure.
          for (let attempt = 1; ; attempt++) {
            try {
              await cluster.kubectlOk('admin', ['apply', '--validate=false', '-f', '-'], {
                stdin: stringify({ apiVersion: 'v1', kind: 'List', items }),
                timeoutMs: 300_000,
              });
              break;
            } catch (error) {
              if (attempt >= 3) throw error;
              log(`creating pods failed (${(error as Error).message.slice(0, 120)}); again`);
            }
          }
        }
      }),
    );
    podsNow = pods;

    // Live, and naive, with the caches off.
    if (!values['skip-live']) await gateway.restart({ ...gatewayEnv('live'), FLEETGATE_LIST_CACHE: 'off' });
    if (!values['skip-live']) await waitAllActive();
    for (const count of values['skip-live'] ? [] : clusterCounts) {
      const scope = clusterIds.slice(0, count);
      log(`${count} clusters x ${pods} pods: naive ...`);
      const naiveRun = await timed(() => naive(scope));
      log(`${count} clusters x ${pods} pods: live first page ...`);
      const firsts: number[] = [];
      let total = 0;
      let failed = 0;
      for (let i = 0; i < 3; i++) {
        // Live lists may miss the 10 s a cluster is given: counted, not fatal.
        const first = await timed(() => page(scope, FIRST_PAGE, null, true));
        firsts.push(first.ms);
        total = first.value.totalCount;
        failed = Math.max(failed, first.value.failedClusters);
      }
      firsts.sort((a, b) => a - b);
      const expected = naiveRun.value;
      const pages = Math.ceil(expected / WALK_PAGE);
      let walkCell: string;
      if (failed) {
        walkCell = 'not run: clusters missed their 10 s';
      } else if (pages <= maxLivePages) {
        log(`${count} clusters x ${pods} pods: live full walk (${pages} pages) ...`);
        const full = await timed(() => walk(scope));
        if (full.value !== total) throw new Error(`live walk saw ${full.value} of ${total}`);
        walkCell = ms(full.ms);
      } else {
        walkCell = `~${ms(pages * percentile(firsts, 50))} (${pages} pages x first page, extrapolated)`;
      }
      row([
        count,
        pods,
        naiveRun.value,
        'naive: sequential passthrough lists',
        ms(naiveRun.ms),
        '',
        ms(naiveRun.ms),
        '',
      ]);
      if (!failed && naiveRun.value !== total) throw new Error(`naive saw ${naiveRun.value} of ${total}`);
      row([
        count,
        pods,
        total,
        'gateway, live lists',
        ms(percentile(firsts, 50)),
        ms(firsts.at(-1) ?? 0),
        walkCell,
        failed
          ? `${failed} of ${count} clusters timed out (CLUSTER_TIMEOUT); ${total} of ${expected} pods answered`
          : '',
      ]);
    }

    // The same queries from the caches: the baseline's gateway and this one, in turns.
    const targets: { name: string; root?: string }[] = [
      ...(baselineRoot ? [{ name: `baseline ${values.baseline}`, root: baselineRoot }] : []),
      { name: baselineRoot ? 'this checkout' : '', root: undefined },
    ];
    for (const target of targets) {
      const which = target.root ? 'baseline' : 'new';
      const how = (text: string) => (target.name ? `${text} [${target.name}]` : text);
      await gateway.restart({ ...gatewayEnv(which), FLEETGATE_LIST_CACHE: 'on' }, target.root);
      await waitAllActive();
      await new Promise((r) => setTimeout(r, 2000));
      const pid = gateway.process?.pid as number;
      const empty = await heapAfterGc(pid, memoryFile);
      const largest = clusterIds.slice(0, maxClusters);
      // Filling 100 caches at once may take longer than a cluster's 10 s: counted, not fatal.
      const cold = await timed(() => page(largest, FIRST_PAGE, null, true));
      while ((await metric('fleetgate_list_caches_synced')) < maxClusters)
        await new Promise((r) => setTimeout(r, 250));
      log(`${how('cold first page')} over ${maxClusters} clusters (fills every cache): ${ms(cold.ms)}`);
      const cachedPods = await metric('fleetgate_list_cache_objects');
      const rssFilled = residentBytes(pid);
      const filled = await heapAfterGc(pid, memoryFile);
      log(`leaving the gateway quiet for ${settleMs / 1000} s ...`);
      await new Promise((r) => setTimeout(r, settleMs));
      const rssSettled = residentBytes(pid);
      const settled = await heapAfterGc(pid, memoryFile);
      const perPod = (from: number, to: number) =>
        `${((to - from) / cachedPods / 1024).toFixed(2)} KiB (${(from / 2 ** 20).toFixed(0)} -> ${(to / 2 ** 20).toFixed(0)} MiB)`;
      const scale = `${maxClusters} x ${pods}`;
      memoryRows.push(
        `| ${scale} | ${how('RSS growth per cached pod, right after the fill (no GC forced)')} | ${perPod(empty.rss, rssFilled)} for ${cachedPods} pods |`,
        `| ${scale} | ${how('RSS growth per cached pod, after a full GC')} | ${perPod(empty.rss, filled.rss)} |`,
        `| ${scale} | ${how(`RSS growth per cached pod, quiet ${settleMs / 1000} s (no GC forced)`)} | ${perPod(empty.rss, rssSettled)} |`,
        `| ${scale} | ${how(`RSS growth per cached pod, quiet ${settleMs / 1000} s, then a full GC`)} | ${perPod(empty.rss, settled.rss)} |`,
        `| ${scale} | ${how('heap used per cached pod, after a full GC')} | ${perPod(empty.heapUsed, settled.heapUsed)} |`,
        `| ${scale} | ${how('heap committed per cached pod, after a full GC')} | ${perPod(empty.heapTotal, settled.heapTotal)} |`,
        `| ${scale} | ${how('external (off-heap) per cached pod, of it ArrayBuffers')} | ${perPod(empty.external, settled.external)}; ${perPod(empty.arrayBuffers, settled.arrayBuffers)} |`,
      );
      for (const count of clusterCounts) {
        const scope = clusterIds.slice(0, count);
        log(`${count} clusters x ${pods} pods: ${how('cached')} ...`);
        const firsts: number[] = [];
        let total = 0;
        const cpuBefore = cpuMs(pid);
        for (let i = 0; i < repeats; i++) {
          const first = await timed(() => page(scope, FIRST_PAGE, null));
          firsts.push(first.ms);
          total = first.value.totalCount;
        }
        // The gateway's CPU per cached first page: on a shared machine steadier than latency.
        const firstPageCpuUs = ((cpuMs(pid) - cpuBefore) / repeats) * 1000;
        firsts.sort((a, b) => a - b);
        const walks: number[] = [];
        for (let i = 0; i < 3; i++) {
          const full = await timed(() => walk(scope));
          if (full.value !== total) throw new Error(`cached walk saw ${full.value} of ${total}`);
          walks.push(full.ms);
        }
        walks.sort((a, b) => a - b);
        if (!((await metric('fleetgate_list_cache_answers')) > 0))
          throw new Error('no list was answered from a cache');
        const sortedFirsts: number[] = [];
        for (let i = 0; i < repeats; i++) {
          const first = await timed(() => page(scope, FIRST_PAGE, null, false, true));
          if (first.value.totalCount !== total)
            throw new Error(`sorted page counted ${first.value.totalCount} of ${total}`);
          sortedFirsts.push(first.ms);
        }
        sortedFirsts.sort((a, b) => a - b);
        const sortedWalks: number[] = [];
        for (let i = 0; i < 3; i++) {
          const full = await timed(() => walk(scope, true));
          if (full.value !== total) throw new Error(`sorted walk saw ${full.value} of ${total}`);
          sortedWalks.push(full.ms);
        }
        sortedWalks.sort((a, b) => a - b);
        row([
          count,
          pods,
          total,
          how('gateway, watch-backed caches'),
          ms(percentile(firsts, 50)),
          ms(percentile(firsts, 99)),
          `${ms(percentile(walks, 50))} (${Math.ceil(total / WALK_PAGE)} pages; all 3: ${walks.map(ms).join(', ')})`,
          `gateway CPU ${firstPageCpuUs.toFixed(0)} µs per first page; ${
            count === maxClusters
              ? `cold first page ${ms(cold.ms)} (${cold.value.failedClusters} clusters still filling); ${await metric('fleetgate_list_cache_objects')} pods cached; gateway RSS ${(residentBytes(pid) / 2 ** 20).toFixed(0)} MiB`
              : ''
          }`,
        ]);
        row([
          count,
          pods,
          total,
          how('gateway, caches, sorted by createdAt (newest first)'),
          ms(percentile(sortedFirsts, 50)),
          ms(percentile(sortedFirsts, 99)),
          `${ms(percentile(sortedWalks, 50))} (${Math.ceil(total / WALK_PAGE)} pages; all 3: ${sortedWalks.map(ms).join(', ')})`,
          '',
        ]);
      }
    }
  }

  // The heap per pod of real pods from one cluster, stored both ways, in this process.
  const listed = await get(`/k8s/clusters/${clusterIds[0]}/api/v1/pods`);
  const realPods = (JSON.parse(listed.text) as { items: KubeObject[] }).items.map((object) => {
    const { managedFields: _dropped, ...metadata } = object.metadata as Record<string, unknown>;
    return { ...object, metadata } as KubeObject;
  });
  const heap = cachedObjectMemory(realPods, 20_000);
  memoryRows.push(
    `| ${realPods.length} pods of one cluster, 20,000 copies | heap per cached pod: parsed objects (before) | ${(heap.parsed / 1024).toFixed(2)} KiB (JSON ${heap.jsonChars.toFixed(0)} characters) |`,
    `| | heap per cached pod: compressed (now) | ${(heap.compact / 1024).toFixed(2)} KiB (${(heap.compact / heap.parsed).toFixed(2)}x) |`,
  );
  console.log(
    `| clusters | pods each | pods in all | how | first page (${FIRST_PAGE}) p50 | first page p99 (max of 3 for live) | full walk, pages of ${WALK_PAGE} (p50) | notes |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const line of rows) console.log(line);
  console.log('\n| scale | memory measure | value |\n| --- | --- | --- |');
  for (const line of memoryRows) console.log(line);
} finally {
  await stopAll();
}
