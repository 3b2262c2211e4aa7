import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { requireAdmin } from '../admin/gateway-admin.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { LiveLists } from '../graphql/live-lists.ts';
import type { PeerLinkStats } from '../replicas/peer-endpoint.ts';
import { authenticateRequest } from './request-auth.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsApiOptions {
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly listCaches: ListCaches | undefined;
  /** Live lists shared across requests and rate-limited per cluster. */
  readonly liveLists?: LiveLists;
  readonly authenticator: Authenticator;
  readonly passwords: PasswordSignIn;
  /** A replica's links to and from its peers (docs/replicas.md §5); absent with one process. */
  readonly peerLinks?: {
    /** Links this replica dialled: its requests for clusters whose tunnels are elsewhere. */
    readonly outbound: () => PeerLinkStats;
    /** Links peers dialled to this replica: their requests for clusters whose tunnels are here. */
    readonly inbound: () => PeerLinkStats;
  };
}

/**
 * `GET /metrics`: Prometheus metrics for administrators (a bearer API token of an admin):
 * the process (memory, event-loop delay, GC), clusters by state, tunnels, open streams,
 * the links between replicas and their streams, and the list caches. Values are read when scraped, so keeping them costs nothing between.
 */
export class MetricsApi {
  readonly #options: MetricsApiOptions;
  readonly #metrics = new Registry();

  constructor(options: MetricsApiOptions) {
    this.#options = options;
    const metrics = this.#metrics;
    collectDefaultMetrics({ register: metrics, prefix: 'fleetgate_' });
    const { registry, connections, listCaches } = options;
    new Gauge({
      name: 'fleetgate_clusters',
      help: 'Registered clusters by state',
      labelNames: ['state'],
      registers: [metrics],
      collect() {
        const counts = new Map<string, number>([
          ['Pending', 0],
          ['Active', 0],
          ['Disconnected', 0],
        ]);
        for (const cluster of registry.list())
          counts.set(cluster.state, (counts.get(cluster.state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'fleetgate_tunnels',
      help: 'Agent tunnels connected',
      registers: [metrics],
      collect() {
        this.set(connections.sessionCount());
      },
    });
    new Gauge({
      name: 'fleetgate_tunnel_streams',
      help: 'Streams open across all tunnels',
      registers: [metrics],
      collect() {
        this.set(connections.streamCount());
      },
    });
    const { peerLinks } = options;
    const peerStat = (name: string, help: string, pick: (stats: PeerLinkStats) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['direction'],
        registers: [metrics],
        collect() {
          const zero = { links: 0, streams: 0 };
          this.set({ direction: 'outbound' }, pick(peerLinks?.outbound() ?? zero));
          this.set({ direction: 'inbound' }, pick(peerLinks?.inbound() ?? zero));
        },
      });
    peerStat(
      'fleetgate_peer_links',
      'Links between replicas open now: outbound (dialled by this replica), inbound (dialled by a peer)',
      (s) => s.links,
    );
    peerStat(
      'fleetgate_peer_link_streams',
      'Streams open across the links between replicas, by direction of the link',
      (s) => s.streams,
    );
    const cacheStat = (name: string, help: string, pick: (s: ReturnType<ListCaches['stats']>) => number) =>
      new Gauge({
        name,
        help,
        registers: [metrics],
        collect() {
          this.set(listCaches ? pick(listCaches.stats()) : 0);
        },
      });
    cacheStat('fleetgate_list_caches', 'Watch-backed list caches running', (s) => s.caches);
    // With replicas, only a cluster's owner runs its caches (docs/replicas.md §6): who does, per cluster.
    new Gauge({
      name: 'fleetgate_cluster_list_caches',
      help: 'List caches this replica runs for each cluster (absent: none)',
      labelNames: ['cluster'],
      registers: [metrics],
      collect() {
        this.reset();
        for (const [cluster, roots] of listCaches?.byCluster() ?? []) this.set({ cluster }, roots.length);
      },
    });
    cacheStat('fleetgate_list_caches_synced', 'List caches in service', (s) => s.synced);
    cacheStat('fleetgate_list_cache_objects', 'Objects held by the list caches', (s) => s.objects);
    cacheStat(
      'fleetgate_list_cache_answers',
      'Cluster lists answered from a cache since start',
      (s) => s.answered,
    );
    cacheStat(
      'fleetgate_list_cache_stale_answers',
      'Cluster lists answered from a copy no longer kept current (allowStale) since start',
      (s) => s.staleAnswers,
    );
    const { liveLists } = options;
    const liveStat = (name: string, help: string, pick: (lists: LiveLists) => number) =>
      new Gauge({
        name,
        help,
        registers: [metrics],
        collect() {
          this.set(liveLists ? pick(liveLists) : 0);
        },
      });
    liveStat(
      'fleetgate_live_lists_shared',
      'Live lists answered by an identical list already in flight, since start',
      (l) => l.shared,
    );
    liveStat(
      'fleetgate_cluster_lists_delayed',
      "Live lists that waited for their cluster's rate limit, since start",
      (l) => l.rateLimit.counts.delayed,
    );
    liveStat(
      'fleetgate_cluster_lists_throttled',
      "Live lists refused (CLUSTER_THROTTLED) by their cluster's rate limit, since start",
      (l) => l.rateLimit.counts.refused,
    );
  }

  /** Handles the request if it is for /metrics; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== METRICS_PATH) return false;
    const caller = await authenticateRequest(req, this.#options.authenticator, this.#options.passwords);
    requireAdmin(caller.principal);
    const text = await this.#metrics.metrics();
    res.writeHead(200, { 'content-type': this.#metrics.contentType });
    res.end(text);
    return true;
  }
}
