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

/**
 * Where the agent keeps the agent credential the gateway hands it (docs/tunnel-protocol.md
 * §2), shared by the agent's replicas and kept across restarts.
 */
export interface AgentCredentialStore {
  /** Names the store in logs. */
  readonly description: string;
  read(): Promise<string | undefined>;
  write(credential: string): Promise<void>;
}

export interface ConnectorOptions {
  readonly gatewayUrl: URL;
  /** The registration token: presented only while the agent has no credential. */
  readonly registrationToken: () => string;
  /** Without one, the credential is kept in memory only (lost when the process ends). */
  readonly credentials?: AgentCredentialStore;
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
  /** The gateway handed over a credential (in HELLO or a CREDENTIAL frame); `stored` once written. */
  credential: [info: { stored: boolean }];
}

/** The tunnel endpoint's ws(s) URL for a gateway base URL. */
export function tunnelUrl(gatewayUrl: URL): URL {
  const url = new URL(TUNNEL_PATH, gatewayUrl);
  url.protocol = gatewayUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

/** The cluster id a registration token or agent credential starts with (docs/tunnel-protocol.md §2). */
function clusterNamedBy(secret: string): string {
  return secret.slice(0, Math.max(0, secret.indexOf('.')));
}

/** Keeps one tunnel to the gateway open, reconnecting with backoff whenever it drops. */
export class AgentConnector extends EventEmitter<ConnectorEvents> {
  readonly #options: ConnectorOptions;
  #attempt = 0;
  #session: TunnelSession | undefined;
  #socket: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The newest credential the gateway handed this process. */
  #credential: string | undefined;
  /** The credential last refused with 4401: not presented again. */
  #refused: string | undefined;

  constructor(options: ConnectorOptions) {
    super();
    this.#options = options;
  }

  /** The tunnel now open, if any (tests look inside it). */
  get session(): TunnelSession | undefined {
    return this.#session;
  }

  start(): void {
    void this.#connect();
  }

  /** Closes the tunnel with 1001 and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.#session) this.#session.close(CloseCode.GOING_AWAY, 'agent stopping');
    else this.#socket?.terminate();
  }

  /**
   * The stored credential, else the one in memory, unless refused or of another cluster than
   * the registration token's; undefined when there is none.
   */
  async #chooseCredential(): Promise<string | undefined> {
    const store = this.#options.credentials;
    let stored: string | undefined;
    try {
      stored = await store?.read();
    } catch (error) {
      this.#options.log.warn(
        { store: store?.description, err: (error as Error).message },
        'cannot read the agent credential',
      );
    }
    let cluster: string | undefined;
    try {
      cluster = clusterNamedBy(this.#options.registrationToken());
    } catch {
      // No token to compare with: any credential will do.
    }
    return [stored, this.#credential].find(
      (c) =>
        c !== undefined && c !== this.#refused && (cluster === undefined || clusterNamedBy(c) === cluster),
    );
  }

  /** Keeps a credential the gateway handed over, in memory and in the store. */
  #adopt(credential: string): void {
    const { log, credentials: store } = this.#options;
    this.#credential = credential;
    if (this.#refused === credential) this.#refused = undefined;
    if (!store) {
      this.emit('credential', { stored: false });
      return;
    }
    store.write(credential).then(
      () => {
        log.info({ store: store.description }, 'agent credential stored');
        this.emit('credential', { stored: true });
      },
      (error: Error) => {
        // Kept in memory: this process reconnects with it; a restart would fall back to the
        // registration token, which is used up.
        log.error({ store: store.description, err: error.message }, 'cannot store the agent credential');
        this.emit('credential', { stored: false });
      },
    );
  }

  async #connect(): Promise<void> {
    const { log } = this.#options;
    const url = tunnelUrl(this.#options.gatewayUrl);
    const credential = await this.#chooseCredential();
    if (this.#stopped) return;
    let token: string;
    try {
      token = credential ?? this.#options.registrationToken();
    } catch (error) {
      log.error({ err: (error as Error).message }, 'cannot read the registration token');
      this.#scheduleRetry();
      return;
    }
    // The credential that holds this tunnel: refused (4401) means not to present it again.
    let held = credential;
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
      const session = new TunnelSession(socket, {
        role: 'agent',
        label: 'agent',
        transport,
        maskInPlace: true,
      });
      this.#session = session;
      session.on('hello', (hello) => {
        this.#attempt = 0;
        session.adoptTiming(hello);
        log.info(
          {
            clusterId: hello.clusterId,
            sessionId: hello.sessionId,
            with: held ? 'credential' : 'registration token',
          },
          'tunnel established',
        );
        if (hello.agentCredential) {
          held = hello.agentCredential;
          this.#adopt(hello.agentCredential);
        }
        this.emit('connected', { sessionId: hello.sessionId, clusterId: hello.clusterId });
      });
      session.on('credential', (agentCredential) => {
        log.info('agent credential rotated by the gateway');
        held = agentCredential;
        this.#adopt(agentCredential);
      });
      session.on('stream', (stream) => this.#options.proxy.serve(stream));
      session.on('close', ({ code, reason, ownLoopStallMs }) => {
        const level = code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY ? 'info' : 'warn';
        log[level]({ code, reason, ownLoopStallMs }, 'tunnel closed');
        if (code === CloseCode.UNAUTHORIZED && held) this.#refused = held;
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
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }
}
