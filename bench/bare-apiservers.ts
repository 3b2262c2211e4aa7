// Real control planes reduced to what RBAC needs: one kube-apiserver each (no
// controller-manager, scheduler or KWOK), all storing into one etcd under a prefix of their
// own, as upstream integration tests run several. Twenty full harness clusters would take
// about 10 GiB; twenty apiservers take about a quarter of that.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { controlPlaneBinaries } from '../test/harness/binaries.ts';
import { TestCluster } from '../test/harness/cluster.ts';
import { startEtcd, type TestEtcd } from '../test/harness/etcd.ts';
import { probe } from '../test/harness/http-probe.ts';
import { testRunsDir } from '../test/harness/index.ts';
import { writeKubeconfig } from '../test/harness/kubeconfig.ts';
import { ManagedProcess } from '../test/harness/managed-process.ts';
import { freePort } from '../test/harness/ports.ts';
import { pidFileDir, reapOrphans } from '../test/harness/process-registry.ts';
import { TEST_USERS, type TestUserName, tokenFileLine } from '../test/harness/users.ts';

/** Bare apiservers started together, stopped together. */
export interface BareApiservers {
  readonly clusters: readonly TestCluster[];
  readonly runDir: string;
  readonly etcd: TestEtcd;
  stop(): Promise<void>;
}

async function startOne(
  etcd: TestEtcd,
  name: string,
  dir: string,
  apiserverBinary: string,
): Promise<TestCluster> {
  const pki = join(dir, 'pki');
  await mkdir(pki, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const tokens = { admin: '', alice: '', bob: '' } as Record<TestUserName, string>;
  for (const user of Object.keys(tokens) as TestUserName[])
    tokens[user] = randomBytes(24).toString('base64url');
  await writeFile(
    join(pki, 'tokens.csv'),
    `${(Object.keys(tokens) as TestUserName[]).map((u) => tokenFileLine(tokens[u], TEST_USERS[u])).join('\n')}\n`,
    { mode: 0o600 },
  );
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const apiserver = ManagedProcess.start({
    name: 'kube-apiserver',
    command: apiserverBinary,
    logFile: join(dir, 'kube-apiserver.log'),
    args: [
      `--etcd-servers=${etcd.clientUrl}`,
      `--etcd-prefix=/clusters/${name}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${pki}`,
      `--token-auth-file=${join(pki, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(pki, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
      '--enable-priority-and-fairness=false',
      '--endpoint-reconciler-type=none',
    ],
  });
  let caPem = '';
  await apiserver.waitUntil(
    'ready',
    async () => {
      caPem ||= await readFile(join(pki, 'apiserver.crt'), 'utf8');
      return (await probe(`${server}/readyz`, { caPem, token: tokens.admin })).status === 200;
    },
    180_000,
  );
  const kubeconfigs = {} as Record<TestUserName, string>;
  for (const user of Object.keys(tokens) as TestUserName[]) {
    kubeconfigs[user] = join(dir, `${user}.kubeconfig`);
    await writeKubeconfig(kubeconfigs[user], {
      clusterName: name,
      server,
      caPem,
      userName: TEST_USERS[user].name,
      token: tokens[user],
    });
  }
  return new TestCluster({
    name,
    dir,
    server,
    caPem,
    tokens,
    kubeconfigs,
    portForwardTarget: { address: '127.0.0.1', port: 0 },
    containerLogFile: join(dir, 'container.log'),
    processes: [apiserver],
    ownEtcd: undefined,
  });
}

/** Starts `count` apiservers on one etcd, `parallel` at a time (they compete for the cores). */
export async function startBareApiservers(
  count: number,
  namePrefix: string,
  parallel = 4,
): Promise<BareApiservers> {
  reapOrphans();
  const binaries = await controlPlaneBinaries();
  const runDir = join(testRunsDir, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  await mkdir(pidFileDir, { recursive: true });
  const etcd = await startEtcd(binaries, join(runDir, 'etcd'));
  const clusters: TestCluster[] = [];
  const stop = async () => {
    await Promise.all(clusters.map((c) => c.stop()));
    await etcd.process.stop();
    await rm(join(runDir, 'etcd', 'data'), { recursive: true, force: true });
  };
  try {
    for (let first = 0; first < count; first += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - first) }, (_, i) => first + i + 1);
      clusters.push(
        ...(await Promise.all(
          batch.map((n) =>
            startOne(etcd, `${namePrefix}${n}`, join(runDir, `${namePrefix}${n}`), binaries.kubeApiserver),
          ),
        )),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { clusters, runDir, etcd, stop };
}
