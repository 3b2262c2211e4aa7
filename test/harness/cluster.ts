import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ControlPlaneBinaries } from './binaries.ts';
import { startEtcd, type TestEtcd } from './etcd.ts';
import { probe } from './http-probe.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { type KubectlOptions, type KubectlResult, kubectlOk, runKubectl } from './kubectl.ts';
import { fakeNode, startKwok } from './kwok.ts';
import type { ManagedProcess } from './managed-process.ts';
import { ManagedProcess as Proc } from './managed-process.ts';
import { freePort } from './ports.ts';
import { COMPONENT_USERS, TEST_USERS, type TestUser, type TestUserName, tokenFileLine } from './users.ts';

/** How to start one test cluster. */
export interface TestClusterOptions {
  readonly name: string;
  /** Folder for this cluster's files and logs; created if missing. */
  readonly dir: string;
  /** Store state in this etcd under a prefix of its own; without it the cluster starts its own etcd. */
  readonly sharedEtcd?: TestEtcd;
  /** How many KWOK nodes to create (default 3). */
  readonly nodeCount?: number;
  /** Feature gates for the kube-apiserver only (`--feature-gates`); default: none. */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

/** `--feature-gates=A=true,B=false`, or nothing when no gate is set. */
function featureGateArgs(gates: Readonly<Record<string, boolean>> = {}): string[] {
  const pairs = Object.entries(gates).map(([gate, enabled]) => `${gate}=${enabled}`);
  return pairs.length ? [`--feature-gates=${pairs.join(',')}`] : [];
}

/** Namespace and ServiceAccount that the gateway's agent will run as in each cluster. */
export const AGENT_NAMESPACE = 'fleetgate-system';
export const AGENT_SERVICE_ACCOUNT = 'fleetgate-agent';

const APISERVER_READY_TIMEOUT_MS = 90_000;
const COMPONENT_READY_TIMEOUT_MS = 60_000;
const NODES_READY_TIMEOUT_MS = 60_000;

/** A running, throwaway Kubernetes control plane with KWOK nodes. */
export class TestCluster {
  readonly name: string;
  readonly dir: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** PEM bundle that verifies the apiserver's serving certificate. */
  readonly caPem: string;
  /** Bearer tokens of the test users, for tests that speak HTTP directly. */
  readonly tokens: Readonly<Record<TestUserName, string>>;
  /** A kubeconfig file per test user. */
  readonly kubeconfigs: Readonly<Record<TestUserName, string>>;
  /** Where KWOK's port-forward rule sends traffic; a test may listen there. */
  readonly portForwardTarget: { readonly address: string; readonly port: number };
  /** The file whose CRI-format lines `kubectl logs` shows for every simulated container. */
  readonly containerLogFile: string;
  readonly #processes: ManagedProcess[];
  readonly #ownEtcd: TestEtcd | undefined;

  constructor(init: {
    name: string;
    dir: string;
    server: string;
    caPem: string;
    tokens: Record<TestUserName, string>;
    kubeconfigs: Record<TestUserName, string>;
    portForwardTarget: { address: string; port: number };
    containerLogFile: string;
    processes: ManagedProcess[];
    ownEtcd: TestEtcd | undefined;
  }) {
    this.name = init.name;
    this.dir = init.dir;
    this.server = init.server;
    this.caPem = init.caPem;
    this.tokens = init.tokens;
    this.kubeconfigs = init.kubeconfigs;
    this.portForwardTarget = init.portForwardTarget;
    this.containerLogFile = init.containerLogFile;
    this.#processes = init.processes;
    this.#ownEtcd = init.ownEtcd;
  }

  /** Runs the real kubectl as a test user against this cluster. */
  kubectl(user: TestUserName, args: readonly string[], options?: KubectlOptions): Promise<KubectlResult> {
    return runKubectl(this.kubeconfigs[user], args, options);
  }

  /** Like kubectl(), but throws with kubectl's stderr when it fails. */
  kubectlOk(user: TestUserName, args: readonly string[], options?: KubectlOptions): Promise<string> {
    return kubectlOk(this.kubeconfigs[user], args, options);
  }

  /**
   * Makes the gateway's bootstrap admin (downstream user local:admin) a cluster admin here,
   * as a cluster's own administrator would choose to.
   */
  async grantGatewayAdmin(): Promise<void> {
    await this.kubectlOk('admin', [
      'create',
      'clusterrolebinding',
      'fleetgate-gateway-admin',
      '--clusterrole=cluster-admin',
      '--user=local:admin',
    ]);
  }

  /**
   * Creates a pod that KWOK runs (it serves the pod's logs, exec and port-forward:
   * kwok.ts) and waits until it is Ready.
   */
  async startReadyPod(name: string, namespace: string): Promise<void> {
    await this.kubectlOk('admin', ['apply', '-f', '-'], {
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace },
        spec: { containers: [{ name: 'main', image: `registry.invalid/${name}:1` }] },
      }),
    });
    await this.kubectlOk('admin', [
      'wait',
      '--for=condition=Ready',
      `pod/${name}`,
      '-n',
      namespace,
      '--timeout=60s',
    ]);
  }

  /** Processes of this cluster, for resource measurements. */
  get processes(): readonly ManagedProcess[] {
    return this.#ownEtcd ? [this.#ownEtcd.process, ...this.#processes] : this.#processes;
  }

  /** Stops every process of the cluster (components first, etcd last) and drops its data. */
  async stop(): Promise<void> {
    await Promise.all([...this.#processes].reverse().map((p) => p.stop()));
    if (this.#ownEtcd) await this.#ownEtcd.process.stop();
    await rm(join(this.dir, 'etcd', 'data'), { recursive: true, force: true });
  }
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Starts etcd (unless shared), kube-apiserver, controller-manager, scheduler and KWOK. */
export async function startTestCluster(
  binaries: ControlPlaneBinaries,
  options: TestClusterOptions,
): Promise<TestCluster> {
  const { name, dir } = options;
  const pkiDir = join(dir, 'pki');
  await mkdir(pkiDir, { recursive: true });
  const processes: ManagedProcess[] = [];
  let ownEtcd: TestEtcd | undefined;
  try {
    if (!options.sharedEtcd) ownEtcd = await startEtcd(binaries, join(dir, 'etcd'), `etcd-${name}`);
    const etcd = options.sharedEtcd ?? (ownEtcd as TestEtcd);

    // Service-account token signing key.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = join(pkiDir, 'sa.key');
    const saPub = join(pkiDir, 'sa.pub');
    await writeFile(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(saPub, publicKey.export({ type: 'spki', format: 'pem' }));

    // Every person and component authenticates with a bearer token from this file.
    const tokens = { admin: newToken(), alice: newToken(), bob: newToken() };
    const componentTokens = { controllerManager: newToken(), scheduler: newToken(), kwok: newToken() };
    const tokenLines = [
      ...Object.entries(tokens).map(([user, token]) =>
        tokenFileLine(token, TEST_USERS[user as TestUserName]),
      ),
      ...Object.entries(componentTokens).map(([c, token]) =>
        tokenFileLine(token, COMPONENT_USERS[c as keyof typeof COMPONENT_USERS]),
      ),
    ];
    const tokenFile = join(pkiDir, 'tokens.csv');
    await writeFile(tokenFile, `${tokenLines.join('\n')}\n`, { mode: 0o600 });

    const apiserverPort = await freePort();
    const server = `https://127.0.0.1:${apiserverPort}`;
    const apiserver = Proc.start({
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      logFile: join(dir, 'kube-apiserver.log'),
      args: [
        `--etcd-servers=${etcd.clientUrl}`,
        `--etcd-prefix=/clusters/${name}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiserverPort}`,
        `--cert-dir=${pkiDir}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        '--endpoint-reconciler-type=none',
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        ...featureGateArgs(options.featureGates),
      ],
    });
    processes.push(apiserver);
    // The apiserver writes a self-signed serving certificate (with its CA) into --cert-dir.
    const servingCert = join(pkiDir, 'apiserver.crt');
    let caPem = '';
    await apiserver.waitUntil(
      'ready',
      async () => {
        caPem ||= await readFile(servingCert, 'utf8');
        const readyz = await probe(`${server}/readyz`, { caPem, token: tokens.admin });
        return readyz.status === 200;
      },
      APISERVER_READY_TIMEOUT_MS,
    );

    const kubeconfigFor = async (user: TestUser, token: string, file: string) => {
      const path = join(dir, file);
      await writeKubeconfig(path, { clusterName: name, server, caPem, userName: user.name, token });
      return path;
    };
    const kubeconfigs = {
      admin: await kubeconfigFor(TEST_USERS.admin, tokens.admin, 'admin.kubeconfig'),
      alice: await kubeconfigFor(TEST_USERS.alice, tokens.alice, 'alice.kubeconfig'),
      bob: await kubeconfigFor(TEST_USERS.bob, tokens.bob, 'bob.kubeconfig'),
    };
    const kcmKubeconfig = await kubeconfigFor(
      COMPONENT_USERS.controllerManager,
      componentTokens.controllerManager,
      'kcm.kubeconfig',
    );
    const schedulerKubeconfig = await kubeconfigFor(
      COMPONENT_USERS.scheduler,
      componentTokens.scheduler,
      'scheduler.kubeconfig',
    );
    const kwokKubeconfig = await kubeconfigFor(COMPONENT_USERS.kwok, componentTokens.kwok, 'kwok.kubeconfig');

    const [kcmPort, schedulerPort, kwokPort, portForwardPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const kcm = Proc.start({
      name: 'kube-controller-manager',
      command: binaries.kubeControllerManager,
      logFile: join(dir, 'kube-controller-manager.log'),
      args: [
        `--kubeconfig=${kcmKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false',
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${servingCert}`,
        '--use-service-account-credentials=false',
        '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
      ],
    });
    processes.push(kcm);
    const scheduler = Proc.start({
      name: 'kube-scheduler',
      command: binaries.kubeScheduler,
      logFile: join(dir, 'kube-scheduler.log'),
      args: [
        `--kubeconfig=${schedulerKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedulerPort}`,
        '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
        '--leader-elect=false',
      ],
    });
    processes.push(scheduler);
    const containerLogFile = join(dir, 'container.log');
    const portForwardTarget = { address: '127.0.0.1', port: portForwardPort };
    const kwokDir = join(dir, 'kwok');
    await mkdir(kwokDir, { recursive: true });
    const kwok = await startKwok(binaries, {
      dir: kwokDir,
      kubeconfig: kwokKubeconfig,
      serverPort: kwokPort,
      containerLogFile,
      portForwardTarget,
    });
    processes.push(kwok);

    const healthy = (port: number) => async () =>
      (await probe(`https://127.0.0.1:${port}/healthz`, { dangerouslySkipTlsVerify: true })).status === 200;
    await Promise.all([
      kcm.waitUntil('healthy', healthy(kcmPort), COMPONENT_READY_TIMEOUT_MS),
      scheduler.waitUntil('healthy', healthy(schedulerPort), COMPONENT_READY_TIMEOUT_MS),
    ]);

    const nodeCount = options.nodeCount ?? 3;
    const nodes = Array.from({ length: nodeCount }, (_, i) => fakeNode(`${name}-node-${i}`));
    const agentObjects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE } },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE },
      },
    ];
    await kubectlOk(kubeconfigs.admin, ['apply', '-f', '-'], {
      stdin: [...nodes, ...agentObjects].map((o) => stringify(o)).join('---\n'),
    });
    await kubectlOk(
      kubeconfigs.admin,
      ['wait', '--for=condition=Ready', 'node', '--all', `--timeout=${NODES_READY_TIMEOUT_MS / 1000}s`],
      {
        timeoutMs: NODES_READY_TIMEOUT_MS + 10_000,
      },
    );
    // Pods need the namespace's default ServiceAccount, which the controller-manager makes.
    await kcm.waitUntil(
      'creating default ServiceAccounts',
      async () =>
        (await runKubectl(kubeconfigs.admin, ['get', 'serviceaccount', 'default', '-n', 'default'])).code ===
        0,
      COMPONENT_READY_TIMEOUT_MS,
    );

    return new TestCluster({
      name,
      dir,
      server,
      caPem,
      tokens,
      kubeconfigs,
      portForwardTarget,
      containerLogFile,
      processes,
      ownEtcd,
    });
  } catch (error) {
    await Promise.all(processes.map((p) => p.stop()));
    await ownEtcd?.process.stop();
    throw new Error(`test cluster ${name} did not start (logs in ${dir}): ${(error as Error).message}`);
  }
}
