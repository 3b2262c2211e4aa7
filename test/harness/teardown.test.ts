import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { findLeftovers } from './leftovers.ts';
import { reapOrphans } from './process-registry.ts';

const fixture = new URL('./fixtures/start-one-cluster.ts', import.meta.url).pathname;

/** Runs the fixture until its cluster is up; returns the child and its run folder. */
async function startFixture() {
  const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const runDir = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const match = /READY (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`fixture exited with ${code} before its cluster was ready`)),
    );
  });
  return { child, runDir };
}

async function waitForNoLeftovers(runDir: string): Promise<void> {
  for (let i = 0; i < 40 && findLeftovers(runDir).length > 0; i++) await sleep(250);
  assert.deepEqual(findLeftovers(runDir), []);
}

describe('harness teardown', () => {
  test('an interrupted test process leaves no cluster process behind', async () => {
    const { child, runDir } = await startFixture();
    const running = findLeftovers(runDir).map((p) => p.command);
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      assert.ok(
        running.some((c) => c.includes(`/${component} `)),
        `${component} should run: ${running.join('\n')}`,
      );
    }
    child.kill('SIGINT');
    await once(child, 'exit');
    await waitForNoLeftovers(runDir);
  });

  test('processes of a test process killed outright are reaped by the next harness start', async () => {
    const { child, runDir } = await startFixture();
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Nothing could clean up: the cluster outlives its owner...
    assert.ok(findLeftovers(runDir).length >= 5, 'the orphaned cluster processes should still run');
    // ...until the next harness start reaps them.
    const reaped = reapOrphans();
    assert.ok(reaped.length >= 5, `reaped: ${reaped.join(', ')}`);
    await waitForNoLeftovers(runDir);
  });
});
