import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { OpenConnections } from '../auth/open-connections.ts';
import { downstreamIdentity, type Principal } from '../auth/principal.ts';
import { failureForPeople, GatewayError } from '../errors/gateway-error.ts';
import type { PersonIdentity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { WireResponse } from '../kube/transport.ts';
import { isHeaderName, isHeaderValue } from '../shared/http/header-syntax.ts';
import { pairsFromRaw, withoutHopByHop } from '../shared/http/hop-by-hop.ts';
import type { Logger } from '../shared/log/logger.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';
import { corkUntilTurnEnds } from '../shared/tunnel/write-coalescer.ts';
import { authorizeImpersonation, requestedImpersonation } from './client-impersonation.ts';
import { forwardedRequestHeaders } from './forwarded-headers.ts';
import { sendStatus, sendStatusOnSocket } from './k8s-status.ts';
import type { PassthroughTarget } from './passthrough-path.ts';
import { type RequestInfo, requestInfo } from './request-info.ts';
import { type BodyFraming, bodyFraming, framedHeaders, pipeExactly } from './response-length.ts';
import type { StreamQuota } from './stream-quota.ts';
import { authorizeUpgradeCreate, upgradeCreateReview } from './upgrade-create-check.ts';

export interface PassthroughOptions {
  readonly authenticator: Authenticator;
  readonly kube: KubeClient;
  /** Each person's open requests per cluster, capped. */
  readonly quota: StreamQuota;
  /** Long-lived requests by credential, ended when it is revoked or expires. */
  readonly openConnections: OpenConnections;
  /** Open streams a stopping gateway waits for, and ends cleanly at its deadline. */
  readonly drain?: { track(endCleanly: () => void): () => void };
  readonly audit: AuditLog;
  readonly log: Logger;
}

/** A response header from an agent that is valid HTTP, so cannot split a response or make Node throw. */
function isValidHeader([name, value]: readonly [string, string]): boolean {
  return isHeaderName(name) && isHeaderValue(value);
}

/** Response headers from an agent, minus hop-by-hop ones and anything that is not valid HTTP. */
function safeResponseHeaders(headers: HeaderPairs): [string, string][] {
  return withoutHopByHop(headers).filter(isValidHeader);
}

const NOTHING_TO_RELEASE = () => {};
/** The status the audit log gives a request whose client left before its answer came (nginx's 499). */
const CLIENT_CLOSED_REQUEST = 499;

/** A request whose answer streams until someone stops it: a watch, or a log follow. */
function isLongLived(info: RequestInfo, path: string): boolean {
  if (info.verb === 'watch') return true;
  if (info.subresource !== 'log') return false;
  const follow = new URLSearchParams(path.split('?')[1] ?? '').get('follow');
  return follow !== null && follow !== 'false' && follow !== '0';
}

/** Who a request runs as downstream. */
interface Acting {
  readonly principal: Principal;
  readonly identity: PersonIdentity;
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
    if (!auth.ok) throw new GatewayError('UNAUTHENTICATED', `Unauthorized: ${auth.reason}`);
    const identity = downstreamIdentity(auth.principal);
    const requested = requestedImpersonation(rawHeaders);
    if (!requested) return { principal: auth.principal, identity };
    await authorizeImpersonation(this.#options.kube, target.clusterId, identity, requested);
    return { principal: auth.principal, identity: requested };
  }

  #failure(error: unknown): GatewayError {
    return failureForPeople(error, (unexpected) =>
      this.#options.log.error({ err: (unexpected as Error)?.stack }, 'passthrough failed'),
    );
  }

  #audit(
    req: IncomingMessage,
    target: PassthroughTarget,
    info: RequestInfo,
    acting: Acting | undefined,
    status: number,
    startedAt: number,
    upgrade: boolean,
  ): void {
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
    const info = requestInfo(req.method ?? 'GET', target.path);
    const longLived = isLongLived(info, target.path);
    let acting: Acting | undefined;
    let release = NOTHING_TO_RELEASE;
    let forget = NOTHING_TO_RELEASE;
    let answer: WireResponse;
    let framing: BodyFraming = { kind: 'chunked' };
    // A client may leave while its request waits (for a slot, for the answer's head).
    let clientGone = false;
    const onGone = () => {
      clientGone = true;
    };
    res.once('close', onGone);
    try {
      // Refused before anything is sent, the impersonation checks included.
      const forwarded = forwardedRequestHeaders(rawHeaders);
      acting = await this.#acting(target, rawHeaders, req.headers.authorization);
      release = this.#options.quota.acquire(acting.principal.principalId, target.clusterId);
      // Every request, not only watches: a body still arriving, or a long answer, ends when
      // its credential is revoked or expires (a write must not complete after a revocation).
      forget = this.#options.openConnections.track(
        req.headers.authorization ?? '',
        () => res.destroy(),
        acting.principal,
      );
      const hasBody =
        req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      answer = await this.#options.kube.send(
        { clusterId: target.clusterId, as: acting.identity },
        {
          method: req.method ?? 'GET',
          path: target.path,
          headers: forwarded,
          body: hasBody ? req : undefined,
          longLived,
        },
      );
      if (answer.status < 200) {
        // No final answer (a hostile agent's 101): relayed, it would put the connection out of step.
        answer.body.destroy();
        throw new GatewayError('CLUSTER_ERROR', `the cluster answered ${answer.status} to a plain request`, {
          clusterId: target.clusterId,
        });
      }
      if (clientGone) {
        // Nobody reads it: free the stream, the slot and the downstream request now.
        answer.body.destroy();
        release();
        forget();
        this.#audit(req, target, info, acting, CLIENT_CLOSED_REQUEST, startedAt, false);
        return;
      }
      res.off('close', onGone);
      // The head and the part of the body that came with it leave in one write (one TLS
      // record, one wake-up of the client) at the end of this turn of the event loop.
      if (res.socket) corkUntilTurnEnds(res.socket);
      // An answer before the whole request body (an early refusal): the rest of the body is
      // no longer read, so the connection cannot carry another request. Kept alive, it hung
      // the client's next request; it is closed after this answer, and the client told so.
      if (!req.complete) res.shouldKeepAlive = false;
      framing = bodyFraming(req.method ?? 'GET', answer.status, answer.headers);
      res.writeHead(answer.status, framedHeaders(framing, safeResponseHeaders(answer.headers)).flat());
      // Watches and log follows send nothing for a while: let the client see the head now.
      res.flushHeaders();
    } catch (error) {
      res.off('close', onGone);
      release();
      forget();
      const failure = this.#failure(error);
      if (!res.headersSent) sendStatus(res, failure);
      else res.destroy();
      this.#audit(req, target, info, acting, failure.httpStatus, startedAt, false);
      return;
    }
    const body = answer.body;
    const status = res.statusCode;
    // A draining gateway ends a watch at its deadline as the apiserver would: the chunked
    // answer completes (the client sees the watch end, not a reset) and re-lists elsewhere.
    const undrain =
      longLived && this.#options.drain
        ? this.#options.drain.track(() => {
            body.unpipe(res);
            body.destroy();
            res.end();
          })
        : NOTHING_TO_RELEASE;
    // The client going away cancels the stream, which cancels the request downstream.
    res.once('close', () => {
      release();
      forget();
      undrain();
      if (!body.readableEnded) body.destroy();
      this.#audit(req, target, info, acting, status, startedAt, false);
    });
    body.once('error', () => res.destroy());
    // The agent's Content-Length is held to: no byte past it reaches the client's connection.
    if (framing.kind === 'length') pipeExactly(body, res, framing.bytes);
    else body.pipe(res);
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
    const info = requestInfo(req.method ?? 'GET', target.path);
    let acting: Acting | undefined;
    let release = NOTHING_TO_RELEASE;
    let answer: WireResponse;
    let clientGone = false;
    const onGone = () => {
      clientGone = true;
    };
    socket.once('close', onGone);
    try {
      const forwarded = forwardedRequestHeaders(rawHeaders);
      acting = await this.#acting(target, rawHeaders, req.headers.authorization);
      release = this.#options.quota.acquire(acting.principal.principalId, target.clusterId);
      // A WebSocket exec is a GET, which clusters before 1.35 authorize as `get` only: the
      // gateway asks for `create` itself, on every cluster, before anything is forwarded.
      const review = upgradeCreateReview(req.method ?? 'GET', target.path);
      if (review)
        await authorizeUpgradeCreate(this.#options.kube, target.clusterId, acting.identity, review, (error) =>
          this.#options.log.warn(
            { clusterId: target.clusterId, err: (error as Error)?.message },
            'upgrade access review failed',
          ),
        );
      answer = await this.#options.kube.send(
        { clusterId: target.clusterId, as: acting.identity },
        {
          method: req.method ?? 'GET',
          path: target.path,
          headers: [...forwarded, ['Connection', 'Upgrade'], ['Upgrade', protocol]],
          upgrade: true,
        },
      );
      if (clientGone) {
        // The client left while waiting: no exec or attach may go on without it.
        answer.body.destroy();
        release();
        this.#audit(req, target, info, acting, CLIENT_CLOSED_REQUEST, startedAt, true);
        return;
      }
      socket.off('close', onGone);
    } catch (error) {
      socket.off('close', onGone);
      release();
      const failure = this.#failure(error);
      sendStatusOnSocket(socket, failure);
      this.#audit(req, target, info, acting, failure.httpStatus, startedAt, true);
      return;
    }
    const { status, headers: responseHeaders, body: stream } = answer;
    // exec, attach and port-forward end when their credential is revoked or expires.
    const forget = this.#options.openConnections.track(
      req.headers.authorization ?? '',
      () => socket.destroy(),
      acting.principal,
    );
    const undrain = this.#options.drain
      ? this.#options.drain.track(() => {
          stream.unpipe(socket);
          stream.destroy();
          socket.end();
        })
      : NOTHING_TO_RELEASE;
    socket.once('close', () => {
      release();
      forget();
      undrain();
      stream.destroy();
      this.#audit(req, target, info, acting, status, startedAt, true);
    });
    stream.once('error', () => socket.destroy());
    if (status === 101) {
      const lines = responseHeaders.filter(isValidHeader).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 101 Switching Protocols\r\n${lines.join('')}\r\n`);
      if (head.length) stream.write(head);
      socket.pipe(stream);
      stream.pipe(socket);
      return;
    }
    // Not upgraded: relay the answer, then close the connection so that it can never be
    // reused as if it had been (CVE-2018-1002105, CVE-2020-8559).
    stream.end();
    const lines = safeResponseHeaders(responseHeaders)
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
