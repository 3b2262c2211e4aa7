import type { Readable } from 'node:stream';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeObject, Status } from './objects.ts';

/** What a change to an object was. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One line of a Kubernetes watch: an event type and its object (a Status for ERROR). */
export type WatchEvent = (
  | { readonly type: ChangeType | 'BOOKMARK'; readonly object: KubeObject }
  | { readonly type: 'ERROR'; readonly object: Status }
) & {
  /** Bytes of the event's line: what holding it costs, roughly, for bounds on queues. */
  readonly bytes: number;
};

/** Longest event line accepted (one object). */
export const MAX_WATCH_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * The events of a watch response body, one JSON object per line. Lines are cut from
 * buffers, not from a growing string, so a large object costs one copy.
 */
export async function* watchEvents(body: Readable): AsyncGenerator<WatchEvent> {
  let parts: Buffer[] = [];
  let partsBytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline >= 0) {
      const line = parts.length
        ? Buffer.concat([...parts, chunk.subarray(start, newline)])
        : chunk.subarray(start, newline);
      parts = [];
      partsBytes = 0;
      if (line.length > MAX_WATCH_EVENT_BYTES)
        throw new GatewayError('CLUSTER_ERROR', 'watch event larger than 16 MiB');
      if (line.length > 0) yield parseEvent(line);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      partsBytes += chunk.length - start;
      if (partsBytes > MAX_WATCH_EVENT_BYTES)
        throw new GatewayError('CLUSTER_ERROR', 'watch event larger than 16 MiB');
    }
  }
}

function parseEvent(line: Buffer): WatchEvent {
  let event: Partial<WatchEvent>;
  try {
    event = JSON.parse(line.toString('utf8')) as Partial<WatchEvent>;
  } catch {
    throw new GatewayError('CLUSTER_ERROR', 'malformed watch event: not JSON');
  }
  if (
    typeof event !== 'object' ||
    event === null ||
    typeof event.type !== 'string' ||
    !['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].includes(event.type) ||
    typeof event.object !== 'object' ||
    event.object === null
  ) {
    throw new GatewayError('CLUSTER_ERROR', 'malformed watch event');
  }
  return { ...event, bytes: line.length } as WatchEvent;
}
