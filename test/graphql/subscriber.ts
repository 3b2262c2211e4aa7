// A subscriber for tests: collects a subscription's messages and waits for the ones it needs.
import type { Client } from 'graphql-ws';

/** The resourceChanges subscription with every field. */
export const CHANGES = `subscription Changes($apiVersion: String!, $kind: String!, $filter: ResourceFilter, $since: String) {
  resourceChanges(apiVersion: $apiVersion, kind: $kind, filter: $filter, since: $since) { type clusterId object message cursor }
}`;

export interface Change {
  type: string;
  clusterId: string;
  object: { kind?: string; metadata?: { name?: string }; reason?: string } | null;
  message: string | null;
  cursor: string;
  /** Present when the document asks for it. */
  coalesced?: boolean;
}

/** Collects a subscription's messages; `until` resolves once a matching one arrived. */
export function collect(c: Client, query: string, variables: Record<string, unknown> = {}) {
  const changes: Change[] = [];
  const errors: { message: string; extensions?: { code?: string } }[] = [];
  const waiters: (() => void)[] = [];
  const iterator = c.iterate<Record<string, Change>>({ query, variables });
  const done = (async () => {
    try {
      for await (const result of iterator) {
        if (result.errors) errors.push(...(result.errors as never[]));
        const change = result.data ? Object.values(result.data)[0] : undefined;
        if (change) changes.push(change);
        for (const wake of waiters.splice(0)) wake();
      }
    } catch (error) {
      // graphql-ws rejects with the socket's CloseEvent when the connection ends.
      const close = error as { code?: number; reason?: string };
      errors.push({ message: close.code ? `closed ${close.code} ${close.reason}` : String(error) });
    }
    for (const wake of waiters.splice(0)) wake();
  })();
  return {
    changes,
    errors,
    done,
    async until(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out; got ${JSON.stringify(changes.map((c) => [c.type, c.object?.metadata?.name, c.message]))} ${JSON.stringify(errors)}`,
          );
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    stop: () => iterator.return?.(),
  };
}
