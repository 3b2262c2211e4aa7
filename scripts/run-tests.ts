// The whole test suite: make sure the control-plane binaries exist, run every test file,
// then prove that no process the harness started outlived the run.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { findLeftovers } from '../test/harness/leftovers.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`Usage: npm test [-- FILE...]

Builds or finds the control-plane binaries, runs the test files (default: every
test/**/*.test.ts, one file at a time since each starts real clusters), then checks
that no harness process is left running.`);
  process.exit(0);
}

const build = spawnSync('bash', ['scripts/build-control-plane.sh'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const files = positionals.length ? positionals : ['test/**/*.test.ts'];
const tests = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-timeout=600000', ...files],
  { stdio: 'inherit' },
);

const leftovers = findLeftovers();
if (leftovers.length) {
  console.error(`\n${leftovers.length} harness processes outlived the tests; killing them:`);
  for (const { pid, command } of leftovers) {
    console.error(`  ${pid} ${command}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  process.exit(1);
}
console.log('no harness process left running');
process.exit(tests.status ?? 1);
