import type { AccessControllers } from '../access/access-controllers.ts';
import type { AccessService } from '../access/access-service.ts';
import type { GatewayAdmin } from '../admin/gateway-admin.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { LocalUsers } from '../auth/local-users.ts';
import type { OidcProvider } from '../auth/oidc.ts';
import type { OidcSessions } from '../auth/oidc-sessions.ts';
import type { OpenConnections } from '../auth/open-connections.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import type { ClusterStats } from '../cache/cluster-stats.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { HealthMonitor } from '../clusters/health-monitor.ts';
import type { GraphqlEndpoint } from '../graphql/graphql-endpoint.ts';
import type { LiveLists } from '../graphql/live-lists.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { Passthrough } from '../proxy/passthrough.ts';
import { StreamQuota } from '../proxy/stream-quota.ts';
import type { ReplicaParts } from '../replicas/join-replicas.ts';
import type { Logger } from '../shared/log/logger.ts';
import { AccessApi } from './access-api.ts';
import { AuthApi } from './auth-api.ts';
import { ClustersApi } from './clusters-api.ts';
import type { Drain } from './drain.ts';
import type { HttpRoutes } from './http-server.ts';
import { MetricsApi } from './metrics-api.ts';
import { ReplicasApi } from './replicas-api.ts';
import type { TunnelEndpoint } from './tunnel-endpoint.ts';

/** The gateway's parts its HTTP routes serve. */
export interface RouteParts {
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly kube: KubeClient;
  readonly users: LocalUsers;
  readonly tokens: ApiTokens;
  readonly admin: GatewayAdmin;
  readonly authenticator: Authenticator;
  readonly passwords: PasswordSignIn;
  readonly audit: AuditLog;
  readonly oidc: OidcProvider | undefined;
  readonly sessions: OidcSessions | undefined;
  readonly openConnections: OpenConnections;
  readonly access: AccessService;
  readonly accessControllers: AccessControllers;
  readonly health: HealthMonitor;
  readonly caches: ListCaches;
  readonly clusterStats: ClusterStats;
  readonly liveLists: LiveLists;
  readonly graphql: GraphqlEndpoint;
  readonly tunnel: TunnelEndpoint;
  readonly drain: Drain;
  readonly replicas: ReplicaParts | undefined;
  /** Questions this replica asked of owners and answered for peers (replicas only). */
  readonly ownerQuestions: () => { asked: number; unanswered: number; answered: number };
  readonly publicUrl: string;
  readonly caPem: string | undefined;
  readonly agentImage: string;
  /** Concurrent passthrough requests one person may have on one cluster. */
  readonly maxStreamsPerPerson: number | undefined;
  readonly log: Logger;
}

/** Makes the REST APIs, the passthrough and the replica endpoints over the gateway's parts. */
export function gatewayRoutes(parts: RouteParts): HttpRoutes {
  const { registry, authenticator, passwords, replicas } = parts;
  return {
    replicas:
      replicas &&
      new ReplicasApi({
        registry,
        authenticator,
        passwords,
        health: parts.health,
        accessControllers: parts.accessControllers,
        caches: parts.caches,
        clusterStats: parts.clusterStats,
        ownerQuestions: parts.ownerQuestions,
        ...replicas,
      }),
    peers: replicas?.peerEndpoint,
    tunnel: parts.tunnel,
    clustersApi: new ClustersApi({
      registry,
      admin: parts.admin,
      passwords,
      authenticator,
      publicUrl: parts.publicUrl,
      agentImage: parts.agentImage,
      gatewayCaPem: parts.caPem,
    }),
    authApi: new AuthApi({
      users: parts.users,
      passwords,
      tokens: parts.tokens,
      admin: parts.admin,
      authenticator,
      registry,
      audit: parts.audit,
      oidc: parts.oidc,
      sessions: parts.sessions,
      publicUrl: () => parts.publicUrl,
      caPem: parts.caPem,
    }),
    passthrough: new Passthrough({
      authenticator,
      kube: parts.kube,
      audit: parts.audit,
      log: parts.log,
      openConnections: parts.openConnections,
      drain: parts.drain,
      quota: new StreamQuota(parts.maxStreamsPerPerson),
    }),
    graphql: parts.graphql,
    metrics: new MetricsApi({
      registry,
      connections: parts.connections,
      listCaches: parts.caches,
      liveLists: parts.liveLists,
      authenticator,
      passwords,
      peerLinks: replicas && {
        outbound: () => replicas.peerLinks.stats(),
        inbound: () => replicas.peerEndpoint.stats(),
      },
    }),
    accessApi: new AccessApi({ access: parts.access, kube: parts.kube, authenticator, passwords }),
  };
}
