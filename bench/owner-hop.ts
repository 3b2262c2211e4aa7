// A cached, sorted first page of pods over the clusters one replica owns, asked of that
// replica (its own caches answer) vs of another replica (which asks the owner for a window
// of each cluster over their peer link: docs/replicas.md §6). The same query takes turns in
// one run. Prints p50 / p99 latency and the CPU each replica spent per query.
//
// The registered clusters share a few real control planes, as in bench/fan-out.ts: each
// registration has its own agent process and tunnel, pointed at one of the apiservers.

import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type GatewayProcess, type Registration, registerCluster } from '../test/harness/fleet.ts';
import { startClusters, type TestCluster } from '../test/harness/index.ts';
import type { ManagedProcess } from '../test/harness/managed-process.ts';
import { startReplicas } from '../test/replicas/replica-fleet.ts';
import { benchOptions, installAgentIdentities, startAgentProcesses, wholeOption } from './bench-fleet.ts';
import { cpuMs } from './process-cpu.ts';

const values = benchOptions(
  {
    clusters: { type: 'string', default: '20' },
    pods: { type: 'string', default: '500' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    first: { type: 'string', default: '50' },
  },
  `Usage: node bench/owner-hop.ts [options]

  --clusters N  clusters registered (default 20), over 2 real control planes
  --pods N      pods per control plane, so per cluster (default 500)
  --queries N   queries per target and round (default 200)
  --rounds N    rounds; the two targets take turns within each (default 3)
  --first N     page size (default 50)`,
);
const clusterCount = wholeOption('clusters', values.clusters);
const podCount = wholeOption('pods', values.pods);
const queries = wholeOption('queries', values.queries);
const rounds = wholeOption('rounds', values.rounds);
const first = wholeOption('first', values.first);
const REAL_CLUSTERS = 2;

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

log(`starting ${REAL_CLUSTERS + 1} control planes (one is the management cluster) and two replicas ...`);
const run = await startClusters({ count: REAL_CLUSTERS + 1, namePrefix: 'ownbench' });
const agents: ManagedProcess[] = [];
try {
  const [management, ...real] = run.clusters as [TestCluster, ...TestCluster[]];
  const replicas = await startReplicas(management, join(run.runDir, 'replicas'), 2, 'fleetgate-system', {
    sharedTls: true,
  });
  const [one, two] = replicas as [GatewayProcess, GatewayProcess];
  const registrations: Registration[] = [];
  for (let i = 0; i < clusterCount; i++)
    registrations.push(await registerCluster(one, `own-${String(i).padStart(3, '0')}`));
  const kubeconfigs = await installAgentIdentities(one, real, registrations);
  await Promise.all(
    real.map(async (cluster) => {
      await cluster.kubectlOk('admin', ['create', 'namespace', 'bench']);
      await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
        stdin: stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: Array.from({ length: podCount }, (_, n) => ({
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: {
              name: `pod-${String(n).padStart(4, '0')}`,
              namespace: 'bench',
              labels: { app: 'bench' },
            },
            spec: { containers: [{ name: 'c', image: 'registry.invalid/c:1' }] },
          })),
        }),
      });
    }),
  );
  log(`starting ${clusterCount} agents (all on replica 1) ...`);
  await startAgentProcesses({
    gateway: one,
    registrations,
    kubeconfigs,
    dir: join(run.runDir, 'agents'),
    agents,
  });
  for (const registration of registrations)
    await two.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active', 180_000);
  const login = await one.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: one.adminPassword }),
  });
  const { token } = JSON.parse(login.text) as { token: string };
  const view = await one.api<{ clusters: { clusterId: string; owner: string | null }[] }>(
    'GET',
    '/v1/replicas',
  );
  const ownedBy = (replicaId: string) =>
    view.body.clusters.filter((c) => c.owner === replicaId).map((c) => c.clusterId);
  // The replica owning more clusters is the owner of the query's scope.
  const [owner, asker, scope] =
    ownedBy('replica-1').length >= ownedBy('replica-2').length
      ? [one, two, ownedBy('replica-1')]
      : [two, one, ownedBy('replica-2')];
  log(`the query covers the ${scope.length} clusters of one replica, ${scope.length * podCount} pods`);

  const query = JSON.stringify({
    query: `query($c: [ID!]) {
      pods(first: ${first}, filter: { clusters: $c }, sort: [{ field: "name", direction: DESC }]) {
        totalCount edges { node { clusterId namespace name phase } }
      }
    }`,
    variables: { c: scope },
  });
  const https = (gateway: GatewayProcess) => new Agent({ keepAlive: true, maxSockets: 1, ca: gateway.caPem });
  const agentsOf = new Map([
    [owner, https(owner)],
    [asker, https(asker)],
  ]);
  const ask = (gateway: GatewayProcess) =>
    new Promise<{ ms: number; totalCount: number; errors: number }>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        `${gateway.url}/graphql`,
        {
          method: 'POST',
          agent: agentsOf.get(gateway),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              data?: { pods: { totalCount: number } };
              errors?: unknown[];
            };
            resolve({
              ms: performance.now() - started,
              totalCount: answer.data?.pods.totalCount ?? -1,
              errors: answer.errors?.length ?? 0,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(query);
    });
  // Both answer the whole scope from the owner's caches before anything is measured.
  for (const gateway of [owner, asker]) {
    for (let tries = 0; ; tries++) {
      const answer = await ask(gateway);
      // Each cluster also holds the pod of the agent's Deployment.
      if (answer.errors === 0 && answer.totalCount >= scope.length * podCount) break;
      if (tries > 300)
        throw new Error(`no complete answer through ${gateway.url}: ${JSON.stringify(answer)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const targets = [
    { name: 'the owner itself', gateway: owner },
    { name: 'another replica (asks the owner)', gateway: asker },
  ];
  const results = new Map(targets.map((t) => [t.name, { latencies: [] as number[], owner: 0, asker: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const entry = results.get(target.name) as { latencies: number[]; owner: number; asker: number };
      const before = { owner: cpuMs(owner.process?.pid), asker: cpuMs(asker.process?.pid) };
      for (let i = 0; i < queries; i++) {
        const answer = await ask(target.gateway);
        if (answer.errors !== 0) throw new Error(`errors through ${target.name}`);
        entry.latencies.push(answer.ms);
      }
      entry.owner += cpuMs(owner.process?.pid) - before.owner;
      entry.asker += cpuMs(asker.process?.pid) - before.asker;
    }
  }
  const total = queries * rounds;
  const base = results.get(targets[0]?.name as string);
  const baseP50 = percentile(
    [...(base?.latencies ?? [])].sort((a, b) => a - b),
    50,
  );
  const rows = targets.map((target) => {
    const entry = results.get(target.name) as { latencies: number[]; owner: number; asker: number };
    const sorted = [...entry.latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const perQuery = (ms: number) => ((ms / total) * 1000).toFixed(0);
    return `| ${target.name} | ${scope.length} | ${p50.toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${perQuery(entry.owner)} | ${perQuery(entry.asker)} | ${perQuery(entry.owner + entry.asker)} | ${(p50 / baseP50).toFixed(2)} |`;
  });
  console.log(`| asked of | clusters | p50 ms | p99 ms | owner CPU µs/query | other replica CPU µs/query | both µs/query | p50 ratio |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`);
  await Promise.all(agents.map((agent) => agent.stop()));
  await Promise.all(replicas.map((r) => r.stop()));
} finally {
  await Promise.all(agents.map((agent) => agent.stop()));
  await run.stop();
}
