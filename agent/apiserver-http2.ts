import { type ClientHttp2Session, connect, constants } from 'node:http2';
import type { ApiserverTls } from './apiserver-credentials.ts';

/**
 * Streams the agent keeps open on its HTTP/2 connection at most; further requests go over
 * HTTP/1.1 (well under the apiserver's own limit, 100–1000 by configuration).
 */
export const MAX_HTTP2_STREAMS = 100;

/**
 * Receive windows of the HTTP/2 connection. Node's default (64 KiB per stream and for the
 * whole connection) would make a bulk answer wait for a WINDOW_UPDATE every 64 KiB, and one
 * slow stream would stall all others; each stream's back-pressure comes from the tunnel.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
/**
 * Largest DATA frame the apiserver may send (HTTP/2's default is 16 KiB): a bulk answer then
 * arrives in as few pieces as the tunnel's own frames (64 KiB) instead of four times as many.
 */
const MAX_FRAME_BYTES = 64 * 1024;

/** After the apiserver refused HTTP/2 (or the connection failed), HTTP/1.1 only for this long. */
const RETRY_HTTP2_AFTER_MS = 60_000;

/**
 * One HTTP/2 connection to the apiserver, for the streams' short requests: every request is
 * a stream on it, so the requests of one turn of the event loop leave in one TLS write, and
 * the answers arrive on one socket, instead of one TLS write and one socket per request
 * (the largest item of the agent's CPU per small request over HTTP/1.1). node:http2 keeps
 * repeated headers as separate fields (two Impersonate-Group headers stay two groups;
 * undici's HTTP/2 client joins them into one).
 *
 * `session()` answers a connection only once it is established with ALPN `h2` and has room
 * for another stream; otherwise the caller uses HTTP/1.1, so nothing waits on this one.
 */
export class ApiserverHttp2 {
  readonly #origin: URL;
  readonly #tls: ApiserverTls;
  #session: ClientHttp2Session | undefined;
  #ready = false;
  #active = 0;
  #limit = MAX_HTTP2_STREAMS;
  #retryAt = 0;
  #closed = false;

  constructor(origin: URL, tls: ApiserverTls) {
    this.#origin = origin;
    this.#tls = tls;
  }

  /** Streams open now (a leak check looks at this). */
  get activeStreams(): number {
    return this.#active;
  }

  /** The connection, if it is up and has room for a stream; connects in the background if not. */
  session(): ClientHttp2Session | undefined {
    if (this.#closed) return undefined;
    const session = this.#session;
    if (!session || session.closed || session.destroyed) {
      if (performance.now() >= this.#retryAt) this.#connect();
      return undefined;
    }
    if (!this.#ready || this.#active >= this.#limit) return undefined;
    return session;
  }

  /** Counts a stream opened on the session; `done` must be called once when it closes. */
  opened(): () => void {
    this.#active++;
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.#active--;
    };
  }

  #connect(): void {
    this.#ready = false;
    const session = connect(this.#origin, {
      ca: this.#tls.ca,
      cert: this.#tls.cert,
      key: this.#tls.key,
      rejectUnauthorized: true,
      ...(this.#tls.servername ? { servername: this.#tls.servername } : {}),
      settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxFrameSize: MAX_FRAME_BYTES, enablePush: false },
    });
    this.#session = session;
    session.once('connect', () => {
      if (session.alpnProtocol !== 'h2') {
        this.#giveUp(session);
        return;
      }
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      const peerLimit = session.remoteSettings.maxConcurrentStreams ?? MAX_HTTP2_STREAMS;
      this.#limit = Math.min(MAX_HTTP2_STREAMS, Math.max(1, peerLimit - 1));
      this.#ready = true;
    });
    session.on('remoteSettings', (settings) => {
      const peerLimit = settings.maxConcurrentStreams ?? MAX_HTTP2_STREAMS;
      this.#limit = Math.min(MAX_HTTP2_STREAMS, Math.max(1, peerLimit - 1));
    });
    // A connection the apiserver is retiring takes no new streams; the next one is opened.
    session.on('goaway', () => this.#forget(session));
    session.on('error', () => this.#giveUp(session));
    session.on('close', () => this.#forget(session));
    // An idle connection must not keep the agent's process alive on its own.
    session.unref();
  }

  #forget(session: ClientHttp2Session): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    this.#ready = false;
  }

  #giveUp(session: ClientHttp2Session): void {
    this.#forget(session);
    this.#retryAt = performance.now() + RETRY_HTTP2_AFTER_MS;
    session.destroy();
  }

  /** Lets the streams under way finish; no new ones. */
  retire(): void {
    this.#closed = true;
    this.#session?.close();
  }

  close(): void {
    this.#closed = true;
    this.#session?.destroy(undefined, constants.NGHTTP2_CANCEL);
  }
}
