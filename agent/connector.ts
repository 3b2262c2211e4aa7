import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { backoffDelay } from '../src/shared/backoff.ts';
import type { Logger } from '../src/shared/log/logger.ts';
import { CloseCode } from '../src/shared/tunnel/codes.ts';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSIONS,
  RECONNECT_BASE_MS,
  RECONNECT_MAX_MS,
  TUNNEL_PATH,
} from '../src/shared/tunnel/limits.ts';
import { TunnelSession } from '../src/shared/tunnel/session.ts';
import type { ApiserverProxy } from './apiserver-proxy.ts';

export interface ConnectorOptions {
  readonly gatewayUrl: URL;
  readonly registrationToken: () => string;
  readonly gatewayCaPem?: string;
  readonly agentVersion: string;
  readonly proxy: ApiserverProxy;
  readonly log: Logger;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
}

interface ConnectorEvents {
  connected: [info: { sessionId: string; clusterId: string }];
  disconnected: [info: { code: number; reason: string }];
}

/** The tunnel endpoint's ws(s) URL for a gateway base URL. */
export function tunnelUrl(gatewayUrl: URL): URL {
  const url = new URL(TUNNEL_PATH, gatewayUrl);
  url.protocol = gatewayUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** Keeps one tunnel to the gateway open, reconnecting with backoff whenever it drops. */
export class AgentConnector extends EventEmitter<ConnectorEvents> {
  readonly #options: ConnectorOptions;
  #attempt = 0;
  #session: TunnelSession | undefined;
  #socket: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: ConnectorOptions) {
    super();
    this.#options = options;
  }

  /** The tunnel now open, if any (tests look inside it). */
  get session(): TunnelSession | undefined {
    return this.#session;
  }

  start(): void {
    this.#connect();
  }

  /** Closes the tunnel with 1001 and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.#session) this.#session.close(CloseCode.GOING_AWAY, 'agent stopping');
    else this.#socket?.terminate();
  }

  #connect(): void {
    const { log } = this.#options;
    const url = tunnelUrl(this.#options.gatewayUrl);
    let token: string;
    try {
      token = this.#options.registrationToken();
    } catch (error) {
      log.error({ err: (error as Error).message }, 'cannot read the registration token');
      this.#scheduleRetry();
      return;
    }
    const socket = new WebSocket(url, [...PROTOCOL_VERSIONS], {
      headers: { authorization: `Bearer ${token}`, 'fleetgate-agent-version': this.#options.agentVersion },
      ca: this.#options.gatewayCaPem,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 10_000,
      perMessageDeflate: false,
    });
    this.#socket = socket;
    let settled = false;
    const retryOnce = () => {
      if (settled) return;
      settled = true;
      this.#session = undefined;
      this.#socket = undefined;
      this.#scheduleRetry();
    };
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 1024) body += chunk;
      });
      res.on('end', () => {
        log.warn(
          { url: url.href, status: res.statusCode, body: body.trim().slice(0, 1024) },
          'gateway refused the tunnel upgrade',
        );
        socket.terminate();
      });
    });
    socket.on('error', (error) => {
      if (!this.#session) log.warn({ url: url.href, err: error.message }, 'cannot reach the gateway');
    });
    socket.on('close', () => {
      if (!this.#session) retryOnce();
    });
    // The connection under the WebSocket, so that the session can batch its writes.
    let transport: Socket | undefined;
    socket.once('upgrade', (res: IncomingMessage) => {
      transport = res.socket;
    });
    socket.on('open', () => {
      const session = new TunnelSession(socket, { role: 'agent', label: 'agent', transport });
      this.#session = session;
      session.on('hello', (hello) => {
        this.#attempt = 0;
        session.adoptTiming(hello);
        log.info({ clusterId: hello.clusterId, sessionId: hello.sessionId }, 'tunnel established');
        this.emit('connected', { sessionId: hello.sessionId, clusterId: hello.clusterId });
      });
      session.on('stream', (stream) => this.#options.proxy.serve(stream));
      session.on('close', ({ code, reason }) => {
        const level = code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY ? 'info' : 'warn';
        log[level]({ code, reason }, 'tunnel closed');
        this.emit('disconnected', { code, reason });
        retryOnce();
      });
    });
  }

  #scheduleRetry(): void {
    if (this.#stopped) return;
    const delay = backoffDelay(
      this.#attempt++,
      this.#options.reconnectBaseMs ?? RECONNECT_BASE_MS,
      this.#options.reconnectMaxMs ?? RECONNECT_MAX_MS,
    );
    this.#options.log.info({ delayMs: delay, attempt: this.#attempt }, 'reconnecting');
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }
}
