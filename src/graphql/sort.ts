import { badInput } from '../errors/gateway-error.ts';
import type { KindProfile, SortValue } from '../kube/kind-fields.ts';
import type { ResourceItem } from '../kube/resource-item.ts';

/** One sort field as a query gives it (the ResourceSort input). */
export interface SortInput {
  readonly field: string;
  readonly direction?: 'ASC' | 'DESC' | null;
}

/** The fields every kind sorts by. */
const COMMON_FIELDS: Readonly<Record<string, (item: ResourceItem) => SortValue>> = {
  cluster: (item) => item.clusterId,
  namespace: (item) => item.namespace,
  name: (item) => item.name,
  createdAt: (item) => item.createdAt || null,
};
/** What ends every order, so that no two objects tie and pages never skip or repeat one. */
const TIEBREAK = ['cluster', 'namespace', 'name'] as const;
/** Sort fields one query may give. */
const MAX_SORT_FIELDS = 4;

interface SortKey {
  readonly field: string;
  readonly descending: boolean;
  readonly read: (item: ResourceItem) => SortValue;
}

/**
 * An order of items across clusters: the fields asked for, then cluster, namespace and name,
 * so that the order is total and a cursor names one place in it (docs/list-cache.md).
 */
export interface SortSpec {
  /** Names the order: caches keep a sorted copy per key; a cursor carries it. */
  readonly key: string;
  /** The global (cluster, namespace, name) order, in which runs of a cluster are contiguous. */
  readonly isDefault: boolean;
  readonly keys: readonly SortKey[];
  /** Orders two items (never 0 for two distinct objects). */
  compare(a: ResourceItem, b: ResourceItem): number;
  /** The item's place in the order: its value of every key. */
  valuesOf(item: ResourceItem): SortValue[];
}

/** -1, 0 or 1; absent values sort after every value (before them when descending). */
export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : 1;
}

function profileReader(profile: KindProfile, field: string): ((item: ResourceItem) => SortValue) | undefined {
  const index = profile.fields.findIndex((f) => f.name === field);
  const sortField = profile.fields[index];
  if (!sortField) return undefined;
  return (item) =>
    item.profile === profile && item.values ? (item.values[index] ?? null) : sortField.of(item.object);
}

/** The sort fields a kind accepts, for error messages and documentation. */
export function sortFieldsOf(profile: KindProfile): string[] {
  return [...Object.keys(COMMON_FIELDS), ...profile.fields.map((f) => f.name)];
}

/**
 * Parses a query's sort into an order for one kind; BAD_USER_INPUT names the fields the
 * kind accepts when one is unknown.
 */
export function parseSort(input: readonly SortInput[] | null | undefined, profile: KindProfile): SortSpec {
  const given = input ?? [];
  if (given.length > MAX_SORT_FIELDS) throw badInput(`sort takes at most ${MAX_SORT_FIELDS} fields`);
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  for (const { field, direction } of given) {
    if (seen.has(field)) throw badInput(`sort names ${field.slice(0, 64)} twice`);
    seen.add(field);
    const read = COMMON_FIELDS[field] ?? profileReader(profile, field);
    if (!Object.hasOwn(COMMON_FIELDS, field) && !profileReader(profile, field)) {
      throw badInput(
        `unknown sort field ${JSON.stringify(field.slice(0, 64))} for ${profile.resource}: one of ${sortFieldsOf(profile).join(', ')}`,
      );
    }
    keys.push({ field, descending: direction === 'DESC', read: read as (item: ResourceItem) => SortValue });
  }
  for (const field of TIEBREAK) {
    if (!seen.has(field))
      keys.push({ field, descending: false, read: COMMON_FIELDS[field] as SortKey['read'] });
  }
  const isDefault =
    keys.length === TIEBREAK.length && keys.every((k, i) => k.field === TIEBREAK[i] && !k.descending);
  return {
    key: keys.map((k) => `${k.field}${k.descending ? '-' : '+'}`).join(','),
    isDefault,
    keys,
    compare(a, b) {
      for (const k of keys) {
        const order = compareValues(k.read(a), k.read(b));
        if (order !== 0) return k.descending ? -order : order;
      }
      return 0;
    },
    valuesOf: (item) => keys.map((k) => k.read(item)),
  };
}

/** Compares an item's values with a cursor's, in the order's directions. */
export function compareToValues(
  spec: SortSpec,
  values: readonly SortValue[],
  cursor: readonly SortValue[],
): number {
  for (const [i, k] of spec.keys.entries()) {
    const order = compareValues(values[i] ?? null, cursor[i] ?? null);
    if (order !== 0) return k.descending ? -order : order;
  }
  return 0;
}

/** The global (cluster, namespace, name) order, for queries that give no sort. */
export const DEFAULT_SORT: SortSpec = parseSort(null, { resource: 'objects', fields: [] });
