// Token store costs: verifying a token (every request does it) and issuing one, with the
// embedded SQLite store and with the Kubernetes store (views of a management cluster), side
// by side in one run; and how long a revocation made through one replica's store takes to
// be refused by another's. Prints p50 / p99 and the ratios to SQLite.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteApiTokenRepository } from '../src/auth/api-token-repository.ts';
import { ApiTokens } from '../src/auth/api-tokens.ts';
import type { Principal } from '../src/auth/principal.ts';
import { openKubernetesStore } from '../src/management/kubernetes-store.ts';
import { createLogger } from '../src/shared/log/logger.ts';
import { openDatabase } from '../src/store/database.ts';
import { startClusters, type TestCluster } from '../test/harness/index.ts';

const { values } = parseArgs({
  options: {
    tokens: { type: 'string', default: '1000' },
    verifications: { type: 'string', default: '200000' },
    revocations: { type: 'string', default: '50' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/token-store.ts [--tokens N] [--verifications N] [--revocations N]

  --tokens N         tokens issued in each store (default 1000; the issuing time is measured)
  --verifications N  verifications of random tokens per store, in 10 alternating rounds (default 200000)
  --revocations N    revocations through one Kubernetes store, timed until another refuses (default 50)`);
  process.exit(0);
}
const tokenCount = Number(values.tokens);
const verifications = Number(values.verifications);
const revocations = Number(values.revocations);
const log = createLogger('bench', 'error');
const principal: Principal = {
  principalId: 'local:bench',
  provider: 'local',
  name: 'bench',
  groups: [],
  isAdmin: false,
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const fmt = (ms: number) => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`);

const run = await startClusters({ count: 1, namePrefix: 'tokbench' });
try {
  const management = run.clusters[0] as TestCluster;
  const sqlite = new ApiTokens(
    new SqliteApiTokenRepository(openDatabase(await mkdtemp(join(tmpdir(), 'tokbench-')))),
  );
  const storeA = await openKubernetesStore(
    { kubeconfigPath: management.kubeconfigs.admin, replicaId: 'bench-a' },
    log,
  );
  const storeB = await openKubernetesStore(
    { kubeconfigPath: management.kubeconfigs.admin, replicaId: 'bench-b' },
    log,
  );
  const kubeA = new ApiTokens(storeA.tokens);
  const kubeB = new ApiTokens(storeB.tokens);

  const issue = async (tokens: ApiTokens) => {
    const texts: string[] = [];
    const times: number[] = [];
    for (let i = 0; i < tokenCount; i++) {
      const started = performance.now();
      texts.push(
        (await tokens.create(principal, { kind: 'api', description: 'bench', ttlSeconds: 3600 })).token,
      );
      times.push(performance.now() - started);
    }
    return { texts, times: times.sort((a, b) => a - b) };
  };
  const issuedSqlite = await issue(sqlite);
  const issuedKube = await issue(kubeA);
  // Every token of A's must be in B's view before B verifies them.
  while (storeB.tokens.list().length < tokenCount) await new Promise((r) => setTimeout(r, 50));

  const verifyRounds = (tokens: ApiTokens, texts: string[], count: number) => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const check = tokens.verify(texts[(i * 7919) % texts.length] as string);
      if (!check.ok) throw new Error(`verification failed: ${check.reason}`);
    }
    const cpu = process.cpuUsage(cpuBefore);
    return { wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const perRound = Math.floor(verifications / 10);
  const totals = { sqlite: { wallMs: 0, cpuMs: 0 }, kube: { wallMs: 0, cpuMs: 0 } };
  for (let round = 0; round < 10; round++) {
    for (const [name, tokens, texts] of [
      ['sqlite', sqlite, issuedSqlite.texts],
      ['kube', kubeB, issuedKube.texts],
    ] as const) {
      const result = verifyRounds(tokens, texts, perRound);
      totals[name].wallMs += result.wallMs;
      totals[name].cpuMs += result.cpuMs;
    }
  }

  const seen: number[] = [];
  for (let i = 0; i < revocations; i++) {
    const text = issuedKube.texts[i] as string;
    const tokenId = text.split('.')[1] as string;
    const started = performance.now();
    await kubeA.revoke(tokenId);
    while (kubeB.verify(text).ok) await new Promise((r) => setImmediate(r));
    seen.push(performance.now() - started);
  }
  seen.sort((a, b) => a - b);

  const perOp = (t: { cpuMs: number }) => (t.cpuMs / (perRound * 10)) * 1000;
  console.log(`| | SQLite | Kubernetes store | ratio |
| --- | --- | --- | --- |
| verify, CPU per token (µs) | ${perOp(totals.sqlite).toFixed(2)} | ${perOp(totals.kube).toFixed(2)} | ${(perOp(totals.kube) / perOp(totals.sqlite)).toFixed(2)} |
| verify, per second on one core | ${Math.round((perRound * 10) / (totals.sqlite.wallMs / 1000))} | ${Math.round((perRound * 10) / (totals.kube.wallMs / 1000))} | ${(totals.sqlite.wallMs / totals.kube.wallMs).toFixed(2)} |
| issue a token, p50 | ${fmt(percentile(issuedSqlite.times, 0.5))} | ${fmt(percentile(issuedKube.times, 0.5))} | ${(percentile(issuedKube.times, 0.5) / percentile(issuedSqlite.times, 0.5)).toFixed(1)} |
| issue a token, p99 | ${fmt(percentile(issuedSqlite.times, 0.99))} | ${fmt(percentile(issuedKube.times, 0.99))} | ${(percentile(issuedKube.times, 0.99) / percentile(issuedSqlite.times, 0.99)).toFixed(1)} |

Revocation through replica A refused by replica B (${revocations} revocations): p50 ${fmt(percentile(seen, 0.5))}, p99 ${fmt(percentile(seen, 0.99))}, max ${fmt(seen.at(-1) ?? 0)}.`);
  storeA.close();
  storeB.close();
} finally {
  await run.stop();
}
