// What the gateway's `create` review costs an exec: the time from an exec's upgrade request
// to its 101, over WebSocket (a GET: reviewed) and SPDY (a POST: not reviewed), through this
// checkout's gateway and a baseline commit's, in turns on one cluster, and the CPU the
// gateway, the agent and the apiserver spend per exec.
import { mkdirSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentProcess, downloadKubeconfig, GatewayProcess, registerCluster } from '../test/harness/fleet.ts';
import { startClusters } from '../test/harness/index.ts';
import { exportBaseline } from './baseline-checkout.ts';
import { addCpu, cpuDuring, idleCpuPerMs, processMeter } from './cpu-meters.ts';

const { values } = parseArgs({
  options: {
    execs: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '4' },
    baseline: { type: 'string', default: 'main' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: node bench/exec-handshake.ts [--execs N] [--rounds N] [--baseline REF]

  --execs N        upgrades per target and transport in each round (default 100)
  --rounds N       rounds; each measures every target and transport once, in turns (default 4)
  --baseline REF   the git commit whose gateway is measured beside this one (default main)

The cluster's apiserver runs with AuthorizePodWebsocketUpgradeCreatePermission=false, as
releases before 1.35 do. Prints a table: p50/p90/p99 ms from request to 101, and CPU ms per
exec of the gateway, its agent and the apiserver (their idle rate taken out).`);
  process.exit(0);
}
const EXECS = Number(values.execs);
const ROUNDS = Number(values.rounds);

const run = await startClusters({
  count: 1,
  namePrefix: 'xh',
  featureGates: { AuthorizePodWebsocketUpgradeCreatePermission: false },
});
const cluster = run.clusters[0];
if (!cluster) throw new Error('no cluster');

/** A gateway and its agent; `slug` names its files and cluster, `name` its table rows. */
async function fleet(slug: string, name: string, root: string | undefined) {
  mkdirSync(join(run.runDir, slug), { recursive: true });
  const gateway = await GatewayProcess.start({ dir: join(run.runDir, slug), logLevel: 'warn', root });
  const registration = await registerCluster(gateway, `xh-${slug}`);
  // The agent is this checkout's for both: only the gateway changed.
  const agent = await AgentProcess.install(cluster as NonNullable<typeof cluster>, gateway, registration, {
    label: `${slug}-agent`,
  });
  await gateway.waitForCluster(registration.cluster.clusterId, (c) => c.state === 'Active', 'Active');
  const token = await downloadKubeconfig(
    gateway,
    'admin',
    gateway.adminPassword,
    join(run.runDir, `${slug}.kubeconfig`),
  );
  return { name, gateway, agent, clusterId: registration.cluster.clusterId, token };
}

type Fleet = Awaited<ReturnType<typeof fleet>>;
type Transport = 'WebSocket' | 'SPDY';

const fleets = [
  await fleet(
    'baseline',
    `baseline ${values.baseline}`,
    exportBaseline(values.baseline as string, run.runDir),
  ),
  await fleet('current', 'this checkout', undefined),
];
try {
  await cluster.grantGatewayAdmin();
  await cluster.kubectlOk('admin', ['create', 'namespace', 'work']);
  await cluster.startReadyPod('box', 'work');

  /** One exec's upgrade, from request to 101, in ms; the connection is closed at once. */
  const upgrade = (target: Fleet, transport: Transport): Promise<number> => {
    const { port } = new URL(target.gateway.url);
    const headers: Record<string, string> =
      transport === 'WebSocket'
        ? {
            connection: 'Upgrade',
            upgrade: 'websocket',
            'sec-websocket-version': '13',
            'sec-websocket-key': 'ZmxlZXRnYXRlLWJlbmNoIQ==',
            'sec-websocket-protocol': 'v5.channel.k8s.io',
          }
        : { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' };
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: Number(port),
        ca: target.gateway.caPem,
        method: transport === 'WebSocket' ? 'GET' : 'POST',
        path: `/k8s/clusters/${target.clusterId}/api/v1/namespaces/work/pods/box/exec?command=true&stdout=true`,
        headers: { ...headers, authorization: `Bearer ${target.token}` },
        agent: false,
      });
      req.once('upgrade', (_res, socket) => {
        const ms = performance.now() - started;
        socket.destroy();
        resolve(ms);
      });
      req.once('response', (res) => reject(new Error(`${transport} exec answered ${res.statusCode}`)));
      req.once('error', reject);
      req.end();
    });
  };

  const apiserverPid = cluster.processes.find((p) => p.name === 'kube-apiserver')?.pid;
  const meters = (target: Fleet) => [
    processMeter('gateway', target.gateway.process?.pid),
    processMeter('agent', target.agent.process?.pid),
    processMeter('apiserver', apiserverPid),
  ];
  const key = (target: Fleet, transport: Transport) => `${transport}\t${target.name}`;
  const times = new Map<string, number[]>();
  const cpu = new Map<string, Map<string, number>>();
  const idle = new Map<string, Map<string, number>>();
  for (const target of fleets) idle.set(target.name, await idleCpuPerMs(meters(target), 3_000));
  for (const target of fleets)
    for (const transport of ['WebSocket', 'SPDY'] as const) await upgrade(target, transport);
  for (let round = 0; round < ROUNDS; round++) {
    // Turns alternate who goes first, so that neither always runs on a warmer machine.
    const order = round % 2 ? [...fleets].reverse() : fleets;
    for (const transport of ['WebSocket', 'SPDY'] as const) {
      for (const target of order) {
        const started = performance.now();
        const { result, cpu: spent } = await cpuDuring(meters(target), async () => {
          const each: number[] = [];
          for (let i = 0; i < EXECS; i++) each.push(await upgrade(target, transport));
          return each;
        });
        const wallMs = performance.now() - started;
        const rates = idle.get(target.name) ?? new Map<string, number>();
        const busy = new Map([...spent].map(([name, ms]) => [name, ms - (rates.get(name) ?? 0) * wallMs]));
        const k = key(target, transport);
        times.set(k, [...(times.get(k) ?? []), ...result]);
        const totals = cpu.get(k) ?? new Map<string, number>();
        addCpu(totals, busy);
        cpu.set(k, totals);
      }
    }
  }

  const percentile = (xs: readonly number[], p: number) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  };
  console.log(
    '| transport | gateway | execs | p50 ms | p90 ms | p99 ms | p50 vs baseline | gateway + agent + apiserver CPU ms per exec |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const transport of ['WebSocket', 'SPDY'] as const) {
    const baselineP50 = percentile(times.get(key(fleets[0] as Fleet, transport)) ?? [], 50);
    for (const target of fleets) {
      const xs = times.get(key(target, transport)) ?? [];
      const spent = cpu.get(key(target, transport)) ?? new Map<string, number>();
      const per = (name: string) => ((spent.get(name) ?? 0) / xs.length).toFixed(3);
      const total = [...spent.values()].reduce((a, b) => a + b, 0) / xs.length;
      console.log(
        `| ${transport} | ${target.name} | ${xs.length} | ${percentile(xs, 50).toFixed(2)} | ${percentile(xs, 90).toFixed(2)} | ${percentile(xs, 99).toFixed(2)} | ${(percentile(xs, 50) / baselineP50).toFixed(2)}x | ${per('gateway')} + ${per('agent')} + ${per('apiserver')} = ${total.toFixed(3)} |`,
      );
    }
  }
} finally {
  for (const target of fleets) {
    await target.agent.stop();
    await target.gateway.stop();
  }
  await run.stop();
}
