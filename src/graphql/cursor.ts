import { badInput } from '../errors/gateway-error.ts';
import type { SortValue } from '../kube/kind-fields.ts';
import type { SortSpec } from './sort.ts';

/**
 * Our own composite cursor: the place of the last item of a page in the query's order, as
 * that item's value of every sort key (ending with cluster, namespace and name, so it names
 * one place). Kubernetes' continue tokens expire and belong to one cluster; this one does
 * neither, and a page after it starts at the next place in the same order, whatever was
 * added or deleted since. The default order's cursor is the plain (cluster, namespace, name);
 * another order's starts with the order's key, so a cursor of one order is refused in another.
 */
export type CursorKey = readonly SortValue[];

const MAX_CURSOR_CHARS = 2048;

export function encodeCursor(key: CursorKey, spec?: SortSpec): string {
  const value = spec && !spec.isDefault ? [spec.key, ...key] : key;
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const isSortValue = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number';

/** The place a cursor names in `spec`'s order (default order when absent); BAD_USER_INPUT otherwise. */
export function decodeCursor(cursor: string, spec?: SortSpec): CursorKey {
  let value: unknown;
  try {
    if (cursor.length > MAX_CURSOR_CHARS) throw new Error('too long');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    value = undefined;
  }
  const width = spec ? spec.keys.length : 3;
  if (Array.isArray(value)) {
    const values: unknown[] = spec && !spec.isDefault ? value.slice(1) : value;
    if (spec && !spec.isDefault && value[0] !== spec.key)
      throw badInput('cursor belongs to another sort: pass endCursor from a page of the same sort');
    // The default order's places are (cluster, namespace, name): text only.
    const valid = !spec || spec.isDefault ? (v: unknown) => typeof v === 'string' : isSortValue;
    if (values.length === width && values.every(valid)) return values as SortValue[];
  }
  throw badInput('malformed cursor: pass endCursor from a previous page');
}

/** -1, 0 or 1, comparing (cluster, namespace, name) keys element by element. */
export function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let i = 0; i < 3; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
