// Runs the real gateway and real agents (as processes, the way they run in production)
// against the harness's clusters.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../src/clusters/cluster.ts';
import { AGENT_CREDENTIAL_SECRET, AGENT_NAMESPACE } from '../../src/clusters/install-manifest.ts';
import { installAgentIdentity } from './agent-identity.ts';
import type { TestCluster } from './cluster.ts';
import { gatewayRequest } from './gateway-http.ts';
import { probe } from './http-probe.ts';
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
  /** More environment for the gateway process (e.g. NODE_OPTIONS for a benchmark's probe). */
  readonly env?: NodeJS.ProcessEnv;
  /** More command-line options (e.g. --store kubernetes and its management cluster). */
  readonly args?: readonly string[];
  /** Name of its process and log files, to tell replicas apart (default gateway). */
  readonly name?: string;
  /** Another checkout of the project whose gateway runs (a benchmark's baseline); default this one. */
  readonly root?: string;
  /**
   * The name its certificate is valid for, when it does not name 127.0.0.1 (a certificate of
   * the caller's, with --tls-cert, whose CA the caller put at <data dir>/tls/ca.crt).
   */
  readonly serverName?: string;
}

/** A gateway process on a fixed port, so that it can be restarted where agents expect it. */
export class GatewayProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly adminPassword: string;
  /** The CA the gateway made for itself; clients trust it. */
  caPem = '';
  readonly #options: GatewayProcessOptions;
  readonly #port: number;
  #process: ManagedProcess | undefined;
  #starts = 0;

  private constructor(options: GatewayProcessOptions, port: number) {
    this.#options = options;
    this.#port = port;
    this.url = `https://127.0.0.1:${port}`;
    this.adminPassword = options.adminPassword ?? ADMIN_PASSWORD;
    this.dataDir = join(options.dir, `${options.name ?? 'gateway'}-data`);
  }

  static async start(options: GatewayProcessOptions): Promise<GatewayProcess> {
    const gateway = new GatewayProcess(options, options.port ?? (await freePort()));
    await gateway.restart();
    return gateway;
  }

  get process(): ManagedProcess | undefined {
    return this.#process;
  }

  /**
   * Starts the gateway (again), with the same data directory and port; `env` adds to its
   * environment; `root` runs another checkout's gateway this time (a benchmark's baseline).
   */
  async restart(env: Record<string, string> = {}, root = this.#options.root): Promise<void> {
    await this.#process?.stop();
    this.#starts++;
    this.#process = ManagedProcess.start({
      name: this.#options.name ?? 'gateway',
      command: process.execPath,
      args: [
        join(root ?? repoRoot, 'src/main.ts'),
        '--listen',
        `127.0.0.1:${this.#port}`,
        '--data-dir',
        this.dataDir,
        ...(this.#options.args ?? []),
      ],
      logFile: join(this.#options.dir, `${this.#options.name ?? 'gateway'}-${this.#starts}.log`),
      env: {
        FLEETGATE_ADMIN_PASSWORD: this.adminPassword,
        ...(this.#options.heartbeatMs
          ? { FLEETGATE_TUNNEL_HEARTBEAT_MS: String(this.#options.heartbeatMs) }
          : {}),
        ...(this.#options.livenessMs
          ? { FLEETGATE_TUNNEL_LIVENESS_MS: String(this.#options.livenessMs) }
          : {}),
        LOG_LEVEL: this.#options.logLevel ?? 'debug',
        ...this.#options.env,
        ...env,
      },
    });
    const caFile = join(this.dataDir, 'tls', 'ca.crt');
    await this.#process.waitUntil(
      'serving',
      async () => {
        const caPem = await readFile(caFile, 'utf8');
        const ok =
          (await probe(`${this.url}/healthz`, { caPem, servername: this.#options.serverName })).status ===
          200;
        if (ok) this.caPem = caPem;
        return ok;
      },
      30_000,
    );
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }

  /** Calls the gateway's API as the bootstrap admin (HTTP Basic). */
  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const answer = await gatewayRequest(new URL(path, this.url).href, {
      method,
      caPem: this.caPem,
      servername: this.#options.serverName,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${this.adminPassword}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : undefined) as T };
  }

  /** An unauthenticated or hand-authenticated request, trusting the gateway's CA. */
  request(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    return gatewayRequest(new URL(path, this.url).href, {
      ...options,
      caPem: this.caPem,
      servername: this.#options.serverName,
    });
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

/** Signs in as a local user and downloads a kubeconfig for every cluster into `path`. */
export async function downloadKubeconfig(
  gateway: GatewayProcess,
  username: string,
  password: string,
  path: string,
): Promise<string> {
  const login = await gateway.request('/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in as ${username}: ${login.status} ${login.text}`);
  const { token } = JSON.parse(login.text) as { token: string };
  const kubeconfig = await gateway.request('/v1/kubeconfig', {
    headers: { authorization: `Bearer ${token}` },
  });
  if (kubeconfig.status !== 200) throw new Error(`kubeconfig for ${username}: ${kubeconfig.status}`);
  await writeFile(path, kubeconfig.text, { mode: 0o600 });
  return token;
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

/** How a test changes the agent's installation. */
export interface AgentInstallOptions {
  /** Rewrites the agent's kubeconfig (written with the ServiceAccount's token) before the agent starts. */
  readonly prepareKubeconfig?: (kubeconfigPath: string) => Promise<void>;
  /** Where the agent dials, when not the gateway's own URL (e.g. a load balancer in front of replicas). */
  readonly gatewayUrl?: string;
  /** Another checkout of the project whose agent runs (a benchmark's baseline); default this one. */
  readonly root?: string;
  /** More environment for the agent process (e.g. NODE_OPTIONS for a benchmark's profile). */
  readonly env?: NodeJS.ProcessEnv;
  /** Names its files apart from another agent of the same cluster (default `agent`). */
  readonly label?: string;
}

/** An agent process for one test cluster. */
export class AgentProcess {
  readonly #cluster: TestCluster;
  readonly #gatewayUrl: string;
  readonly #tokenFile: string;
  readonly #kubeconfig: string;
  readonly #caFile: string;
  readonly #options: AgentInstallOptions;
  #process: ManagedProcess | undefined;
  #starts = 0;

  private constructor(
    cluster: TestCluster,
    gatewayUrl: string,
    tokenFile: string,
    kubeconfig: string,
    caFile: string,
    options: AgentInstallOptions,
  ) {
    this.#caFile = caFile;
    this.#options = options;
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
    gateway: GatewayProcess,
    registration: Registration,
    options: AgentInstallOptions = {},
  ): Promise<AgentProcess> {
    // The manifest is fetched the way an administrator's machine would, trusting the
    // gateway's CA, and applied with kubectl.
    const manifest = await gateway.request(new URL(registration.installUrl).pathname);
    if (manifest.status !== 200) throw new Error(`install manifest: ${manifest.status} ${manifest.text}`);
    const label = options.label ?? 'agent';
    const kubeconfig = join(cluster.dir, `${label}.kubeconfig`);
    await installAgentIdentity(cluster, manifest.text, kubeconfig);
    await options.prepareKubeconfig?.(kubeconfig);
    const tokenFile = join(cluster.dir, options.label ? `${label}-registration-token` : 'registration-token');
    await writeFile(tokenFile, registration.registrationToken, { mode: 0o600 });
    const caFile = join(cluster.dir, options.label ? `${label}-gateway-ca.crt` : 'gateway-ca.crt');
    await writeFile(caFile, gateway.caPem);
    const agent = new AgentProcess(
      cluster,
      options.gatewayUrl ?? gateway.url,
      tokenFile,
      kubeconfig,
      caFile,
      options,
    );
    agent.start();
    return agent;
  }

  get tokenFile(): string {
    return this.#tokenFile;
  }

  /** The agent credential the agent keeps in its Secret, if it stored one. */
  async storedCredential(): Promise<string | undefined> {
    const encoded = await this.#cluster.kubectlOk('admin', [
      'get',
      'secret',
      AGENT_CREDENTIAL_SECRET,
      '-n',
      AGENT_NAMESPACE,
      '-o',
      'jsonpath={.data.credential}',
    ]);
    return encoded.trim() ? Buffer.from(encoded.trim(), 'base64').toString('utf8') : undefined;
  }

  /** Lines of the agent's current log that say `msg`. */
  async logCount(msg: string): Promise<number> {
    const logFile = this.#process?.logFile;
    if (!logFile) return 0;
    return (await readFile(logFile, 'utf8')).split('\n').filter((line) => line.includes(`"msg":"${msg}"`))
      .length;
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
        join(this.#options.root ?? repoRoot, 'agent/main.ts'),
        '--gateway-url',
        this.#gatewayUrl,
        '--token-file',
        this.#tokenFile,
        '--kubeconfig',
        this.#kubeconfig,
        '--gateway-ca-file',
        this.#caFile,
        '--reconnect-max-ms',
        '1000',
      ],
      logFile: join(this.#cluster.dir, `${this.#options.label ?? 'agent'}-${this.#starts}.log`),
      env: { LOG_LEVEL: 'debug', ...this.#options.env },
    });
  }

  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  async stop(): Promise<void> {
    await this.#process?.stop();
  }
}
