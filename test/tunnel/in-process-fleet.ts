// The gateway and an agent in the test's own process, so that tests can look inside them
// (open streams, timers, sockets). Both are the real code over a real WebSocket, and the
// agent talks to a real apiserver.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiserverProxy } from '../../agent/apiserver-proxy.ts';
import { AgentConnector } from '../../agent/connector.ts';
import {
  CredentialSecret,
  DEFAULT_CREDENTIAL_SECRET,
  parseSecretRef,
} from '../../agent/credential-secret.ts';
import { kubeconfigTarget } from '../../agent/kubeconfig-target.ts';
import { type Gateway, type GatewayConfig, startGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/shared/log/logger.ts';
import { installAgentIdentity } from '../harness/agent-identity.ts';
import type { TestCluster } from '../harness/cluster.ts';
import { gatewayRequest } from '../harness/gateway-http.ts';
import { startClusters, type TestClusters } from '../harness/index.ts';

export interface InProcessFleet {
  readonly gateway: Gateway;
  readonly clusterId: string;
  readonly connector: AgentConnector;
  readonly proxy: ApiserverProxy;
  stop(): Promise<void>;
}

const quiet = createLogger('test', 'silent');

/** One cluster's agent, running in the test process. */
export interface InProcessAgent {
  readonly clusterId: string;
  readonly connector: AgentConnector;
  readonly proxy: ApiserverProxy;
  stop(): void;
}

/** Registers `cluster` with `gateway`, installs its agent's objects, and connects an agent. */
export async function connectInProcessAgent(gateway: Gateway, cluster: TestCluster): Promise<InProcessAgent> {
  const { cluster: registered, token } = await gateway.registry.register(cluster.name);
  const manifest = await gatewayRequest(gateway.admin.installUrl(token), { caPem: gateway.caPem });
  if (manifest.status !== 200) throw new Error(`install manifest: ${manifest.status} ${manifest.text}`);
  const kubeconfig = join(cluster.dir, 'in-process-agent.kubeconfig');
  await installAgentIdentity(cluster, manifest.text, kubeconfig, 'agent');
  await writeFile(join(cluster.dir, 'in-process-agent.token'), token);
  return runInProcessAgent(gateway, registered.clusterId, kubeconfig, token);
}

/**
 * Connects a new agent for a cluster registered earlier (after the old one was stopped): it
 * reconnects with the credential the first one stored in the cluster's Secret.
 */
export async function reconnectInProcessAgent(
  gateway: Gateway,
  cluster: TestCluster,
  clusterId: string,
): Promise<InProcessAgent> {
  const token = await readFile(join(cluster.dir, 'in-process-agent.token'), 'utf8');
  return runInProcessAgent(gateway, clusterId, join(cluster.dir, 'in-process-agent.kubeconfig'), token);
}

async function runInProcessAgent(
  gateway: Gateway,
  clusterId: string,
  kubeconfig: string,
  token: string,
): Promise<InProcessAgent> {
  const proxy = new ApiserverProxy(await kubeconfigTarget(kubeconfig), quiet);
  const connector = new AgentConnector({
    gatewayUrl: new URL(gateway.url),
    registrationToken: () => token,
    credentials: new CredentialSecret(proxy, parseSecretRef(DEFAULT_CREDENTIAL_SECRET)),
    gatewayCaPem: gateway.caPem,
    agentVersion: 'test',
    proxy,
    log: quiet,
    reconnectMaxMs: 500,
  });
  const connected = new Promise<void>((resolve) => connector.once('connected', () => resolve()));
  connector.start();
  await connected;
  return {
    clusterId,
    connector,
    proxy,
    stop() {
      connector.stop();
      proxy.close();
    },
  };
}

/** Starts a gateway in this process with the test defaults, plus `overrides`. */
export async function startInProcessGateway(overrides: Partial<GatewayConfig> = {}): Promise<Gateway> {
  return startGateway({
    dataDir: await mkdtemp(join(tmpdir(), 'fleetgate-test-')),
    host: '127.0.0.1',
    port: 0,
    dangerouslyServeHttp: true,
    ...overrides,
    agentImage: 'fleetgate/agent:test',
    adminPassword: 'in-process-admin-password',
    log: quiet,
  });
}

/** Starts a gateway, registers `cluster`, installs and connects its agent; resolves once Active. */
export async function startInProcessFleet(
  cluster: TestCluster,
  overrides: Partial<GatewayConfig> = {},
): Promise<InProcessFleet> {
  const gateway = await startInProcessGateway(overrides);
  const agent = await connectInProcessAgent(gateway, cluster);
  return {
    gateway,
    clusterId: agent.clusterId,
    connector: agent.connector,
    proxy: agent.proxy,
    async stop() {
      agent.stop();
      await gateway.close();
    },
  };
}

/** One real cluster, an in-process gateway serving HTTPS, and its agent, Active. */
export interface OneClusterFleet {
  readonly run: TestClusters;
  readonly cluster: TestCluster;
  readonly gateway: Gateway;
  readonly agent: InProcessAgent;
  stop(): Promise<void>;
}

/**
 * Starts one cluster named after `namePrefix`, a gateway in this process (HTTPS, `overrides`
 * added) and the cluster's agent; the gateway's admin is cluster-admin there.
 */
export async function startOneClusterFleet(
  namePrefix: string,
  overrides: Partial<GatewayConfig> = {},
): Promise<OneClusterFleet> {
  const run = await startClusters({ count: 1, namePrefix });
  const cluster = run.clusters[0] as TestCluster;
  const gateway = await startInProcessGateway({ dangerouslyServeHttp: false, ...overrides });
  const agent = await connectInProcessAgent(gateway, cluster);
  await cluster.grantGatewayAdmin();
  return {
    run,
    cluster,
    gateway,
    agent,
    async stop() {
      agent.stop();
      await gateway.close();
      await run.stop();
    },
  };
}
