// What the in-process page benchmarks share: the gateway's real schema and resolvers, and
// stand-in caches of real CompactItems of synthetic pods (100 clusters x 1,000 by default),
// asked through a context that serves lists from them. No HTTP, TLS, tunnels or reviews.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { allResolvers } from '../resolvers/index.ts';
import type { AccessService } from '../src/access/access-service.ts';
import { CompactItem, StringPool } from '../src/cache/compact-item.ts';
import { ObjectCodec } from '../src/cache/object-codec.ts';
import { type AnswerBudget, chargeJsonFields } from '../src/graphql/answer-budget.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { kindProfile } from '../src/kube/kind-fields.ts';
import { compareItems, type ResourceItem } from '../src/kube/resource-item.ts';
import { syntheticPod } from './cached-object-memory.ts';

const schemaDir = new URL('../schema/', import.meta.url).pathname;
const typeDefs = readdirSync(schemaDir)
  .filter((f) => f.endsWith('.graphql'))
  .sort()
  .map((f) => readFileSync(join(schemaDir, f), 'utf8'));

/** The schema as the endpoint builds it: its JSON fields charged to the answer budget. */
export const schema = chargeJsonFields(
  makeExecutableSchema({
    typeDefs,
    resolvers: allResolvers({ version: 'bench', startedAt: '' }, { access: {} as AccessService }),
  }),
);

/** A stand-in for a CollectionCache in service: the same item order and order memo. */
class BenchCache {
  readonly #sorted: ResourceItem[];
  readonly #orders = new Map<string, readonly ResourceItem[]>();
  constructor(items: ResourceItem[]) {
    this.#sorted = items.sort(compareItems);
  }
  items(): readonly ResourceItem[] {
    return this.#sorted;
  }
  itemsInOrder(key: string, compare: (a: ResourceItem, b: ResourceItem) => number) {
    let known = this.#orders.get(key);
    if (!known) {
      known = [...this.#sorted].sort(compare);
      this.#orders.set(key, known);
    }
    return known;
  }
}

/** Caches of `podCount` synthetic pods in each of `clusterCount` clusters, and their ids. */
export function benchCaches(
  clusterCount: number,
  podCount: number,
): { readonly caches: ReadonlyMap<string, BenchCache>; readonly clusterIds: readonly string[] } {
  const profile = kindProfile('', 'pods');
  const caches = new Map<string, BenchCache>();
  const clusterIds: string[] = [];
  for (let c = 0; c < clusterCount; c++) {
    const clusterId = `fan-${String(c + 1).padStart(3, '0')}`;
    clusterIds.push(clusterId);
    const pool = new StringPool();
    const codec = new ObjectCodec(syntheticPod(0));
    const items: ResourceItem[] = [];
    for (let i = 0; i < podCount; i++) {
      const pod = syntheticPod(i);
      (pod.metadata as { creationTimestamp: string }).creationTimestamp =
        `2026-11-30T05:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
      items.push(new CompactItem(clusterId, pod, profile, pool, codec));
    }
    caches.set(clusterId, new BenchCache(items));
  }
  return { caches, clusterIds };
}

/** A request's context that lists from `caches`, as an administrator; `answerBudget` when given. */
export function benchContext(
  { caches, clusterIds }: ReturnType<typeof benchCaches>,
  answerBudget?: AnswerBudget,
): GraphQLContext {
  return {
    identity: { kind: 'person', user: 'admin', groups: [] },
    registry: { list: () => clusterIds.map((clusterId) => ({ clusterId })) },
    listCaches: {
      answer: async (_identity: unknown, clusterId: string) => ({ cache: caches.get(clusterId) }),
    },
    answerBudget,
    clusterErrors: [],
    staleClusters: new Map(),
  } as unknown as GraphQLContext;
}
