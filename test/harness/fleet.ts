// Runs the real gateway and real agents (as processes, the way they run in production)
// against the harness's clusters.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../src/clusters/cluster.ts';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../src/clusters/install-manifest.ts';
import type { TestCluster } from './cluster.ts';
import { probe } from './http-probe.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { ManagedProcess } from './managed-process.ts';
import { freePort } from './ports.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
export const ADMIN_PASSWORD = 'test-admin-password-0123';

export interface GatewayProcessOptions {
  readonly dir: string;
  /** Default: a free port, kept across restarts. */
  readonly port?: number;
  readonly adminPassword?: string;
  /** Tunnel timing; the gateway's defaults when omitted. */
  readonly heartbeatMs?: number;
  readonly livenessMs?: number;
  readonly logLevel?: string;
}

/** A gateway process on a fixed port, so that it can be restarted where agents expect it. */
export class GatewayProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly adminPassword: string;
  readonly #options: GatewayProcessOptions;
  readonly #port: number;
  #process: ManagedProcess | undefined;
  #starts = 0;

  private constructor(options: GatewayProcessOptions, port: number) {
    this.#options = options;
    this.#port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.adminPassword = options.adminPassword ?? ADMIN_PASSWORD;
    this.dataDir = join(options.dir, 'gateway-data');
  }

  static async start(options: GatewayProcessOptions): Promise<GatewayProcess> {
    const gateway = new GatewayProcess(options, options.port ?? (await freePort()));
    await gateway.restart();
    return gateway;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  /** Starts the gateway (again), with the same data directory and port. */
  async restart(): Promise<void> {
    await this.#process?.stop();
    this.#starts++;
    this.#process = ManagedProcess.start({
      name: 'gateway',
      command: process.execPath,
      args: [
        join(repoRoot, 'src/main.ts'),
        '--listen',
        `127.0.0.1:${this.#port}`,
        '--data-dir',
        this.dataDir,
      ],
      logFile: join(this.#options.dir, `gateway-${this.#starts}.log`),
      env: {
        FLEETGATE_ADMIN_PASSWORD: this.adminPassword,
        ...(this.#options.heartbeatMs
          ? { FLEETGATE_TUNNEL_HEARTBEAT_MS: String(this.#options.heartbeatMs) }
          : {}),
        ...(this.#options.livenessMs
          ? { FLEETGATE_TUNNEL_LIVENESS_MS: String(this.#options.livenessMs) }
          : {}),
        LOG_LEVEL: this.#options.logLevel ?? 'debug',
      },
    });
    await this.#process.waitUntil(
      'serving',
      async () => (await probe(`${this.url}/healthz`)).status === 200,
      30_000,
    );
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /** Calls the admin API as the bootstrap admin. */
  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(new URL(path, this.url), {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${this.adminPassword}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async cluster(clusterId: string): Promise<Cluster> {
    const { status, body } = await this.api<{ cluster: Cluster }>('GET', `/v1/clusters/${clusterId}`);
    if (status !== 200) throw new Error(`GET cluster ${clusterId}: ${status}`);
    return body.cluster;
  }

  /** Polls the registry until the cluster satisfies `predicate`. */
  async waitForCluster(
    clusterId: string,
    predicate: (c: Cluster) => boolean,
    what: string,
    timeoutMs = 30_000,
  ): Promise<Cluster> {
    const deadline = Date.now() + timeoutMs;
    let last: Cluster | undefined;
    while (Date.now() < deadline) {
      last = await this.cluster(clusterId).catch(() => undefined);
      if (last && predicate(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `cluster ${clusterId} not ${what} after ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`,
    );
  }
}

/** What registering a cluster answers. */
export interface Registration {
  readonly cluster: Cluster;
  readonly registrationToken: string;
  readonly installUrl: string;
}

export async function registerCluster(
  gateway: GatewayProcess,
  name: string,
  tokenTtlSeconds?: number,
): Promise<Registration> {
  const { status, body } = await gateway.api<Registration>('POST', '/v1/clusters', { name, tokenTtlSeconds });
  if (status !== 201) throw new Error(`register ${name}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** An agent process for one test cluster. */
export class AgentProcess {
  readonly #cluster: TestCluster;
  readonly #gatewayUrl: string;
  readonly #tokenFile: string;
  readonly #kubeconfig: string;
  #process: ManagedProcess | undefined;
  #starts = 0;

  private constructor(cluster: TestCluster, gatewayUrl: string, tokenFile: string, kubeconfig: string) {
    this.#cluster = cluster;
    this.#gatewayUrl = gatewayUrl;
    this.#tokenFile = tokenFile;
    this.#kubeconfig = kubeconfig;
  }

  /**
   * Installs the agent the way an administrator does (`kubectl apply -f <install URL>`),
   * then runs the agent program outside the cluster with the ServiceAccount's token, since
   * the simulated nodes cannot run containers.
   */
  static async install(
    cluster: TestCluster,
    gatewayUrl: string,
    registration: Registration,
  ): Promise<AgentProcess> {
    await cluster.kubectlOk('admin', ['apply', '-f', registration.installUrl]);
    const saToken = (
      await cluster.kubectlOk('admin', [
        'create',
        'token',
        AGENT_NAME,
        '-n',
        AGENT_NAMESPACE,
        '--duration=24h',
      ])
    ).trim();
    const kubeconfig = join(cluster.dir, 'agent.kubeconfig');
    await writeKubeconfig(kubeconfig, {
      clusterName: cluster.name,
      server: cluster.server,
      caPem: cluster.caPem,
      userName: `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_NAME}`,
      token: saToken,
    });
    const tokenFile = join(cluster.dir, 'registration-token');
    await writeFile(tokenFile, registration.registrationToken, { mode: 0o600 });
    const agent = new AgentProcess(cluster, gatewayUrl, tokenFile, kubeconfig);
    agent.start();
    return agent;
  }

  get tokenFile(): string {
    return this.#tokenFile;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  start(): void {
    this.#starts++;
    this.#process = ManagedProcess.start({
      name: `agent-${this.#cluster.name}`,
      command: process.execPath,
      args: [
        join(repoRoot, 'agent/main.ts'),
        '--gateway-url',
        this.#gatewayUrl,
        '--token-file',
        this.#tokenFile,
        '--kubeconfig',
        this.#kubeconfig,
        '--reconnect-max-ms',
        '1000',
      ],
      logFile: join(this.#cluster.dir, `agent-${this.#starts}.log`),
      env: { LOG_LEVEL: 'debug' },
    });
  }

  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }
}
