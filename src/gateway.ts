import type { Server } from 'node:http';
import { join } from 'node:path';
import { allResolvers } from '../resolvers/index.ts';
import { AccessControllers } from './access/access-controllers.ts';
import { AccessService } from './access/access-service.ts';
import { GatewayAdmin } from './admin/gateway-admin.ts';
import { AuditLog } from './audit/audit-log.ts';
import { ApiTokens } from './auth/api-tokens.ts';
import { Authenticator } from './auth/authenticator.ts';
import { LocalUsers } from './auth/local-users.ts';
import { OidcProvider, type OidcSettings } from './auth/oidc.ts';
import { OidcSessions } from './auth/oidc-sessions.ts';
import { OpenConnections } from './auth/open-connections.ts';
import { PasswordSignIn } from './auth/password-sign-in.ts';
import { SignInLimiter, type SignInLimits } from './auth/sign-in-limiter.ts';
import { AccessReviews } from './cache/access-reviews.ts';
import { ClusterStats } from './cache/cluster-stats.ts';
import { ListCaches } from './cache/list-caches.ts';
import { ClusterClient } from './clusters/cluster-client.ts';
import { ClusterConnections } from './clusters/cluster-connections.ts';
import { ClusterRegistry } from './clusters/cluster-registry.ts';
import { HEALTH_INTERVAL_MS, HealthMonitor } from './clusters/health-monitor.ts';
import { ClusterRateLimit } from './graphql/cluster-rate-limit.ts';
import { GraphqlEndpoint } from './graphql/graphql-endpoint.ts';
import { LiveLists } from './graphql/live-lists.ts';
import { OwnerAnswers } from './graphql/owner-answers.ts';
import { OwnerAsks } from './graphql/owner-asks.ts';
import { SharedWatches } from './graphql/shared-watches.ts';
import { KubeClient } from './kube/kube-client.ts';
import { CLUSTER_TIMEOUT_MS } from './kube/limits.ts';
import { openStore, type StoreSettings } from './management/open-store.ts';
import { joinReplicas, type ReplicaParts } from './replicas/join-replicas.ts';
import { DRAIN_DEADLINE_MS, Drain } from './server/drain.ts';
import { listenGateway } from './server/gateway-listener.ts';
import { gatewayRoutes } from './server/gateway-routes.ts';
import { DEFAULT_TUNNEL_TIMING, TunnelEndpoint, type TunnelTiming } from './server/tunnel-endpoint.ts';
import { createLogger, type Logger } from './shared/log/logger.ts';
import { CloseCode } from './shared/tunnel/codes.ts';

/** Everything the gateway process is configured with. */
export interface GatewayConfig {
  /** The embedded store (with store kind sqlite), the generated TLS files and the default audit log. */
  readonly dataDir: string;
  /** Where the gateway's state lives (docs/replicas.md): SQLite under dataDir by default, or a management cluster. */
  readonly store?: StoreSettings;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The URL agents and kubeconfigs use; default: derived from host and port. */
  readonly publicUrl?: string;
  /** Where other replicas reach this one (its Lease says so); default: the URL it listens at. */
  readonly peerAddress?: string;
  /** The name peers' certificates are checked against, when not their peer address's host. */
  readonly peerServerName?: string;
  /** The serving certificate; without it (and without dangerouslyServeHttp) one is made under the data directory. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  /** Plain HTTP, for a gateway behind a TLS-terminating proxy (kubectl sends tokens only over HTTPS). */
  readonly dangerouslyServeHttp?: boolean;
  readonly agentImage: string;
  /** Password of the first admin; a random one is generated (and returned once) without it. */
  readonly adminPassword?: string;
  readonly tunnelTiming?: TunnelTiming;
  /** OpenID Connect sign-in; its redirect URI defaults to <public URL>/v1/auth/oidc/callback. */
  readonly oidc?: Omit<OidcSettings, 'redirectUri'> & { readonly redirectUri?: string };
  /** Audit log destination: a file, or "-" for standard output (default <data-dir>/audit.log). */
  readonly auditLog?: string;
  /** The gateway's release, reported by the API. */
  readonly version?: string;
  /** GraphQL schema introspection (default on). */
  readonly graphqlIntrospection?: boolean;
  /** Undelivered messages a GraphQL subscriber may have before it is coalesced, then ended (default 1000). */
  readonly maxSubscriberQueue?: number;
  /** Bytes of objects one GraphQL query or mutation may answer with (default 64 MiB). */
  readonly maxGraphqlAnswerBytes?: number;
  /** How long a graphql-ws client may leave a ping unanswered before it is dropped (default 12 s). */
  readonly graphqlKeepAliveMs?: number;
  /** Concurrent passthrough requests one person may have on one cluster (default 100). */
  readonly maxStreamsPerPerson?: number;
  /** Failed password sign-ins allowed and how long refusals last (default SIGN_IN_LIMITS). */
  readonly signInLimits?: SignInLimits;
  /** Watch-backed caches for pods, nodes and namespaces lists (default on; docs/list-cache.md). */
  readonly listCache?: boolean;
  /** Live lists GraphQL queries may make to one cluster a second (default 20; docs/list-cache.md). */
  readonly clusterListsPerSecond?: number;
  /** How long a cluster's answer that a person may list a cached collection is reused (default 10 s). */
  readonly accessReviewTtlMs?: number;
  /** PEM of a private CA behind the gateway's certificate, handed to agents and kubeconfigs. */
  readonly caPem?: string;
  readonly healthIntervalMs?: number;
  readonly log?: Logger;
}

/** A running gateway: its parts, for the CLI and for tests. */
export interface Gateway {
  readonly url: string;
  readonly server: Server;
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  /** The one way to talk to clusters (tests and benchmarks use it as the agent itself). */
  readonly kube: KubeClient;
  readonly admin: GatewayAdmin;
  readonly users: LocalUsers;
  readonly tokens: ApiTokens;
  /** The CA clients should trust for this gateway, when it is not a public one. */
  readonly caPem: string | undefined;
  readonly audit: AuditLog;
  /** The watch-backed list caches, unless switched off. */
  readonly listCaches: ListCaches | undefined;
  /** Downstream watches shared by subscribers (tests and diagnostics count them). */
  readonly sharedWatches: SharedWatches;
  /** Long-lived connections by credential (tests count them). */
  readonly openConnections: OpenConnections;
  /** With a management store: the live replicas and who owns which cluster. */
  readonly replicas: ReplicaParts | undefined;
  /** The access policy (docs/access-control.md) and the controllers writing it into every cluster. */
  readonly access: AccessService;
  readonly accessControllers: AccessControllers;
  /** Set on the first start when no admin password was given: print it once. */
  readonly generatedAdminPassword: string | undefined;
  close(): Promise<void>;
  /**
   * Stops gracefully (docs/replicas.md, "Drain"): answers not-ready and refuses new work,
   * lets open streams end up to `deadlineMs` (ending the rest cleanly), then closes: Leases
   * released, agents sent elsewhere with going-away.
   */
  drain(deadlineMs?: number): Promise<void>;
}

/** Opens the store, wires the parts together and starts listening. */
export async function startGateway(config: GatewayConfig): Promise<Gateway> {
  const log = config.log ?? createLogger('fleetgate-gateway');
  const store = await openStore(config.dataDir, config.store, log);
  const users = new LocalUsers(store.users);
  const bootstrap = await users.bootstrapAdmin(config.adminPassword);
  const tokens = new ApiTokens(store.tokens);
  const audit = new AuditLog(config.auditLog ?? join(config.dataDir, 'audit.log'));
  const registry = new ClusterRegistry(store.clusters);
  registry.on('storeError', (error) => log.warn({ err: error }, 'the store refused a cluster state write'));
  await registry.disconnectAfterRestart();
  const connections = new ClusterConnections(registry);
  const clusterClient = new ClusterClient(registry, connections);
  const kube = new KubeClient(clusterClient);
  const tunnel = new TunnelEndpoint(registry, connections, log, config.tunnelTiming ?? DEFAULT_TUNNEL_TIMING);

  const drain = new Drain();
  const { server, setRoutes, url, publicUrl, caPem } = await listenGateway(config, drain, log);

  let oidc: OidcProvider | undefined;
  if (config.oidc) {
    oidc = await OidcProvider.discover(
      {
        ...config.oidc,
        redirectUri: config.oidc.redirectUri ?? new URL('/v1/auth/oidc/callback', publicUrl).href,
      },
      store.pendingLogins,
    ).catch((error: Error) => {
      server.close();
      store.close();
      throw new Error(`OIDC discovery at ${config.oidc?.issuer} failed: ${error.message}`);
    });
  }
  const sessions = oidc ? new OidcSessions(store.oidcSessions, oidc) : undefined;
  const authenticator = new Authenticator(tokens, users, oidc, sessions);
  const passwords = new PasswordSignIn(users, audit, new SignInLimiter(config.signInLimits));
  // Long-lived connections of a revoked token end at once; of an expired one within seconds.
  const openConnections = new OpenConnections(authenticator);
  tokens.on('revoked', () => void openConnections.recheckNow().catch(() => {}));
  // The caches always run for cluster stats; `listCache: false` only stops lists being
  // answered from them.
  const reviews = new AccessReviews(kube, config.accessReviewTtlMs);
  const caches = new ListCaches(kube, registry, connections, log, {
    readyTimeoutMs: CLUSTER_TIMEOUT_MS,
    reviews,
  });
  const listCaches = config.listCache === false ? undefined : caches;
  const clusterStats = new ClusterStats(caches);
  // With replicas, a cluster's caches and stats run on its owner; others ask it (docs/replicas.md §6).
  const owners = store.management ? new OwnerAsks(log) : undefined;
  const cacheAnswers = owners && new OwnerAnswers({ caches: listCaches, stats: clusterStats, owners, log });
  const liveLists = new LiveLists(reviews, new ClusterRateLimit(config.clusterListsPerSecond));
  const sharedWatches = new SharedWatches(kube);
  const admin = new GatewayAdmin({ registry, connections, tokens, audit, publicUrl: () => publicUrl });
  const access = new AccessService({ store: store.access, registry, users, audit });
  const accessControllers = new AccessControllers({ kube, registry, connections, service: access, log });
  const graphql = await GraphqlEndpoint.start({
    authenticator,
    registry,
    kube,
    openConnections,
    reviews,
    audit,
    stats: owners ? owners.statsFrom(clusterStats) : clusterStats,
    owners,
    sharedWatches,
    admin,
    resolvers: allResolvers(
      {
        version: config.version ?? '0.0.0',
        startedAt: new Date().toISOString(),
      },
      { access },
    ) as never,
    log,
    introspection: config.graphqlIntrospection,
    maxSubscriberQueue: config.maxSubscriberQueue,
    maxAnswerBytes: config.maxGraphqlAnswerBytes,
    keepAliveMs: config.graphqlKeepAliveMs,
    listCaches,
    liveLists,
  });
  const health = new HealthMonitor(
    registry,
    connections,
    kube,
    log,
    config.healthIntervalMs ?? HEALTH_INTERVAL_MS,
  );
  const replicas =
    store.management &&
    (await joinReplicas({
      management: store.management,
      peerAddress: config.peerAddress ?? url,
      peerServerName: config.peerServerName,
      registry,
      connections,
      clusterClient,
      health,
      accessControllers,
      caches,
      cacheAnswers,
      owners,
      caPem,
      drain,
      log,
    }));
  setRoutes(
    gatewayRoutes({
      registry,
      connections,
      kube,
      users,
      tokens,
      admin,
      authenticator,
      passwords,
      audit,
      oidc,
      sessions,
      openConnections,
      access,
      accessControllers,
      health,
      caches,
      clusterStats,
      liveLists,
      graphql,
      tunnel,
      drain,
      replicas,
      ownerQuestions: () => ({
        asked: owners?.asked ?? 0,
        unanswered: owners?.unanswered ?? 0,
        answered: cacheAnswers?.answered ?? 0,
      }),
      publicUrl,
      caPem,
      agentImage: config.agentImage,
      maxStreamsPerPerson: config.maxStreamsPerPerson,
      log,
    }),
  );
  log.info(
    { url, publicUrl, dataDir: config.dataDir, clusters: registry.list().length },
    'gateway listening',
  );

  const gateway: Gateway = {
    url,
    server,
    registry,
    connections,
    kube,
    admin,
    users,
    tokens,
    audit,
    listCaches,
    sharedWatches,
    openConnections,
    access,
    accessControllers,
    caPem,
    replicas,
    generatedAdminPassword: bootstrap?.generatedPassword,
    async drain(deadlineMs = DRAIN_DEADLINE_MS) {
      drain.start();
      log.info({ openStreams: drain.openStreams, deadlineMs }, 'draining');
      const ended = await drain.settle(deadlineMs);
      log.info({ endedAtDeadline: ended }, 'drained');
      await gateway.close();
    },
    async close() {
      drain.start();
      // First, and released rather than left to expire: peers take this replica's clusters at once.
      await replicas?.ownership.close();
      await replicas?.membership.leave();
      replicas?.peerLinks.close();
      replicas?.peerEndpoint.close();
      health.stop();
      accessControllers.close();
      openConnections.close();
      caches.close();
      await graphql.close();
      connections.closeAll(CloseCode.GOING_AWAY, 'gateway stopping');
      tunnel.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      audit.close();
      store.close();
    },
  };
  return gateway;
}
