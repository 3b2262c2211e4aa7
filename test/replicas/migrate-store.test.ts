import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AgentProcess, GatewayProcess, registerCluster } from '../harness/fleet.ts';
import { startClusters, type TestCluster, type TestClusters } from '../harness/index.ts';
import { kubernetesStoreArgs } from './replica-fleet.ts';

// A gateway with the embedded store and a connected agent; its state moved by one command
// into a management cluster; the same address then served by a replica of that store.
let run: TestClusters;
let management: TestCluster;
let downstream: TestCluster;
let single: GatewayProcess;
let replica: GatewayProcess | undefined;
let agent: AgentProcess | undefined;
let dir: string;

const cli = new URL('../../src/cli.ts', import.meta.url).pathname;
const run_ = promisify(execFile);

/** Runs `fleetgate migrate-store`; its exit code and report. */
async function migrate(): Promise<{ code: number; report: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout, stderr } = await run_(process.execPath, [
      cli,
      'migrate-store',
      '--data-dir',
      single.dataDir,
      '--management-kubeconfig',
      management.kubeconfigs.admin,
    ]);
    return { code: 0, report: JSON.parse(stdout) as Record<string, unknown>, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return {
      code: failed.code,
      report: failed.stdout ? JSON.parse(failed.stdout) : {},
      stderr: failed.stderr,
    };
  }
}

before(async () => {
  run = await startClusters({ count: 2, namePrefix: 'migr' });
  [management, downstream] = run.clusters as [TestCluster, TestCluster];
  dir = join(run.runDir, 'migrate');
  await mkdir(dir, { recursive: true });
  single = await GatewayProcess.start({ dir, name: 'single' });
});

after(async () => {
  await agent?.stop();
  await Promise.all([single?.stop(), replica?.stop()]);
  await run?.stop();
});

describe('fleetgate migrate-store', () => {
  test('moves users, tokens and clusters with their credentials; the agent comes back to a replica on the same address', async () => {
    const user = await single.api('POST', '/v1/users', {
      username: 'dana',
      password: 'dana-password-123456',
    });
    assert.equal(user.status, 201);
    const issued = await single.api<{ token: string }>('POST', '/v1/tokens', { description: 'moved' });
    assert.equal(issued.status, 201);
    const connected = await registerCluster(single, 'connected');
    const waiting = await registerCluster(single, 'waiting');
    agent = await AgentProcess.install(downstream, single, connected);
    await single.waitForCluster(connected.cluster.clusterId, (c) => c.state === 'Active', 'Active');
    await single.stop();

    const first = await migrate();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.report.copied, { users: 2, clusters: 2, apiTokens: 1 });
    assert.deepEqual(first.report.conflicts, []);
    const again = await migrate();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.report.copied, {});
    assert.deepEqual(again.report.present, { users: 2, clusters: 2, apiTokens: 1 });

    // The same address and TLS files (the data directory), the state from the management cluster.
    replica = await GatewayProcess.start({
      dir,
      name: 'single',
      port: Number(new URL(single.url).port),
      args: kubernetesStoreArgs(management, 'replica-1', 'fleetgate-system'),
    });
    // The agent reconnects with the credential it was given by the single gateway.
    await replica.waitForCluster(connected.cluster.clusterId, (c) => c.state === 'Active', 'Active', 30_000);
    const whoami = await replica.request('/v1/auth/whoami', {
      headers: { authorization: `Bearer ${issued.body.token}` },
    });
    assert.equal(whoami.status, 200, whoami.text);
    const login = await replica.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dana', password: 'dana-password-123456' }),
    });
    assert.equal(login.status, 200, login.text);
    // An unused registration token still installs; the used one does not.
    assert.equal((await replica.request(new URL(waiting.installUrl).pathname)).status, 200);
    assert.equal((await replica.request(new URL(connected.installUrl).pathname)).status, 401);
  });

  test('an object changed in the management cluster is not overwritten: the run fails and names it', async () => {
    const name = (await management.kubectlOk('admin', ['get', 'fgu', '-n', 'fleetgate-system', '-o', 'name']))
      .trim()
      .split('\n')
      .find((line) => line.length > 0) as string;
    await management.kubectlOk('admin', [
      'patch',
      name,
      '-n',
      'fleetgate-system',
      '--type',
      'merge',
      '-p',
      '{"spec":{"groups":["changed"]}}',
    ]);
    const result = await migrate();
    assert.equal(result.code, 1);
    assert.deepEqual(result.report.conflicts, [`users ${name.split('/')[1]}`]);
  });
});
