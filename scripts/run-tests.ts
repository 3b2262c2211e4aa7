// The test suite in two tiers. Unit tests (*.unit.test.ts) cover pure modules, start
// nothing and need no control plane; they run first, concurrently, so that a broken codec
// fails the run in seconds instead of after the control-plane build. Then the control plane
// is built or found and every test file runs one at a time, the unit tests included again:
// they cost seconds, and it keeps the closing summary (the `pass N` / `fail N` lines of
// node's test runner, which CI reads) a true count of every test in the suite, with no
// adding up of our own. Last, no process the harness started may outlive the run.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { findLeftovers } from '../test/harness/leftovers.ts';

const UNIT_TESTS = 'test/**/*.unit.test.ts';
const ALL_TESTS = 'test/**/*.test.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { unit: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log(`Usage: npm test [-- FILE...]
       npm run test:unit [-- FILE...]

npm test runs the unit tests (${UNIT_TESTS}) first and stops if one fails;
then builds or finds the control-plane binaries and runs every ${ALL_TESTS}, one
file at a time since most start real clusters (the unit tests again, so that the
closing summary counts every test); then checks that no harness process is left
running.

npm run test:unit (--unit) runs only the unit tests, concurrently, without the
control plane; they start no process and finish in seconds.

With FILE arguments only those files run; the control plane is built only when one
of them is not a unit test.`);
  process.exit(0);
}

const isUnit = (file: string) => file.endsWith('.unit.test.ts');

/** Runs node's test runner on `files`; true when every test passed. */
function runTests(files: readonly string[], options: { oneFileAtATime: boolean }): boolean {
  const concurrency = options.oneFileAtATime ? ['--test-concurrency=1'] : [];
  const run = spawnSync(
    process.execPath,
    ['--test', ...concurrency, '--test-reporter=spec', '--test-timeout=600000', ...files],
    { stdio: 'inherit' },
  );
  return run.status === 0;
}

if (values.unit) {
  const files = positionals.length ? positionals : [UNIT_TESTS];
  process.exit(runTests(files, { oneFileAtATime: false }) ? 0 : 1);
}

if (positionals.length === 0) {
  console.log(`unit tests (${UNIT_TESTS}), before the control plane:`);
  if (!runTests([UNIT_TESTS], { oneFileAtATime: false })) {
    console.error('unit tests failed; the cluster tests were not run');
    process.exit(1);
  }
  console.log(`\nevery test (${ALL_TESTS}), the unit tests included:`);
} else if (positionals.every(isUnit)) {
  process.exit(runTests(positionals, { oneFileAtATime: false }) ? 0 : 1);
}

const build = spawnSync('bash', ['scripts/build-control-plane.sh'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const passed = runTests(positionals.length ? positionals : [ALL_TESTS], { oneFileAtATime: true });

const leftovers = findLeftovers(undefined, { exceptLiveRuns: true });
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
process.exit(passed ? 0 : 1);
