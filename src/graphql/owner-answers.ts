import { cachedTargetOf } from '../cache/cached-collections.ts';
import type { ClusterStats } from '../cache/cluster-stats.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import { asGatewayError } from '../errors/gateway-error.ts';
import { personFromImpersonation } from '../kube/identity.ts';
import { kindProfile, type SortValue } from '../kube/kind-fields.ts';
import { parseLabelSelector } from '../kube/label-selector.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { Logger } from '../shared/log/logger.ts';
import { ResetCode } from '../shared/tunnel/codes.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import { decodeCursor } from './cursor.ts';
import type { OwnerAsks } from './owner-asks.ts';
import { encodeOwnerAnswer, readOwnerQuestion } from './owner-bounds.ts';
import {
  type GroupsQuestion,
  MAX_OWNER_ANSWER_BYTES,
  type ObjectsQuestion,
  type OwnerAnswer,
  OwnerWireError,
  parseOwnerQuestion,
  type WindowKey,
  type WindowQuestion,
} from './owner-wire.ts';
import { windowAfter } from './pages.ts';
import { parseSort } from './sort.ts';

/** The item of a list sorted by (namespace, name) with that namespace and name, if any. */
function find(sorted: readonly ResourceItem[], namespace: string, name: string): ResourceItem | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = sorted[middle] as ResourceItem;
    if (item.namespace < namespace || (item.namespace === namespace && item.name < name)) low = middle + 1;
    else high = middle;
  }
  const found = sorted[low];
  return found && found.namespace === namespace && found.name === name ? found : undefined;
}

/** A question's list, ready to be read from a cache: bad input throws OwnerWireError. */
function parseList(question: WindowQuestion | GroupsQuestion | ObjectsQuestion) {
  const target = cachedTargetOf(question.path);
  if (!target) throw new OwnerWireError('path is not a list the caches answer');
  const matches = question.labelSelector ? parseLabelSelector(question.labelSelector) : undefined;
  if (question.labelSelector && !matches)
    throw new OwnerWireError('labelSelector is not one the caches apply');
  const profile = kindProfile(target.ref.group, target.ref.resource);
  const sortInput =
    question.ask === 'window' ? question.sort.map(([field, direction]) => ({ field, direction })) : undefined;
  try {
    const sort = parseSort(sortInput, profile);
    const cursor =
      question.ask === 'window' && question.after ? decodeCursor(question.after, sort) : undefined;
    const readers =
      question.ask === 'groups'
        ? question.groupBy.map(
            (field) =>
              (parseSort([{ field }], profile).keys[0] as { read: (item: ResourceItem) => SortValue }).read,
          )
        : [];
    return { target, matches, sort, cursor, readers, profile };
  } catch (error) {
    throw new OwnerWireError(asGatewayError(error).message);
  }
}

/**
 * The owner's side of docs/replicas.md §6: answers a peer's question about a cluster this
 * replica owns from its own caches, after the same access check as for its own callers (the
 * person comes as the stream's impersonation; the peer authenticated them). Bad input resets
 * the stream `BAD_REQUEST_HEAD`; anything else is an answer.
 */
export class OwnerAnswers {
  readonly #caches: ListCaches | undefined;
  readonly #stats: ClusterStats;
  readonly #owners: OwnerAsks;
  readonly #log: Logger;
  /** Questions answered (for the replicas API). */
  answered = 0;

  constructor(options: {
    /** Absent when lists are never answered from caches (`--no-list-cache`): every list goes live. */
    readonly caches: ListCaches | undefined;
    readonly stats: ClusterStats;
    readonly owners: OwnerAsks;
    readonly log: Logger;
  }) {
    this.#caches = options.caches;
    this.#stats = options.stats;
    this.#owners = options.owners;
    this.#log = options.log;
  }

  /** Answers one stream of mode `cache` about `clusterId`. */
  async serve(clusterId: string, stream: TunnelStream): Promise<void> {
    let answer: OwnerAnswer;
    try {
      const question = parseOwnerQuestion(await readOwnerQuestion(stream));
      answer = await this.#answer(clusterId, question, stream);
    } catch (error) {
      if (stream.destroyed) return;
      if (error instanceof OwnerWireError) {
        stream.reset(ResetCode.BAD_REQUEST_HEAD, error.message.slice(0, 512));
        return;
      }
      const failure = asGatewayError(error);
      if (failure.code === 'INTERNAL') this.#log.warn({ clusterId, err: error }, 'answering a peer failed');
      answer = { status: 'error', code: failure.code, message: failure.message };
    }
    let body = encodeOwnerAnswer(answer);
    if (body === undefined) {
      body = Buffer.from(
        JSON.stringify({
          status: 'error',
          code: 'CLUSTER_ERROR',
          message: `cluster ${clusterId}: the page is over ${MAX_OWNER_ANSWER_BYTES} bytes; ask for fewer items`,
        }),
      );
    }
    if (stream.destroyed) return;
    this.answered++;
    stream.respond({ status: 200, headers: [['content-type', 'application/json']] });
    stream.end(body);
  }

  async #answer(
    clusterId: string,
    question: ReturnType<typeof parseOwnerQuestion>,
    stream: TunnelStream,
  ): Promise<OwnerAnswer> {
    if (!this.#owners.runsHere(clusterId)) return { status: 'notOwner' };
    if (question.ask === 'stats') return { status: 'stats', stats: await this.#stats.of(clusterId) };
    const identity = personFromImpersonation(stream.requestHead.headers);
    if (!identity) throw new OwnerWireError('a list question must carry one person as Impersonate-* headers');
    const { target, matches, sort, cursor, readers, profile } = parseList(question);
    this.#owners.noteRead(clusterId, target.ref);
    if (!this.#caches) return { status: 'live' };
    const found = await this.#caches.answer(identity, clusterId, target, { allowStale: question.allowStale });
    if (!found) return { status: 'live' };
    if (found === 'filling') return { status: 'filling' };
    const { cache, staleSince } = found;
    if (question.ask === 'objects') {
      // Objects gone since the window was taken are null: the asker keeps their keys only.
      // Only the question's own list is searched: the access review above was of its
      // namespace, and a name in another namespace is no object of that list.
      const all = cache.items(target.namespace);
      return {
        status: 'objects',
        items: question.names.map(([namespace, name]) => find(all, namespace, name)?.object ?? null),
      };
    }
    const ordered = sort.isDefault
      ? cache.items(target.namespace)
      : cache.itemsInOrder(sort.key, sort.compare, target.namespace);
    const needle = question.nameContains;
    const items =
      matches || needle
        ? ordered.filter(
            (item) => (!matches || matches(item.labels)) && (!needle || item.name.includes(needle)),
          )
        : ordered;
    const since = staleSince?.toISOString() ?? null;
    if (question.ask === 'window') {
      // Keys only: the asker merges the clusters' windows, then asks for the page's objects.
      const page = windowAfter(items, sort, cursor, question.first);
      return {
        status: 'window',
        keys: page.items.map(
          (item): WindowKey => [
            item.namespace,
            item.name,
            item.createdAt,
            ...(item.profile === profile && item.values
              ? item.values
              : profile.fields.map((field) => field.of(item.object))),
          ],
        ),
        totalCount: page.window.totalCount,
        afterCursor: page.window.afterCursor,
        staleSince: since,
      };
    }
    const groups = new Map<string, [...SortValue[], number]>();
    for (const item of items) {
      const values = readers.map((read) => read(item));
      const key = JSON.stringify(values);
      const group = groups.get(key);
      if (group) group[group.length - 1] = (group.at(-1) as number) + 1;
      else groups.set(key, [...values, 1]);
    }
    return { status: 'groups', groups: [...groups.values()], staleSince: since };
  }
}
