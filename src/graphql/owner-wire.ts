// The questions a replica asks a cluster's owner about its caches, and the answers, as
// docs/replicas.md §6 ("Asking the owner") writes them: parsed and bounded here, once.
import type { ClusterStatsValue } from '../cache/cluster-stats.ts';
import { ERROR_CODES, type ErrorCode } from '../errors/gateway-error.ts';
import type { SortValue } from '../kube/kind-fields.ts';
import { MAX_JSON_ANSWER_BYTES } from '../kube/limits.ts';
import type { KubeObject } from '../kube/objects.ts';
import { MAX_PAGE_SIZE } from './pages.ts';

/** The request head path of a question to the owner. */
export const OWNER_ASK_PATH = '/fleetgate/cache';
/** A question's JSON body is at most this long. */
export const MAX_OWNER_ASK_BYTES = 16 * 1024;
/** An answer's JSON body is at most this long (the bound of any JSON answer from a cluster). */
export const MAX_OWNER_ANSWER_BYTES = MAX_JSON_ANSWER_BYTES;
/** Sort fields of a question: the 4 a query may give and the 3 that end every order. */
const MAX_SORT_KEYS = 7;
/** Fields a count may be grouped by (pods: namespace, phase, node). */
const MAX_GROUP_FIELDS = 3;
const MAX_TEXT_CHARS = 2048;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** What a list question carries, whatever it asks for. */
interface ListQuestion {
  readonly path: string;
  readonly labelSelector?: string;
  readonly nameContains?: string;
  readonly allowStale: boolean;
}

/** One page's worth of a cluster's list: the items after a cursor in an order. */
export interface WindowQuestion extends ListQuestion {
  readonly ask: 'window';
  readonly sort: readonly (readonly [string, 'ASC' | 'DESC'])[];
  readonly after?: string;
  readonly first: number;
}

/** A cluster's list counted by the values of some sort fields. */
export interface GroupsQuestion extends ListQuestion {
  readonly ask: 'groups';
  readonly groupBy: readonly string[];
}

/** The objects of a page's items, once the asker has merged the clusters' windows. */
export interface ObjectsQuestion extends ListQuestion {
  readonly ask: 'objects';
  /** Namespace ('' for none) and name of each, as the window's keys gave them. */
  readonly names: readonly (readonly [string, string])[];
}

/** A question to a cluster's owner (docs/replicas.md §6). */
export type OwnerQuestion = WindowQuestion | GroupsQuestion | ObjectsQuestion | { readonly ask: 'stats' };

/** An item of a window: namespace, name, creation time, then the kind's sort fields' values. */
export type WindowKey = readonly [namespace: string, name: string, createdAt: string, ...values: SortValue[]];

/** One group of a count: the values of the grouped fields, in the asked order, then the count. */
export type GroupCount = readonly [...values: SortValue[], count: number];

/** The owner's answer. */
export type OwnerAnswer =
  | {
      readonly status: 'window';
      readonly keys: readonly WindowKey[];
      readonly totalCount: number;
      readonly afterCursor: number;
      readonly staleSince: string | null;
    }
  | { readonly status: 'groups'; readonly groups: readonly GroupCount[]; readonly staleSince: string | null }
  | { readonly status: 'objects'; readonly items: readonly (KubeObject | null)[] }
  | { readonly status: 'stats'; readonly stats: ClusterStatsValue }
  | { readonly status: 'live' | 'filling' | 'notOwner' }
  | { readonly status: 'error'; readonly code: ErrorCode; readonly message: string };

/** Thrown for a question or answer that breaks the shapes above; the message names the field. */
export class OwnerWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OwnerWireError';
  }
}

type Loose = Readonly<Record<string, unknown>>;

function objectOf(value: unknown, what: string): Loose {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new OwnerWireError(`${what} must be a JSON object`);
  return value as Loose;
}

function optionalText(body: Loose, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > MAX_TEXT_CHARS)
    throw new OwnerWireError(`${field} must be text of at most ${MAX_TEXT_CHARS} characters`);
  return value;
}

function fieldName(value: unknown, where: string): string {
  if (typeof value !== 'string' || !FIELD_NAME.test(value))
    throw new OwnerWireError(`${where} must be a field name`);
  return value;
}

function listQuestion(body: Loose): ListQuestion {
  const path = body.path;
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_TEXT_CHARS)
    throw new OwnerWireError('path must be a list path');
  if (typeof body.allowStale !== 'boolean') throw new OwnerWireError('allowStale must be true or false');
  return {
    path,
    labelSelector: optionalText(body, 'labelSelector'),
    nameContains: optionalText(body, 'nameContains'),
    allowStale: body.allowStale,
  };
}

/** Parses a question's body; OwnerWireError names what is wrong. */
export function parseOwnerQuestion(bytes: Buffer): OwnerQuestion {
  if (bytes.length > MAX_OWNER_ASK_BYTES)
    throw new OwnerWireError(`a question is at most ${MAX_OWNER_ASK_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OwnerWireError('a question must be JSON');
  }
  const body = objectOf(parsed, 'a question');
  if (body.ask === 'stats') return { ask: 'stats' };
  if (body.ask === 'window') {
    const sort = body.sort;
    if (!Array.isArray(sort) || sort.length === 0 || sort.length > MAX_SORT_KEYS)
      throw new OwnerWireError(`sort must list 1 to ${MAX_SORT_KEYS} fields`);
    const keys = sort.map((entry: unknown, index) => {
      if (!Array.isArray(entry) || entry.length !== 2 || (entry[1] !== 'ASC' && entry[1] !== 'DESC'))
        throw new OwnerWireError(`sort[${index}] must be [field, "ASC" | "DESC"]`);
      return [fieldName(entry[0], `sort[${index}][0]`), entry[1]] as const;
    });
    const first = body.first;
    if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE)
      throw new OwnerWireError(`first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
    return { ask: 'window', ...listQuestion(body), sort: keys, after: optionalText(body, 'after'), first };
  }
  if (body.ask === 'groups') {
    const groupBy = body.groupBy;
    if (!Array.isArray(groupBy) || groupBy.length === 0 || groupBy.length > MAX_GROUP_FIELDS)
      throw new OwnerWireError(`groupBy must list 1 to ${MAX_GROUP_FIELDS} fields`);
    return {
      ask: 'groups',
      ...listQuestion(body),
      groupBy: groupBy.map((field: unknown, index) => fieldName(field, `groupBy[${index}]`)),
    };
  }
  if (body.ask === 'objects') {
    const names = body.names;
    if (!Array.isArray(names) || names.length === 0 || names.length > MAX_PAGE_SIZE)
      throw new OwnerWireError(`names must list 1 to ${MAX_PAGE_SIZE} objects`);
    return {
      ask: 'objects',
      ...listQuestion(body),
      names: names.map((entry: unknown, index) => {
        if (
          !Array.isArray(entry) ||
          entry.length !== 2 ||
          !entry.every((part) => typeof part === 'string' && part.length <= 253)
        )
          throw new OwnerWireError(`names[${index}] must be [namespace, name]`);
        return [entry[0], entry[1]] as const;
      }),
    };
  }
  throw new OwnerWireError('ask must be "window", "groups", "objects" or "stats"');
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isSortValue = (value: unknown) =>
  value === null || typeof value === 'string' || typeof value === 'number';

function staleSinceOf(body: Loose): string | null {
  const value = body.staleSince;
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw new OwnerWireError('staleSince must be a time or null');
  return value;
}

/**
 * Parses an owner's answer (at most MAX_OWNER_ANSWER_BYTES, read by the asker) to a question
 * of `ask`; OwnerWireError names what is wrong. A window holds at most `first` objects.
 */
export function parseOwnerAnswer(bytes: Buffer, question: OwnerQuestion): OwnerAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new OwnerWireError('an answer must be JSON');
  }
  const body = objectOf(parsed, 'an answer');
  switch (body.status) {
    case 'live':
    case 'filling':
    case 'notOwner':
      return { status: body.status };
    case 'error': {
      const code = body.code;
      if (typeof code !== 'string' || !Object.hasOwn(ERROR_CODES, code))
        throw new OwnerWireError('code must be an error code');
      return {
        status: 'error',
        code: code as ErrorCode,
        message: String(body.message ?? '').slice(0, MAX_TEXT_CHARS),
      };
    }
    case 'window': {
      if (question.ask !== 'window') break;
      const { keys, totalCount, afterCursor } = body;
      if (!Array.isArray(keys) || keys.length > question.first)
        throw new OwnerWireError(`keys must list at most ${question.first} items`);
      for (const key of keys as unknown[]) {
        if (
          !Array.isArray(key) ||
          key.length < 3 ||
          !key.slice(0, 3).every((part) => typeof part === 'string') ||
          !key.slice(3).every(isSortValue)
        )
          throw new OwnerWireError('each key must be namespace, name, createdAt and sort values');
      }
      if (
        !isCount(totalCount) ||
        !isCount(afterCursor) ||
        afterCursor > totalCount ||
        keys.length > afterCursor
      )
        throw new OwnerWireError(
          'totalCount and afterCursor must be counts, keys <= afterCursor <= totalCount',
        );
      return {
        status: 'window',
        keys: keys as WindowKey[],
        totalCount,
        afterCursor,
        staleSince: staleSinceOf(body),
      };
    }
    case 'groups': {
      if (question.ask !== 'groups') break;
      const width = question.groupBy.length + 1;
      if (!Array.isArray(body.groups)) throw new OwnerWireError('groups must be a list');
      for (const group of body.groups as unknown[]) {
        if (
          !Array.isArray(group) ||
          group.length !== width ||
          !isCount(group[width - 1]) ||
          !group.slice(0, -1).every(isSortValue)
        )
          throw new OwnerWireError(`each group must be ${width - 1} values and a count`);
      }
      return { status: 'groups', groups: body.groups as GroupCount[], staleSince: staleSinceOf(body) };
    }
    case 'objects': {
      if (question.ask !== 'objects') break;
      const { items } = body;
      if (!Array.isArray(items) || items.length !== question.names.length)
        throw new OwnerWireError(`items must list ${question.names.length} objects or nulls`);
      for (const item of items) if (item !== null) objectOf(item, 'an item');
      return { status: 'objects', items: items as (KubeObject | null)[] };
    }
    case 'stats': {
      if (question.ask !== 'stats') break;
      const stats = objectOf(body.stats, 'stats');
      for (const field of STATS_NUMBERS)
        if (typeof stats[field] !== 'number') throw new OwnerWireError(`stats.${field} must be a number`);
      const phases = objectOf(stats.podsByPhase, 'stats.podsByPhase');
      if (!Object.values(phases).every(isCount))
        throw new OwnerWireError('stats.podsByPhase must hold counts');
      return { status: 'stats', stats: stats as unknown as ClusterStatsValue };
    }
  }
  throw new OwnerWireError(
    `status ${JSON.stringify(String(body.status).slice(0, 32))} does not answer ${question.ask}`,
  );
}

const STATS_NUMBERS = [
  'nodeCount',
  'readyNodes',
  'cpuCapacityCores',
  'cpuAllocatableCores',
  'cpuRequestedCores',
  'memoryCapacityBytes',
  'memoryAllocatableBytes',
  'memoryRequestedBytes',
] as const;
