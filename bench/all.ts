// Runs every benchmark, one after another (they would disturb each other side by side),
// and prints their tables under one heading each. `--only a,b` picks some.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const BENCHMARKS = [
  { name: 'harness-startup', file: 'harness-startup.ts', what: 'test harness start-up and memory' },
  { name: 'passthrough', file: 'passthrough.ts', what: 'passthrough overhead vs direct and kubectl proxy' },
  {
    name: 'exec-handshake',
    file: 'exec-handshake.ts',
    what: "exec's upgrade over WebSocket and SPDY, with the create review vs main",
  },
  { name: 'tunnel', file: 'tunnel-throughput.ts', what: 'bulk transfer through the tunnel vs direct' },
  { name: 'fan-out', file: 'fan-out.ts', what: 'GraphQL fan-out over 10/50/100 clusters' },
  { name: 'subscriptions', file: 'subscriptions.ts', what: '10,000 subscribers at 1/s and 2,000 at 10/s' },
  { name: 'agents', file: 'agents.ts', what: '100, 500 and 2,000 agents on one gateway' },
  {
    name: 'access',
    file: 'access-control.ts',
    what: '1,000 memberships over 20 clusters, then a pass with nothing changed',
  },
  {
    name: 'token-store',
    file: 'token-store.ts',
    what: 'token verification and revocation: SQLite vs Kubernetes store',
  },
] as const;

const { values } = parseArgs({
  options: { only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`Usage: node bench/all.ts [--only NAME,NAME]

Runs each benchmark with its defaults, one at a time:
${BENCHMARKS.map((b) => `  ${b.name.padEnd(16)} bench/${b.file}: ${b.what}`).join('\n')}`);
  process.exit(0);
}
const chosen = values.only?.split(',') ?? BENCHMARKS.map((b) => b.name);
const unknown = chosen.filter((name) => !BENCHMARKS.some((b) => b.name === name));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; see --help`);
  process.exit(2);
}

const failed: string[] = [];
for (const benchmark of BENCHMARKS.filter((b) => chosen.includes(b.name))) {
  console.log(`\n## ${benchmark.name}: ${benchmark.what}\n`);
  console.error(`--- ${benchmark.name} (bench/${benchmark.file}) ---`);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [new URL(benchmark.file, import.meta.url).pathname], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`--- ${benchmark.name}: exit ${code} after ${seconds} s ---`);
  if (code !== 0) failed.push(benchmark.name);
}
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
