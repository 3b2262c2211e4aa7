// Access control at fleet scale: memberships over many real clusters, reconciled by the
// per-cluster controllers from nothing; then a second pass with nothing changed (its writes
// counted: the fingerprints should make it none), side by side with the baseline the
// fingerprints replace (a pass that applies every rendered object again, through the same
// tunnels); then hand-deleted bindings restored.
//
// Each cluster is a real kube-apiserver (several on one etcd, bench/bare-apiservers.ts) with
// its own agent; the gateway and the agents run in this process, so CPU figures are for
// gateway and agents together.
import { parseArgs } from 'node:util';
import type { AccessService } from '../src/access/access-service.ts';
import { renderCluster } from '../src/access/rbac-render.ts';
import { localPrincipal } from '../src/auth/local-users.ts';
import type { Principal } from '../src/auth/principal.ts';
import { AGENT_IDENTITY } from '../src/kube/identity.ts';
import {
  connectInProcessAgent,
  type InProcessAgent,
  startInProcessGateway,
} from '../test/tunnel/in-process-fleet.ts';
import { startBareApiservers } from './bare-apiservers.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '20' },
    memberships: { type: 'string', default: '1000' },
    people: { type: 'string', default: '200' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/access-control.ts [--clusters 20] [--memberships 1000] [--people 200]`);
  process.exit(0);
}
const clusterCount = Number(values.clusters);
const membershipCount = Number(values.memberships);
const peopleCount = Number(values.people);
const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const cpuMs = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

log(`starting ${clusterCount} apiservers ...`);
const fleet = await startBareApiservers(clusterCount, 'acb');
const gateway = await startInProcessGateway();
const agents: InProcessAgent[] = [];
const stopAll = async () => {
  for (const agent of agents) agent.stop();
  await gateway.close();
  await fleet.stop();
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  for (const cluster of fleet.clusters) agents.push(await connectInProcessAgent(gateway, cluster));
  const clusterIds = agents.map((a) => a.clusterId);
  log(`${agents.length} agents connected; making ${peopleCount} people ...`);
  const admin = localPrincipal(
    gateway.users.get('admin') as NonNullable<ReturnType<typeof gateway.users.get>>,
  );
  for (let i = 1; i <= peopleCount; i++)
    await gateway.users.create(`u${i}`, `u${i}-password-123456`, false, [`g${i % 20}`]);
  const access: AccessService = gateway.access;
  await access.definitions.createTemplate(admin, {
    templateId: 'deployer',
    context: 'project',
    includes: ['project-read-only'],
    rules: [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create', 'update', 'patch', 'delete'] },
    ],
  });
  await access.definitions.createTemplate(admin, {
    templateId: 'node-viewer',
    context: 'cluster',
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
  });

  // ---- from nothing ----
  const perCluster = Math.ceil(membershipCount / clusterCount);
  const clusterTemplates = ['cluster-member', 'cluster-read-only', 'node-viewer'];
  const projectTemplates = ['project-member', 'project-read-only', 'deployer'];
  const accessControllers = gateway.accessControllers;
  const writesBefore = accessControllers.writes;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let made = 0;
  for (const [c, clusterId] of clusterIds.entries()) {
    const projects = [];
    for (const p of [1, 2])
      projects.push(
        await access.createProject(admin, {
          clusterId,
          name: `team-${p}`,
          namespaces: [1, 2, 3].map((n) => `team-${p}-ns-${n}`),
        }),
      );
    for (let m = 0; m < perCluster && made < membershipCount; m++, made++) {
      const person = (c * perCluster + m) % peopleCount;
      const subject =
        m % 5 === 4
          ? { subjectKind: 'Group', subjectName: `local:g${m % 20}` }
          : { subjectKind: 'User', subjectName: `local:u${person + 1}` };
      const inProject = m % 5 >= 2;
      await access.addMembership(admin as Principal, {
        ...(inProject ? { projectId: (projects[m % 2] as { projectId: string }).projectId } : { clusterId }),
        ...subject,
        templateId: inProject ? (projectTemplates[m % 3] as string) : (clusterTemplates[m % 3] as string),
      });
    }
  }
  const writtenAt = performance.now();
  log(
    `${made} memberships written in ${seconds(writtenAt - started)}; waiting for every one to be Applied ...`,
  );
  for (;;) {
    const all = access.memberships();
    const applied = all.filter((m) => m.status.state === 'Applied').length;
    if (applied === all.length) break;
    if (performance.now() - started > 600_000)
      throw new Error(`only ${applied} of ${all.length} Applied after 10 min`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const convergedAt = performance.now();
  const firstWrites = accessControllers.writes - writesBefore;
  const firstCpu = cpuMs(cpuStart);
  log(`all Applied after ${seconds(convergedAt - started)}, ${firstWrites} writes`);

  // ---- a second pass with nothing changed, and the baseline it replaces ----
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const controllers = clusterIds.map((id) => accessControllers.controller(id));
  const writesBeforeSecond = accessControllers.writes;
  const cpuSecond = process.cpuUsage();
  const secondStarted = performance.now();
  const results = await Promise.all(controllers.map((c) => c?.passNow()));
  const secondMs = performance.now() - secondStarted;
  const secondCpu = cpuMs(cpuSecond);
  const secondWrites = accessControllers.writes - writesBeforeSecond;
  const reported = results.reduce((sum, r) => sum + (r?.applied ?? 0) + (r?.deleted ?? 0), 0);

  const cpuNaive = process.cpuUsage();
  const naiveStarted = performance.now();
  let naiveWrites = 0;
  await Promise.all(
    clusterIds.map(async (clusterId) => {
      const desired = [
        ...renderCluster({
          memberships: access.store.memberships({ clusterId }),
          projects: access.store.projects(clusterId),
          templates: access.templates(),
        }).values(),
      ];
      let next = 0;
      const worker = async () => {
        while (next < desired.length) {
          const object = desired[next++];
          if (!object) break;
          await gateway.kube.patch({ clusterId, as: AGENT_IDENTITY }, object.path, 'apply', object.object, {
            fieldManager: 'fleetgate-access',
            force: true,
          });
          naiveWrites++;
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    }),
  );
  const naiveMs = performance.now() - naiveStarted;
  const naiveCpu = cpuMs(cpuNaive);

  // ---- drift: every managed RoleBinding of 5 clusters deleted by hand ----
  const driftClusters = fleet.clusters.slice(0, 5);
  const countBindings = async (index: number) =>
    (
      await (fleet.clusters[index] as (typeof fleet.clusters)[number]).kubectlOk('admin', [
        'get',
        'rolebindings',
        '-A',
        '-l',
        'app.kubernetes.io/managed-by=fleetgate',
        '-o',
        'name',
      ])
    )
      .trim()
      .split('\n')
      .filter(Boolean).length;
  const before = await Promise.all(driftClusters.map((_, i) => countBindings(i)));
  const driftStarted = performance.now();
  await Promise.all(
    driftClusters.map((cluster) =>
      cluster.kubectlOk('admin', [
        'delete',
        'rolebindings',
        '-A',
        '-l',
        'app.kubernetes.io/managed-by=fleetgate',
        '--wait=false',
      ]),
    ),
  );
  const deletedAt = performance.now();
  const restored: number[] = [];
  await Promise.all(
    driftClusters.map(async (_, i) => {
      for (;;) {
        if ((await countBindings(i)) === before[i]) break;
        if (performance.now() - driftStarted > 120_000) throw new Error('drift not undone in 2 min');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      restored.push(performance.now() - deletedAt);
    }),
  );
  restored.sort((a, b) => a - b);

  const objects = clusterIds.reduce(
    (sum, clusterId) =>
      sum +
      renderCluster({
        memberships: access.store.memberships({ clusterId }),
        projects: access.store.projects(clusterId),
        templates: access.templates(),
      }).size,
    0,
  );
  console.log(`| measure | value |
| --- | --- |
| clusters (apiservers on one etcd) / memberships / people | ${clusterCount} / ${made} / ${peopleCount} |
| downstream objects the policy renders | ${objects} |
| from nothing: memberships written through the service (checks, audit) | ${seconds(writtenAt - started)} |
| from nothing: every membership Applied, from the first write | ${seconds(convergedAt - started)} |
| from nothing: writes to the clusters | ${firstWrites} |
| from nothing: CPU (gateway and agents) | ${seconds(firstCpu)}, ${(firstCpu / Math.max(1, firstWrites)).toFixed(2)} ms per write |
| second pass, nothing changed: writes (counted / reported) | ${secondWrites} / ${reported} |
| second pass, nothing changed: time, all clusters at once | ${seconds(secondMs)} (CPU ${seconds(secondCpu)}) |
| baseline, a pass applying every object again: writes | ${naiveWrites} |
| baseline, a pass applying every object again: time | ${seconds(naiveMs)} (CPU ${seconds(naiveCpu)}) |
| second pass vs baseline: time / CPU | ${(secondMs / naiveMs).toFixed(3)}x / ${(secondCpu / naiveCpu).toFixed(3)}x |
| drift: ${before.reduce((a, b) => a + b, 0)} managed RoleBindings of ${driftClusters.length} clusters deleted by hand, all back after (first / last cluster) | ${seconds(restored[0] ?? Number.NaN)} / ${seconds(restored.at(-1) ?? Number.NaN)} |`);
} finally {
  await stopAll();
}
