import type { Readable, Writable } from 'node:stream';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** How a relayed answer's body is framed for the client. */
export type BodyFraming =
  /** No body may follow (HEAD, 204, 304): node:http drops whatever is written. */
  | { readonly kind: 'none' }
  /** No usable Content-Length: node:http frames it (chunked), so the body cannot overrun. */
  | { readonly kind: 'chunked' }
  /** Exactly `bytes` bytes must follow, no more and no fewer. */
  | { readonly kind: 'length'; readonly bytes: number };

const DIGITS = /^\d{1,15}$/;

/**
 * How an agent's answer is framed for the client. An agent is not trusted to keep its own
 * Content-Length: bytes past it would reach the client as the answer to its next request on
 * the same connection (possibly for another cluster), and bytes short of it would make the
 * client read the next answer as this body. So a Content-Length is honoured only when it is
 * one valid number (else it is dropped and the body is chunked), and then enforced.
 */
export function bodyFraming(method: string, status: number, headers: HeaderPairs): BodyFraming {
  if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
  const values = headers.filter(([name]) => name.toLowerCase() === 'content-length').map(([, v]) => v.trim());
  const [first] = values;
  if (first === undefined || !DIGITS.test(first) || values.some((value) => value !== first))
    return { kind: 'chunked' };
  return { kind: 'length', bytes: Number(first) };
}

/**
 * The headers to send for a framing: no Content-Length when node:http frames the body, one
 * when the length is enforced.
 */
export function framedHeaders(framing: BodyFraming, headers: [string, string][]): [string, string][] {
  if (framing.kind === 'none') return headers;
  let kept = framing.kind === 'chunked';
  return headers.filter(([name]) => {
    if (name.toLowerCase() !== 'content-length') return true;
    if (kept) return false;
    kept = true;
    return true;
  });
}

/**
 * Pipes `body` into `out` and ends `out` only when exactly `bytes` came; a body that runs
 * past them or ends short destroys `out` (the client connection), so the client sees a
 * broken answer instead of reading the rest of the connection out of step.
 */
export function pipeExactly(body: Readable, out: Writable, bytes: number): void {
  let seen = 0;
  // Added before pipe's own listener, so a chunk past the length is never written.
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= bytes) return;
    body.off('data', onData);
    body.unpipe(out);
    body.destroy();
    out.destroy();
  };
  body.on('data', onData);
  body.once('end', () => {
    if (seen === bytes) out.end();
    else out.destroy();
  });
  body.pipe(out, { end: false });
}
