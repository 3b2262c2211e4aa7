import type { KubeObject } from './objects.ts';

/**
 * The object without `metadata.managedFields`: server-side apply bookkeeping that is often
 * larger than the rest of the object and that kubectl hides too. The API leaves it out of
 * every object it returns, cached or listed live, so both paths answer alike.
 */
export function withoutManagedFields<T extends KubeObject>(object: T): T {
  const metadata = object.metadata as (KubeObject['metadata'] & { managedFields?: unknown }) | undefined;
  if (!metadata || metadata.managedFields === undefined) return object;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...object, metadata: rest };
}
