import type { Readable } from 'node:stream';
import {
  MAX_OWNER_ANSWER_BYTES,
  MAX_OWNER_ASK_BYTES,
  type OwnerAnswer,
  OwnerWireError,
} from './owner-wire.ts';

/**
 * A question comes whole in one write right after its stream opens (docs/replicas.md §6): a
 * peer that has not sent it all by then is refused, so a question never holds a stream open.
 */
export const OWNER_ASK_READ_TIMEOUT_MS = 10_000;

/**
 * Reads a question's bytes: at most MAX_OWNER_ASK_BYTES, within `timeoutMs`. Either bound
 * broken throws OwnerWireError (the caller resets the stream); a stream that closes first
 * throws too.
 */
export function readOwnerQuestion(source: Readable, timeoutMs = OWNER_ASK_READ_TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      clearTimeout(timer);
      source.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (error) {
        source.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OWNER_ASK_BYTES)
        finish(new OwnerWireError(`a question is at most ${MAX_OWNER_ASK_BYTES} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onClose = () => finish(new Error('the stream closed before its question was whole'));
    const timer = setTimeout(
      () => finish(new OwnerWireError(`a question must arrive whole within ${timeoutMs} ms`)),
      timeoutMs,
    );
    source.on('data', onData).once('end', onEnd).once('error', finish).once('close', onClose);
  });
}

/** The list each answer carries, which is what can grow: written item by item. */
const LIST_FIELD = { window: 'keys', objects: 'items', groups: 'groups' } as const;

/**
 * An answer as JSON bytes, or undefined when they would be over `maxBytes`. The answer's
 * list is written one item at a time and the writing stops as soon as the bound is passed,
 * so an answer over the bound is never built whole (a page of large objects would otherwise
 * be one string of up to a gigabyte in the owner's memory before being refused).
 */
export function encodeOwnerAnswer(
  answer: OwnerAnswer,
  maxBytes = MAX_OWNER_ANSWER_BYTES,
): Buffer | undefined {
  const field = Object.hasOwn(LIST_FIELD, answer.status)
    ? LIST_FIELD[answer.status as keyof typeof LIST_FIELD]
    : undefined;
  if (field === undefined) {
    const whole = Buffer.from(JSON.stringify(answer), 'utf8');
    return whole.length > maxBytes ? undefined : whole;
  }
  const { [field]: list, ...rest } = answer as unknown as Record<string, unknown>;
  const head = JSON.stringify(rest);
  // `{...rest,"field":[` + items joined by commas + `]}`
  const parts = [`${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"${field}":[`];
  let size = Buffer.byteLength(parts[0] as string, 'utf8') + 2;
  for (const [index, item] of (list as readonly unknown[]).entries()) {
    const text = `${index === 0 ? '' : ','}${JSON.stringify(item) ?? 'null'}`;
    size += Buffer.byteLength(text, 'utf8');
    if (size > maxBytes) return undefined;
    parts.push(text);
  }
  parts.push(']}');
  return Buffer.from(parts.join(''), 'utf8');
}
