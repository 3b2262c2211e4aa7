import type { CacheOwnerRouting } from '../cache/cache-owner-routing.ts';
import { type CollectionRef, collectionRoot } from '../cache/cached-collections.ts';
import type { ClusterStats, ClusterStatsValue, StatsSource } from '../cache/cluster-stats.ts';
import { CACHE_IDLE_MS, MAX_CACHES } from '../cache/list-caches.ts';
import { PEER_CLUSTER_HEADER, PEER_MODE_HEADER } from '../clusters/peer-tunnels.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { type Identity, impersonationHeaders } from '../kube/identity.ts';
import { CLUSTER_TIMEOUT_MS } from '../kube/limits.ts';
import type { Logger } from '../shared/log/logger.ts';
import { ResetCode } from '../shared/tunnel/codes.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import {
  MAX_OWNER_ANSWER_BYTES,
  OWNER_ASK_PATH,
  type OwnerAnswer,
  type OwnerQuestion,
  parseOwnerAnswer,
} from './owner-wire.ts';

/**
 * An owner that gives no answer in this time is given up: longer than the owner's own wait
 * for a cache to fill (the cluster timeout), after which it answers `filling`.
 */
export const OWNER_ANSWER_TIMEOUT_MS = CLUSTER_TIMEOUT_MS + 5_000;

/** Reads a stream to its end, at most `maxBytes`; past that it is cancelled and this throws. */
async function readBounded(stream: TunnelStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.reset(ResetCode.CANCELLED, `answer over ${maxBytes} bytes`);
      throw new Error(`the owner's answer is over ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The asking side of docs/replicas.md §6: a replica that serves a query about a cluster
 * another live replica owns asks that owner, over their link, for what its caches answer.
 * Without replicas (no routing) every cluster's caches run here. It also remembers which
 * collections were read lately per cluster, so that a replica acquiring a cluster warms them.
 */
export class OwnerAsks {
  readonly #log: Logger;
  #routing: CacheOwnerRouting | undefined;
  /** Collections read lately: `clusterId NUL root` → when, oldest first. */
  readonly #read = new Map<string, { readonly clusterId: string; readonly ref: CollectionRef; at: number }>();
  /** Questions asked, and those that got no answer (the asker went live or unavailable). */
  asked = 0;
  unanswered = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Starts routing questions as the replicas' ownership says (set once the replica has joined). */
  useRouting(routing: CacheOwnerRouting): void {
    this.#routing = routing;
  }

  /** Whether this replica runs the cluster's caches: always without replicas, else only as its owner. */
  runsHere(clusterId: string): boolean {
    return this.#routing === undefined || this.#routing.owns(clusterId);
  }

  /** Notes that a cluster's collection was read (here or through its owner). */
  noteRead(clusterId: string, ref: CollectionRef): void {
    const key = `${clusterId}\u0000${collectionRoot(ref)}`;
    this.#read.delete(key);
    this.#read.set(key, { clusterId, ref, at: Date.now() });
    if (this.#read.size > MAX_CACHES) {
      const oldest = this.#read.keys().next().value;
      if (oldest !== undefined) this.#read.delete(oldest);
    }
  }

  /** The cluster's collections read here within a cache's idle time: what its new owner warms. */
  readLately(clusterId: string): CollectionRef[] {
    const since = Date.now() - CACHE_IDLE_MS;
    const refs: CollectionRef[] = [];
    for (const entry of this.#read.values())
      if (entry.clusterId === clusterId && entry.at >= since) refs.push(entry.ref);
    return refs;
  }

  /**
   * Asks the cluster's owner; undefined when it cannot be asked (none known or live, this
   * replica, the link or the stream failed, or it no longer owns the cluster): the caller
   * then does what it does without a cache. A list question carries the person.
   */
  async ask(
    clusterId: string,
    question: OwnerQuestion,
    identity?: Identity,
  ): Promise<OwnerAnswer | undefined> {
    const routing = this.#routing;
    const owner = routing?.ownerOf(clusterId);
    if (!routing || !owner || owner === routing.replicaId) return undefined;
    this.asked++;
    const answer = await this.#askOnce(routing, owner, clusterId, question, identity).catch(
      (error: unknown) => {
        this.#log.debug({ clusterId, owner, err: error }, 'the cluster owner gave no answer');
        return undefined;
      },
    );
    if (!answer || answer.status === 'notOwner') {
      this.unanswered++;
      return undefined;
    }
    return answer;
  }

  async #askOnce(
    routing: CacheOwnerRouting,
    owner: string,
    clusterId: string,
    question: OwnerQuestion,
    identity: Identity | undefined,
  ): Promise<OwnerAnswer | undefined> {
    const session = await routing.linkTo(owner);
    if (!session) return undefined;
    const stream = await session.openStream({
      method: 'POST',
      path: OWNER_ASK_PATH,
      headers: [
        [PEER_CLUSTER_HEADER, clusterId],
        [PEER_MODE_HEADER, 'cache'],
        ['content-type', 'application/json'],
        ...(identity ? impersonationHeaders(identity) : []),
      ],
    });
    const timer = setTimeout(
      () => stream.reset(ResetCode.CANCELLED, `no answer within ${OWNER_ANSWER_TIMEOUT_MS} ms`),
      OWNER_ANSWER_TIMEOUT_MS,
    );
    try {
      stream.end(Buffer.from(JSON.stringify(question), 'utf8'));
      const head = await stream.response;
      if (head.status !== 200) throw new Error(`the owner answered ${head.status}`);
      return parseOwnerAnswer(await readBounded(stream, MAX_OWNER_ANSWER_BYTES), question);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Cluster stats from this replica's caches when it owns the cluster, else from its owner. */
  statsFrom(local: ClusterStats): StatsSource {
    return {
      of: async (clusterId: string): Promise<ClusterStatsValue> => {
        this.noteRead(clusterId, { group: '', version: 'v1', resource: 'nodes' });
        this.noteRead(clusterId, { group: '', version: 'v1', resource: 'pods' });
        if (this.runsHere(clusterId)) return local.of(clusterId);
        const answer = await this.ask(clusterId, { ask: 'stats' });
        if (answer?.status === 'stats') return answer.stats;
        if (answer?.status === 'error') throw new GatewayError(answer.code, answer.message, { clusterId });
        throw new GatewayError(
          'CLUSTER_UNAVAILABLE',
          `cluster ${clusterId}: stats unavailable: they are kept by the cluster's owner replica, which cannot be reached now`,
          { clusterId },
        );
      },
    };
  }
}
