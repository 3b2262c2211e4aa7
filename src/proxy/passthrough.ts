import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import {
  type DownstreamIdentity,
  downstreamIdentity,
  impersonationHeaders,
  type Principal,
} from '../auth/principal.ts';
import { type ClusterClient, ClusterUnavailableError } from '../clusters/cluster-client.ts';
import { pairsFromRaw, withoutHopByHop } from '../shared/http/hop-by-hop.ts';
import type { Logger } from '../shared/log/logger.ts';
import { ResetCode, StreamResetError } from '../shared/tunnel/codes.ts';
import type { HeaderPairs, ResponseHead } from '../shared/tunnel/heads.ts';
import type { TunnelStream } from '../shared/tunnel/stream.ts';
import { corkUntilTurnEnds } from '../shared/tunnel/write-coalescer.ts';
import {
  authorizeImpersonation,
  requestedImpersonation,
  requestedImpersonationHeaders,
} from './client-impersonation.ts';
import { StatusError, sendStatus, sendStatusOnSocket } from './k8s-status.ts';
import type { PassthroughTarget } from './passthrough-path.ts';
import { requestInfo } from './request-info.ts';

export interface PassthroughOptions {
  readonly authenticator: Authenticator;
  readonly clusterClient: ClusterClient;
  readonly audit: AuditLog;
  readonly log: Logger;
}

/** Headers a client may not pass downstream, besides hop-by-hop ones. */
function isStrippedRequestHeader(lowerName: string): boolean {
  return (
    lowerName === 'authorization' ||
    lowerName === 'host' ||
    lowerName === 'cookie' ||
    lowerName.startsWith('impersonate-') ||
    lowerName.startsWith('x-remote-') ||
    lowerName.startsWith('x-forwarded-')
  );
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Response headers from an agent, minus hop-by-hop ones and anything that could split a response. */
function safeResponseHeaders(headers: HeaderPairs): [string, string][] {
  return withoutHopByHop(headers).filter(
    ([name, value]) => HEADER_NAME.test(name) && HEADER_VALUE.test(value),
  );
}

/** Who a request runs as downstream, and the headers that say so. */
interface Acting {
  readonly principal: Principal;
  readonly identity: DownstreamIdentity;
  readonly headers: [string, string][];
}

function failureStatus(error: unknown, clusterId: string): StatusError {
  if (error instanceof StatusError) return error;
  if (error instanceof ClusterUnavailableError) {
    return error.code === 'CLUSTER_NOT_FOUND'
      ? new StatusError(404, 'NotFound', `no cluster ${clusterId}`)
      : new StatusError(503, 'ServiceUnavailable', error.message);
  }
  if (error instanceof StreamResetError && error.resetCode === ResetCode.REFUSED) {
    return new StatusError(403, 'Forbidden', `the cluster's agent refused the request: ${error.message}`);
  }
  return new StatusError(
    503,
    'ServiceUnavailable',
    `cluster ${clusterId} did not answer: ${(error as Error).message}`,
  );
}

/**
 * `/k8s/clusters/<clusterId>/...`: authenticates the caller, removes every credential and
 * impersonation header the client sent, sets the caller's own impersonation (or the one
 * they asked for, if the cluster says they may), and relays request and response through
 * the cluster's tunnel as streams.
 */
export class Passthrough {
  readonly #options: PassthroughOptions;

  constructor(options: PassthroughOptions) {
    this.#options = options;
  }

  async #acting(
    target: PassthroughTarget,
    rawHeaders: HeaderPairs,
    authorization: string | undefined,
  ): Promise<Acting> {
    const auth = await this.#options.authenticator.authenticate(authorization);
    if (!auth.ok) throw new StatusError(401, 'Unauthorized', `Unauthorized: ${auth.reason}`);
    const identity = downstreamIdentity(auth.principal);
    const own = impersonationHeaders(identity);
    const requested = requestedImpersonation(rawHeaders);
    if (!requested) return { principal: auth.principal, identity, headers: own };
    await authorizeImpersonation(this.#options.clusterClient, target.clusterId, own, requested);
    return {
      principal: auth.principal,
      identity: {
        user: requested.user,
        groups: requested.groups,
        uid: requested.uid ?? '',
        extra: requested.extra,
      },
      headers: requestedImpersonationHeaders(requested),
    };
  }

  #forwardedHeaders(rawHeaders: HeaderPairs): [string, string][] {
    return withoutHopByHop(rawHeaders).filter(([name]) => !isStrippedRequestHeader(name.toLowerCase()));
  }

  #audit(
    req: IncomingMessage,
    target: PassthroughTarget,
    acting: Acting | undefined,
    status: number,
    startedAt: number,
    upgrade: boolean,
  ): void {
    const info = requestInfo(req.method ?? 'GET', target.path);
    this.#options.audit.request({
      principalId: acting?.principal.principalId ?? '',
      principal: acting?.principal.name ?? '',
      as: acting?.identity.user ?? '',
      asGroups: acting?.identity.groups ?? [],
      clusterId: target.clusterId,
      method: req.method ?? '',
      verb: info.verb,
      resource: info.resource && (info.subresource ? `${info.resource}/${info.subresource}` : info.resource),
      namespace: info.namespace,
      name: info.name,
      path: target.path.length > 2048 ? `${target.path.slice(0, 2048)}...` : target.path,
      status,
      durationMs: Math.round(performance.now() - startedAt),
      remote: req.socket.remoteAddress,
      upgrade: upgrade || undefined,
    });
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse, target: PassthroughTarget): Promise<void> {
    const startedAt = performance.now();
    const rawHeaders = pairsFromRaw(req.rawHeaders);
    let acting: Acting | undefined;
    let stream: TunnelStream | undefined;
    try {
      acting = await this.#acting(target, rawHeaders, req.headers.authorization);
      const hasBody =
        req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      const answer = await this.#options.clusterClient.request(target.clusterId, {
        method: req.method ?? 'GET',
        path: target.path,
        headers: [...this.#forwardedHeaders(rawHeaders), ...acting.headers],
        body: hasBody ? req : undefined,
      });
      stream = answer.stream;
      // The head and the part of the body that came with it leave in one write (one TLS
      // record, one wake-up of the client) at the end of this turn of the event loop.
      if (res.socket) corkUntilTurnEnds(res.socket);
      res.writeHead(answer.head.status, safeResponseHeaders(answer.head.headers).flat());
      // Watches and log follows send nothing for a while: let the client see the head now.
      res.flushHeaders();
    } catch (error) {
      const status = failureStatus(error, target.clusterId);
      if (!res.headersSent) sendStatus(res, status);
      else res.destroy();
      this.#audit(req, target, acting, status.code, startedAt, false);
      return;
    }
    const body = stream;
    const status = res.statusCode;
    // The client going away cancels the stream, which cancels the request downstream.
    res.once('close', () => {
      if (!body.readableEnded) body.destroy();
      this.#audit(req, target, acting, status, startedAt, false);
    });
    body.once('error', () => res.destroy());
    body.pipe(res);
  }

  async handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    target: PassthroughTarget,
  ): Promise<void> {
    const startedAt = performance.now();
    const rawHeaders = pairsFromRaw(req.rawHeaders);
    const protocol = req.headers.upgrade ?? '';
    let acting: Acting | undefined;
    let answer: { head: ResponseHead; stream: TunnelStream };
    try {
      acting = await this.#acting(target, rawHeaders, req.headers.authorization);
      answer = await this.#options.clusterClient.request(target.clusterId, {
        method: req.method ?? 'GET',
        path: target.path,
        headers: [
          ...this.#forwardedHeaders(rawHeaders),
          ['Connection', 'Upgrade'],
          ['Upgrade', protocol],
          ...acting.headers,
        ],
        upgrade: true,
      });
    } catch (error) {
      const status = failureStatus(error, target.clusterId);
      sendStatusOnSocket(socket, status);
      this.#audit(req, target, acting, status.code, startedAt, true);
      return;
    }
    const { head: responseHead, stream } = answer;
    const status = responseHead.status;
    socket.once('close', () => {
      stream.destroy();
      this.#audit(req, target, acting, status, startedAt, true);
    });
    stream.once('error', () => socket.destroy());
    if (status === 101) {
      const lines = responseHead.headers
        .filter(([name, value]) => HEADER_NAME.test(name) && HEADER_VALUE.test(value))
        .map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n${lines.join('')}\r\n`);
      if (head.length) stream.write(head);
      socket.pipe(stream);
      stream.pipe(socket);
      return;
    }
    // Not upgraded: relay the answer, then close the connection so that it can never be
    // reused as if it had been (CVE-2018-1002105, CVE-2020-8559).
    stream.end();
    const lines = safeResponseHeaders(responseHead.headers)
      .filter(([name]) => name.toLowerCase() !== 'content-length')
      .map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 ${status} ${statusText(status)}\r\n${lines.join('')}connection: close\r\n\r\n`);
    stream.pipe(socket);
  }
}

function statusText(status: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Response'
  );
}
