import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findLeftovers } from './leftovers.ts';
import { pidFileDir } from './process-registry.ts';

// Two processes stand in for a second test run of this checkout: an "owner" (a test file
// still running) and a "cluster component" it recorded, whose command line names the marker
// the leftover check looks for.
const marker = `leftover-marker-${process.pid}-${Date.now()}`;
const children: ChildProcess[] = [];
const idle = (...args: string[]) => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', ...args], { stdio: 'ignore' });
  children.push(child);
  return child;
};

after(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe('leftover check', () => {
  test("another test run's recorded processes are not leftovers while it runs, and are once it has gone", async () => {
    const component = idle(marker);
    const owner = idle();
    await sleep(200);
    mkdirSync(pidFileDir, { recursive: true });
    const pidFile = join(pidFileDir, `${owner.pid}.pids`);
    writeFileSync(pidFile, `${component.pid} etcd\n`);
    try {
      assert.deepEqual(findLeftovers(marker, { exceptLiveRuns: true }), []);
      // Listed as harness processes all the same (the teardown tests read them so).
      assert.deepEqual(
        findLeftovers(marker).map((leftover) => leftover.pid),
        [component.pid],
      );
      owner.kill('SIGKILL');
      await new Promise((resolve) => owner.once('exit', resolve));
      assert.deepEqual(
        findLeftovers(marker, { exceptLiveRuns: true }).map((leftover) => leftover.pid),
        [component.pid],
      );
    } finally {
      rmSync(pidFile, { force: true });
    }
  });

  test('a process nobody recorded is a leftover', async () => {
    const strayMarker = `${marker}-stray`;
    const stray = idle(strayMarker);
    await sleep(200);
    assert.ok(
      findLeftovers(strayMarker, { exceptLiveRuns: true }).some((leftover) => leftover.pid === stray.pid),
    );
  });
});
