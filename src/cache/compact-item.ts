import type { KindProfile, SortValue } from '../kube/kind-fields.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { ObjectCodec } from './object-codec.ts';

/** Distinct short strings shared at most per pool; past it, values are kept as they come. */
const MAX_POOLED = 50_000;
const MAX_POOLED_LENGTH = 128;

/**
 * One copy of each repeated short string (namespaces, label values, phases, node names):
 * thousands of objects of a cache then point at one string instead of each holding its own.
 */
export class StringPool {
  readonly #strings = new Map<string, string>();

  intern<T extends string | null | undefined>(value: T): T {
    if (typeof value !== 'string' || value.length > MAX_POOLED_LENGTH) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    if (this.#strings.size < MAX_POOLED) this.#strings.set(value, value);
    return value;
  }
}

function pooledLabels(
  labels: Readonly<Record<string, string>> | undefined,
  pool: StringPool,
): Readonly<Record<string, string>> | undefined {
  if (!labels) return undefined;
  const keys = Object.keys(labels);
  if (keys.length === 0) return undefined;
  const copy: Record<string, string> = {};
  for (const key of keys) copy[pool.intern(key)] = pool.intern(labels[key] as string);
  return copy;
}

/**
 * A cached object stored compactly (docs/list-cache.md): its JSON compressed by the cache's
 * codec, and the few fields sorting and filtering read, instead of the parsed object graph.
 * The object is decoded only when an answer reads it.
 */
export class CompactItem implements ResourceItem {
  readonly clusterId: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly profile: KindProfile;
  readonly values: readonly SortValue[];
  readonly #stored: string;
  readonly #codec: ObjectCodec;

  constructor(
    clusterId: string,
    object: KubeObject,
    profile: KindProfile,
    pool: StringPool,
    codec: ObjectCodec,
  ) {
    const metadata = object.metadata;
    this.clusterId = clusterId;
    this.namespace = pool.intern(metadata?.namespace ?? '');
    this.name = metadata?.name ?? '';
    this.createdAt = pool.intern(metadata?.creationTimestamp ?? '');
    this.labels = pooledLabels(metadata?.labels as Record<string, string> | undefined, pool);
    this.profile = profile;
    this.values = profile.fields.map((field) => {
      const value = field.of(object);
      return typeof value === 'string' ? pool.intern(value) : value;
    });
    this.#codec = codec;
    this.#stored = codec.encode(object);
  }

  /** The object, decoded anew on each read. */
  get object(): KubeObject {
    return this.#codec.decode(this.#stored);
  }

  /** The object decoded anew, with the bytes of its JSON (known from decoding, not serialized again). */
  decodeMeasured(): { readonly object: KubeObject; readonly jsonBytes: number } {
    return this.#codec.decodeMeasured(this.#stored);
  }

  /** Bytes of the stored, compressed object (for the memory figures of benchmarks). */
  get storedBytes(): number {
    return this.#stored.length;
  }

  view(): ResourceItem {
    return new ServedItem(this);
  }
}

/**
 * A cached item as one answer serves it: its object decoded on the first read, then kept,
 * with the bytes of its JSON, which the answer's budget charges instead of serializing it.
 */
class ServedItem implements ResourceItem {
  readonly clusterId: string;
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: string;
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly profile: KindProfile;
  readonly values: readonly SortValue[];
  readonly #item: CompactItem;
  #decoded: KubeObject | undefined;
  #decodedBytes = 0;

  constructor(item: CompactItem) {
    this.clusterId = item.clusterId;
    this.namespace = item.namespace;
    this.name = item.name;
    this.createdAt = item.createdAt;
    this.labels = item.labels;
    this.profile = item.profile;
    this.values = item.values;
    this.#item = item;
  }

  get object(): KubeObject {
    if (this.#decoded === undefined) {
      const { object, jsonBytes } = this.#item.decodeMeasured();
      this.#decoded = object;
      this.#decodedBytes = jsonBytes;
    }
    return this.#decoded;
  }

  jsonBytesOf(value: unknown): number | undefined {
    return value !== undefined && value === this.#decoded ? this.#decodedBytes : undefined;
  }
}
