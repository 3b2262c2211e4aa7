import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalUsers } from './auth/local-users.ts';
import { ClusterClient } from './clusters/cluster-client.ts';
import { ClusterConnections } from './clusters/cluster-connections.ts';
import { ClusterRegistry } from './clusters/cluster-registry.ts';
import { HEALTH_INTERVAL_MS, HealthMonitor } from './clusters/health-monitor.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { ClustersApi } from './server/clusters-api.ts';
import { createGatewayServer } from './server/http-server.ts';
import { DEFAULT_TUNNEL_TIMING, TunnelEndpoint, type TunnelTiming } from './server/tunnel-endpoint.ts';
import { openDatabase } from './store/database.ts';
import { CloseCode } from './tunnel/codes.ts';

/** Everything the gateway process is configured with. */
export interface GatewayConfig {
  readonly dataDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The URL agents and kubeconfigs use; default: derived from host and port. */
  readonly publicUrl?: string;
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  readonly agentImage: string;
  /** Password of the first admin; a random one is generated (and returned once) without it. */
  readonly adminPassword?: string;
  readonly tunnelTiming?: TunnelTiming;
  readonly healthIntervalMs?: number;
  readonly log?: Logger;
}

/** A running gateway: its parts, for the CLI and for tests. */
export interface Gateway {
  readonly url: string;
  readonly server: Server;
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly clusterClient: ClusterClient;
  readonly clustersApi: ClustersApi;
  readonly users: LocalUsers;
  /** Set on the first start when no admin password was given: print it once. */
  readonly generatedAdminPassword: string | undefined;
  close(): Promise<void>;
}

/** Opens the store, wires the parts together and starts listening. */
export async function startGateway(config: GatewayConfig): Promise<Gateway> {
  const log = config.log ?? createLogger('fleetgate-gateway');
  const db = openDatabase(config.dataDir);
  const users = new LocalUsers(db);
  const bootstrap = await users.bootstrapAdmin(config.adminPassword);
  const registry = new ClusterRegistry(db);
  const connections = new ClusterConnections(registry);
  const clusterClient = new ClusterClient(registry, connections);
  const tunnel = new TunnelEndpoint(registry, connections, log, config.tunnelTiming ?? DEFAULT_TUNNEL_TIMING);

  // The public URL is only known after listening when port 0 was asked for.
  let publicUrl = config.publicUrl ?? '';
  const clustersApi = new ClustersApi({
    registry,
    users,
    get publicUrl() {
      return publicUrl;
    },
    agentImage: config.agentImage,
  });
  const server = createGatewayServer({ tunnel, clustersApi, log, tls: config.tls });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  publicUrl ||= url;
  const health = new HealthMonitor(
    registry,
    connections,
    clusterClient,
    log,
    config.healthIntervalMs ?? HEALTH_INTERVAL_MS,
  );
  log.info(
    { url, publicUrl, dataDir: config.dataDir, clusters: registry.list().length },
    'gateway listening',
  );

  return {
    url,
    server,
    registry,
    connections,
    clusterClient,
    clustersApi,
    users,
    generatedAdminPassword: bootstrap?.generatedPassword,
    async close() {
      health.stop();
      connections.closeAll(CloseCode.GOING_AWAY, 'gateway stopping');
      tunnel.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
