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
  test('moves users, tokens, clusters with their credentials and the access policy; the agent comes back to a replica on the same address', async () => {
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
    // An access policy of every kind.
    const policy: [string, unknown][] = [
      [
        '/v1/access/templates',
        {
          templateId: 'pod-reader',
          context: 'project',
          description: 'reads pods',
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
        },
      ],
      ['/v1/access/global-roles', { globalRoleId: 'operators', permissions: ['clusters:use'] }],
      [
        '/v1/access/global-role-grants',
        { globalRoleId: 'operators', subjectKind: 'User', subjectName: 'local:dana' },
      ],
      [
        '/v1/access/projects',
        { clusterId: connected.cluster.clusterId, name: 'payments', namespaces: ['team-a'] },
      ],
    ];
    for (const [path, body] of policy) {
      const made = await single.api('POST', path, body);
      assert.equal(made.status, 201, `${path}: ${JSON.stringify(made.body)}`);
    }
    const projects = await single.api<{ projects: { projectId: string }[] }>('GET', '/v1/access/projects');
    const membership = await single.api<{ membership: { membershipId: string } }>(
      'POST',
      '/v1/access/memberships',
      {
        projectId: projects.body.projects[0]?.projectId,
        subjectKind: 'User',
        subjectName: 'local:dana',
        templateId: 'pod-reader',
      },
    );
    assert.equal(membership.status, 201, JSON.stringify(membership.body));
    await single.stop();

    // Claims: the two cluster names and the membership's grant (docs/replicas.md §2).
    const everything = {
      users: 2,
      clusters: 2,
      claims: 3,
      apiTokens: 1,
      roleTemplates: 1,
      globalRoles: 1,
      globalRoleGrants: 1,
      clusterProjects: 1,
      memberships: 1,
    };
    const first = await migrate();
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(first.report.copied, everything);
    assert.deepEqual(first.report.conflicts, []);
    const again = await migrate();
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.report.copied, {});
    assert.deepEqual(again.report.present, everything);

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
    // The access policy is the replica's, as it was the single gateway's.
    const templates = await replica.api<{ templates: { templateId: string; rules: unknown[] }[] }>(
      'GET',
      '/v1/access/templates',
    );
    assert.deepEqual(templates.body.templates.find((t) => t.templateId === 'pod-reader')?.rules, [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    ]);
    const roles = await replica.api<{ globalRoles: { globalRoleId: string }[] }>(
      'GET',
      '/v1/access/global-roles',
    );
    assert.ok(roles.body.globalRoles.some((r) => r.globalRoleId === 'operators'));
    const grants = await replica.api<{ grants: { globalRoleId: string; subject: { name: string } }[] }>(
      'GET',
      '/v1/access/global-role-grants',
    );
    assert.ok(
      grants.body.grants.some((g) => g.globalRoleId === 'operators' && g.subject.name === 'local:dana'),
    );
    const moved = await replica.api<{ projects: { projectId: string; namespaces: string[] }[] }>(
      'GET',
      '/v1/access/projects',
    );
    assert.deepEqual(moved.body.projects, projects.body.projects);
    const memberships = await replica.api<{ memberships: { membershipId: string }[] }>(
      'GET',
      '/v1/access/memberships',
    );
    assert.deepEqual(
      memberships.body.memberships.map((m) => m.membershipId),
      [membership.body.membership.membershipId],
    );
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
