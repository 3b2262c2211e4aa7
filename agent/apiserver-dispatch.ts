import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { withoutHopByHop } from '../src/shared/http/hop-by-hop.ts';
import { ResetCode } from '../src/shared/tunnel/codes.ts';
import type { HeaderPairs } from '../src/shared/tunnel/heads.ts';
import type { TunnelStream } from '../src/shared/tunnel/stream.ts';

/** Methods whose request carries no body unless the client said how long it is. */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** What the dispatch needs to know of the agent around it. */
export interface DispatchHooks {
  /** The apiserver answered 401: the agent's credentials may need a refresh. */
  readonly unauthorized: () => void;
}

/** Header pairs of a raw header list (undici's [name, value, name, value, ...] Buffers). */
function pairsFromRawBuffers(raw: readonly (Buffer | string)[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    pairs.push([
      (raw[i] as Buffer | string).toString('latin1'),
      (raw[i + 1] as Buffer | string).toString('latin1'),
    ]);
  return pairs;
}

/**
 * Sends one stream's request (not an upgrade) to the apiserver through an undici dispatcher
 * and relays the answer on the stream: the head as RESPONSE, the body as DATA with the
 * stream's back-pressure (undici stops reading the apiserver's socket while the stream's
 * credit is spent). `headers` are final: hop-by-hop headers are gone, the agent's own
 * Authorization is in. undici does the HTTP/1.1 work with far less per-request JavaScript
 * than node:https (no ClientRequest, no keep-alive pool keyed by TLS options).
 */
export function dispatchToApiserver(
  dispatcher: Dispatcher,
  stream: TunnelStream,
  url: URL,
  headers: HeaderPairs,
  hooks: DispatchHooks,
): void {
  const head = stream.requestHead;
  const flat: string[] = [];
  let hasLength = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    // The gateway answered any 100-continue itself; undici refuses to send Expect.
    if (lower === 'expect') continue;
    if (lower === 'content-length') hasLength = true;
    flat.push(name, value);
  }
  const withBody = hasLength || !BODILESS_METHODS.has(head.method);
  // A GET carries no body: whatever the stream brings (only its END) is read and dropped.
  // undici destroys a body stream once it has sent it, and the stream also carries the
  // answer back: it gets the body through a PassThrough of its own.
  let body: PassThrough | null = null;
  if (withBody) body = stream.pipe(new PassThrough());
  else stream.resume();

  let controller: Dispatcher.DispatchController | undefined;
  let done = false;
  const fail = (error: Error) => {
    if (stream.destroyed) return;
    if (!stream.responseHead) stream.reset(ResetCode.UPSTREAM_FAILED, error.message);
    else stream.destroy(error);
  };
  // The stream closing first (client gone, reset, tunnel lost) cancels the request.
  stream.on('close', () => {
    if (!done) controller?.abort(new Error('stream closed'));
  });
  const onDrain = () => controller?.resume();

  dispatcher.dispatch(
    {
      path: `${url.pathname}${url.search}`,
      method: head.method as Dispatcher.HttpMethod,
      headers: flat,
      body,
      // Watches and log follows may be silent for hours; the gateway bounds dead requests.
      headersTimeout: 0,
      bodyTimeout: 0,
    },
    {
      onRequestStart(started) {
        controller = started;
        if (stream.destroyed) started.abort(new Error('stream closed'));
      },
      onResponseStart(started, statusCode) {
        if (statusCode === 401) hooks.unauthorized();
        const raw = (started.rawHeaders ?? []) as (Buffer | string)[];
        stream.respond({ status: statusCode, headers: withoutHopByHop(pairsFromRawBuffers(raw)) });
      },
      onResponseData(started, chunk) {
        if (!stream.write(chunk)) {
          started.pause();
          stream.once('drain', onDrain);
        }
      },
      onResponseEnd() {
        done = true;
        stream.end();
      },
      onResponseError(_started, error) {
        done = true;
        fail(error);
      },
    },
  );
}
