import { badInput } from '../errors/gateway-error.ts';

/**
 * Our own composite cursor: the (cluster, namespace, name) of the last item of a page.
 * Kubernetes' continue tokens expire and belong to one cluster; this one does neither, and
 * a page after it starts at the next key in the same global order.
 */
export type CursorKey = readonly [string, string, string];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    if (cursor.length > 1024) throw new Error('too long');
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string'))
      return value as unknown as CursorKey;
  } catch {
    // fall through
  }
  throw badInput('malformed cursor: pass endCursor from a previous page');
}

/** -1, 0 or 1, comparing keys element by element. */
export function compareKeys(a: CursorKey, b: CursorKey): number {
  for (let i = 0; i < 3; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
