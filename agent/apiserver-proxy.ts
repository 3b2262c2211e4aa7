import type { ClientRequest, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { isHeaderValue } from '../src/shared/http/header-syntax.ts';
import {
  headersObject,
  isUpgradeRequest,
  pairsFromRaw,
  withoutHopByHop,
} from '../src/shared/http/hop-by-hop.ts';
import { forbiddenImpersonation } from '../src/shared/impersonation-policy.ts';
import type { Logger } from '../src/shared/log/logger.ts';
import { ResetCode } from '../src/shared/tunnel/codes.ts';
import type { TunnelStream } from '../src/shared/tunnel/stream.ts';
import { ApiserverConnections } from './apiserver-connections.ts';
import type { ApiserverCredentials } from './apiserver-credentials.ts';
import { dispatchToApiserver } from './apiserver-dispatch.ts';
import type { ApiserverTarget } from './apiserver-target.ts';

export { IDLE_APISERVER_CONNECTIONS } from './apiserver-connections.ts';

/** Bounds of the agent's own requests (a Secret is at most 1 MiB). */
const OWN_REQUEST_TIMEOUT_MS = 10_000;
const OWN_ANSWER_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Performs the requests that arrive as tunnel streams against the agent's own apiserver
 * and nothing else, adding the agent's credentials, which never leave it.
 */
export class ApiserverProxy {
  readonly #target: ApiserverTarget;
  readonly #log: Logger;
  #connections: ApiserverConnections | undefined;

  constructor(target: ApiserverTarget, log: Logger) {
    this.#target = target;
    this.#log = log;
  }

  /** Why this request may not go to the apiserver, or the URL it goes to. */
  resolve(path: string): URL | string {
    let url: URL;
    try {
      url = new URL(path, this.#target.url);
    } catch {
      return 'path does not parse as a URL path';
    }
    if (url.origin !== this.#target.url.origin)
      return `refusing to dial ${url.origin}: only the apiserver ${this.#target.url.origin} is allowed`;
    return url;
  }

  serve(stream: TunnelStream): void {
    const head = stream.requestHead;
    const url = this.resolve(head.path);
    if (typeof url === 'string') {
      this.#log.warn(
        { streamId: stream.streamId, path: head.path.slice(0, 200), reason: url },
        'refused stream',
      );
      stream.reset(ResetCode.REFUSED, url);
      return;
    }
    const impersonationProblem = forbiddenImpersonation(head.headers);
    if (impersonationProblem) {
      this.#log.warn({ streamId: stream.streamId, reason: impersonationProblem }, 'refused stream');
      stream.reset(ResetCode.REFUSED, impersonationProblem);
      return;
    }

    const credentials = this.#target.credentials.current();
    if (!(credentials instanceof Promise)) {
      this.#forwardOrReset(stream, url, credentials);
      return;
    }
    // Only when an exec plugin's credential has expired without a replacement yet.
    credentials.then(
      (fresh) => {
        if (!stream.destroyed) this.#forwardOrReset(stream, url, fresh);
      },
      (error: Error) => {
        this.#log.error(
          { streamId: stream.streamId, err: error.message },
          'no credentials for the apiserver',
        );
        if (!stream.destroyed) stream.reset(ResetCode.UPSTREAM_FAILED, error.message);
      },
    );
  }

  /** The connections for the current TLS material; old ones are retired when it changes. */
  #connectionsFor(credentials: ApiserverCredentials): ApiserverConnections {
    const current = this.#connections;
    if (current?.tls === credentials.tls) return current;
    current?.retire();
    this.#connections = new ApiserverConnections(credentials.tls, this.#target.proxyUrl, this.#target.url);
    return this.#connections;
  }

  /**
   * Forwards the stream's request. node:https throws while building a request it cannot
   * send (a header it refuses, e.g. from a broken credential): that fails this stream
   * alone, with INTERNAL, never the tunnel (docs/tunnel-protocol.md §4).
   */
  #forwardOrReset(stream: TunnelStream, url: URL, credentials: ApiserverCredentials): void {
    try {
      this.#forward(stream, url, credentials);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      this.#log.error({ streamId: stream.streamId, err: message }, 'cannot perform the request');
      stream.reset(ResetCode.INTERNAL, `agent cannot perform the request: ${message}`);
    }
  }

  #forward(stream: TunnelStream, url: URL, credentials: ApiserverCredentials): void {
    const head = stream.requestHead;
    const upgrade = isUpgradeRequest(head.headers);
    const headers = withoutHopByHop(head.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      return lower !== 'authorization' && lower !== 'host';
    });
    if (upgrade) {
      const protocol = head.headers.find(([name]) => name.toLowerCase() === 'upgrade')?.[1] ?? '';
      headers.push(['Connection', 'Upgrade'], ['Upgrade', protocol]);
    }
    if (credentials.authorization) {
      // A broken token file or plugin output: fail this stream alone, saying why.
      if (!isHeaderValue(credentials.authorization))
        throw new Error("the agent's own authorization header holds characters HTTP forbids");
      headers.push(['Authorization', credentials.authorization]);
    }

    const connections = this.#connectionsFor(credentials);
    if (!upgrade && connections.requests) {
      const unauthorized = () => this.#target.credentials.rejected(credentials);
      dispatchToApiserver(connections.requests, stream, url, headers, { unauthorized });
      return;
    }
    const req = request(url, {
      method: head.method,
      agent: upgrade ? connections.upgrades : connections.pooled,
      headers: headersObject(headers),
    });
    this.#wire(stream, req, upgrade, credentials);
  }

  #wire(stream: TunnelStream, req: ClientRequest, upgrade: boolean, credentials: ApiserverCredentials): void {
    const fail = (error: Error) => {
      if (stream.destroyed) return;
      if (!stream.responseHead) stream.reset(ResetCode.UPSTREAM_FAILED, error.message);
      else stream.destroy(error);
    };
    req.on('error', fail);
    stream.on('error', () => req.destroy());
    stream.on('close', () => {
      if (!req.writableFinished || !stream.readableEnded) req.destroy();
    });

    req.on('response', (res: IncomingMessage) => {
      // The apiserver refuses the agent's own credentials (impersonation is refused with 403).
      if (res.statusCode === 401) this.#target.credentials.rejected(credentials);
      stream.respond({
        status: res.statusCode ?? 502,
        headers: withoutHopByHop(pairsFromRaw(res.rawHeaders)),
      });
      res.on('error', fail);
      res.pipe(stream);
    });
    req.on('upgrade', (res: IncomingMessage, socket: Socket, firstBytes: Buffer) => {
      // The upgraded connection's headers (Connection/Upgrade) are part of the 101.
      stream.respond({ status: 101, headers: pairsFromRaw(res.rawHeaders) });
      if (firstBytes.length) stream.write(firstBytes);
      socket.on('error', (error) => stream.destroy(error));
      stream.on('close', () => socket.destroy());
      socket.pipe(stream);
      stream.pipe(socket);
    });

    if (upgrade) req.end();
    else stream.pipe(req);
  }

  /**
   * A request of the agent's own (not a person's) to its apiserver, with a JSON body: how it
   * keeps its agent credential in a Secret. Answers the status and the body as text (at most
   * `OWN_ANSWER_MAX_BYTES`).
   */
  async ownRequest(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const url = this.resolve(path);
    if (typeof url === 'string') throw new Error(url);
    const credentials = await this.#target.credentials.current();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credentials.authorization) headers.authorization = credentials.authorization;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.#connectionsFor(credentials).pooled,
        headers,
        timeout: OWN_REQUEST_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${OWN_REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode === 401) this.#target.credentials.rejected(credentials);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > OWN_ANSWER_MAX_BYTES)
            req.destroy(new Error(`answer larger than ${OWN_ANSWER_MAX_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      req.end(payload);
    });
  }

  /** Closes the connections to the apiserver and stops refreshing the credentials. */
  close(): void {
    this.#connections?.close();
    this.#target.credentials.close();
  }
}
