import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
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
import type { ApiserverTarget } from './apiserver-target.ts';

/**
 * Idle keep-alive connections to the apiserver kept for reuse. Kept above the usual number of
 * concurrent requests, so that bursts reuse connections instead of paying a TLS handshake
 * each (with 8, 32 concurrent small GETs ran at 0.26x direct throughput; with 64, 0.45x).
 */
export const IDLE_APISERVER_CONNECTIONS = 64;

/**
 * Performs the requests that arrive as tunnel streams against the agent's own apiserver
 * and nothing else, adding the agent's credentials, which never leave it.
 */
export class ApiserverProxy {
  readonly #target: ApiserverTarget;
  readonly #agent: Agent;
  readonly #log: Logger;

  constructor(target: ApiserverTarget, log: Logger) {
    this.#target = target;
    this.#log = log;
    this.#agent = new Agent({
      keepAlive: true,
      // Idle connections kept for reuse; concurrent requests are not capped, since
      // watches hold their connection for as long as they run.
      maxFreeSockets: IDLE_APISERVER_CONNECTIONS,
      ca: target.caPem,
      cert: target.clientCertPem,
      key: target.clientKeyPem,
    });
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

    const upgrade = isUpgradeRequest(head.headers);
    const headers = withoutHopByHop(head.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      return lower !== 'authorization' && lower !== 'host';
    });
    if (upgrade) {
      const protocol = head.headers.find(([name]) => name.toLowerCase() === 'upgrade')?.[1] ?? '';
      headers.push(['Connection', 'Upgrade'], ['Upgrade', protocol]);
    }
    const token = this.#target.bearerToken();
    if (token) headers.push(['Authorization', `Bearer ${token}`]);

    const req = request(url, {
      method: head.method,
      agent: upgrade ? false : this.#agent,
      ca: this.#target.caPem,
      cert: this.#target.clientCertPem,
      key: this.#target.clientKeyPem,
      headers: headersObject(headers),
    });
    this.#wire(stream, req, upgrade);
  }

  #wire(stream: TunnelStream, req: ClientRequest, upgrade: boolean): void {
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

  close(): void {
    this.#agent.destroy();
  }
}
