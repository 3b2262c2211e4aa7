import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import { ResetCode } from '../src/shared/tunnel/codes.ts';
import type { HeaderPairs } from '../src/shared/tunnel/heads.ts';
import type { TunnelStream } from '../src/shared/tunnel/stream.ts';
import type { DispatchHooks } from './apiserver-dispatch.ts';

/** Methods whose request carries no body unless the client said how long it is. */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/**
 * HTTP/2 request headers for a head's final header pairs: lower-case names (HTTP/2 allows no
 * others), a repeated name as an array, which node:http2 sends as one field per value
 * (Impersonate-Group must stay one group per header). Answers whether the request has a body.
 */
function http2Headers(method: string, path: string, headers: HeaderPairs): [OutgoingHttpHeaders, boolean] {
  const out: OutgoingHttpHeaders = {
    [constants.HTTP2_HEADER_METHOD]: method,
    [constants.HTTP2_HEADER_PATH]: path,
  };
  let hasLength = false;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    // The gateway answered any 100-continue itself.
    if (lower === 'expect') continue;
    if (lower === 'content-length') hasLength = true;
    const earlier = out[lower];
    if (earlier === undefined) out[lower] = value;
    else if (Array.isArray(earlier)) earlier.push(value);
    else out[lower] = [String(earlier), value];
  }
  return [out, hasLength || !BODILESS_METHODS.has(method)];
}

/** Response header pairs from node:http2's raw list, without the pseudo-headers. */
function responsePairs(raw: readonly string[] | undefined, headers: IncomingHttpHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  if (raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.charCodeAt(0) !== 58 /* ':' */) pairs.push([name, raw[i + 1] as string]);
    }
    return pairs;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, String(one)]);
  }
  return pairs;
}

/**
 * Relays the answer's body with back-pressure. node:http2 hands over each DATA frame of the
 * apiserver's (16–64 KiB) as it parses them, several in one turn of the event loop; the
 * tunnel stream is corked for that turn, so that they leave as one tunnel frame (up to
 * 64 KiB) instead of one each: per frame, the gateway and the agent pay a WebSocket message
 * and a chunk of the client's answer.
 */
function relayBody(request: ClientHttp2Stream, stream: TunnelStream): void {
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  const resume = () => request.resume();
  request.on('data', (chunk: Buffer) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    if (!stream.write(chunk)) {
      request.pause();
      stream.once('drain', resume);
    }
  });
  request.once('end', () => stream.end());
}

/**
 * Sends one stream's request (not an upgrade) as a stream of the agent's HTTP/2 connection
 * to the apiserver and relays the answer on the tunnel stream, with back-pressure both ways
 * (the HTTP/2 stream's window stays closed while the tunnel stream's credit is spent).
 * `headers` are final: hop-by-hop headers are gone (HTTP/2 forbids them anyway), the
 * agent's own Authorization is in. `done` runs once when the HTTP/2 stream is closed.
 */
export function dispatchOverHttp2(
  session: ClientHttp2Session,
  stream: TunnelStream,
  url: URL,
  headers: HeaderPairs,
  hooks: DispatchHooks,
  done: () => void,
): void {
  const head = stream.requestHead;
  const [outgoing, withBody] = http2Headers(head.method, `${url.pathname}${url.search}`, headers);
  const request = session.request(outgoing, { endStream: !withBody });
  request.once('close', () => {
    done();
    // Closed without an answer and without an error (the connection went away under it).
    if (!stream.responseHead && !stream.destroyed)
      stream.reset(
        ResetCode.UPSTREAM_FAILED,
        `the apiserver closed the request (HTTP/2 code ${request.rstCode})`,
      );
  });

  const fail = (error: Error) => {
    if (stream.destroyed) return;
    if (!stream.responseHead) stream.reset(ResetCode.UPSTREAM_FAILED, error.message);
    else stream.destroy(error);
  };
  request.on('error', fail);
  // The stream closing first (client gone, reset, tunnel lost) cancels the request.
  stream.on('close', () => {
    if (!request.closed) request.close(constants.NGHTTP2_CANCEL);
  });
  if (withBody) stream.pipe(request);
  // A GET carries no body: whatever the stream brings (only its END) is read and dropped.
  else stream.resume();

  request.once('response', (responseHeaders: IncomingHttpHeaders, _flags: number, raw?: string[]) => {
    const status = Number(responseHeaders[constants.HTTP2_HEADER_STATUS]) || 502;
    if (status === 401) hooks.unauthorized();
    stream.respond({ status, headers: responsePairs(raw, responseHeaders) });
    relayBody(request, stream);
  });
}
