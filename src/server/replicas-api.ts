import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessControllers } from '../access/access-controllers.ts';
import { requireAdmin } from '../admin/gateway-admin.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import type { ClusterStats } from '../cache/cluster-stats.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { HealthMonitor } from '../clusters/health-monitor.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { ClusterOwnership } from '../replicas/cluster-ownership.ts';
import type { ReplicaMembership } from '../replicas/replica-membership.ts';
import { sendJson } from './http-json.ts';
import { authenticateRequest } from './request-auth.ts';

export interface ReplicasApiOptions {
  readonly registry: ClusterRegistry;
  readonly membership: ReplicaMembership;
  readonly ownership: ClusterOwnership;
  readonly health: HealthMonitor;
  readonly accessControllers: AccessControllers;
  /** The list caches and stats, which run for the clusters this replica owns (docs/replicas.md §6). */
  readonly caches: ListCaches;
  readonly clusterStats: ClusterStats;
  /** Questions this replica asked owners (and how many got no answer) and answered as owner. */
  readonly ownerQuestions?: () => { asked: number; unanswered: number; answered: number };
  readonly authenticator: Authenticator;
  readonly passwords: PasswordSignIn;
}

/**
 * `GET /v1/replicas` (administrators): the live replicas from their Leases, and which
 * replica owns each cluster's per-cluster work (docs/replicas.md §4, §6).
 */
export class ReplicasApi {
  readonly #options: ReplicasApiOptions;

  constructor(options: ReplicasApiOptions) {
    this.#options = options;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== '/v1/replicas') return false;
    const { principal } = await authenticateRequest(
      req,
      this.#options.authenticator,
      this.#options.passwords,
    );
    requireAdmin(principal);
    if (req.method !== 'GET') throw new GatewayError('NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    const { membership, ownership, registry, health, accessControllers, caches, clusterStats } =
      this.#options;
    sendJson(res, 200, {
      replicaId: membership.replicaId,
      replicas: membership.live(),
      // What this replica does for the clusters it owns.
      owned: ownership.owned(),
      healthChecks: health.checksRun,
      accessControllers: accessControllers.running(),
      // The collections cached here, per cluster, and the clusters whose stats are kept here.
      listCaches: Object.fromEntries(caches.byCluster()),
      clusterStats: clusterStats.keptFor(),
      ownerQuestions: this.#options.ownerQuestions?.(),
      clusters: registry.list().map((cluster) => ({
        clusterId: cluster.clusterId,
        name: cluster.name,
        owner: ownership.ownerOf(cluster.clusterId) ?? null,
      })),
    });
    return true;
  }
}
