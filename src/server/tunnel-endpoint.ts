import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { AgentAuthentication, ClusterRegistry } from '../clusters/cluster-registry.ts';
import type { Logger } from '../shared/log/logger.ts';
import { CloseCode } from '../shared/tunnel/codes.ts';
import {
  HEARTBEAT_INTERVAL_MS,
  LIVENESS_TIMEOUT_MS,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSIONS,
} from '../shared/tunnel/limits.ts';
import { TunnelSession } from '../shared/tunnel/session.ts';

/** Tunnel timing; defaults are the protocol's constants. Tests shorten them. */
export interface TunnelTiming {
  readonly heartbeatIntervalMs: number;
  readonly livenessTimeoutMs: number;
  readonly responseHeadTimeoutMs?: number;
}

export const DEFAULT_TUNNEL_TIMING: TunnelTiming = {
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  livenessTimeoutMs: LIVENESS_TIMEOUT_MS,
};

const MAX_AUTHORIZATION_CHARS = 256;
const AGENT_VERSION_PATTERN = /^[\w.+-]{1,64}$/;

function bearerToken(req: IncomingMessage): string {
  const header = req.headers.authorization ?? '';
  if (header.length > MAX_AUTHORIZATION_CHARS || !header.startsWith('Bearer ')) return '';
  return header.slice('Bearer '.length).trim();
}

/**
 * The gateway's end of agent tunnels (docs/tunnel-protocol.md §2): negotiates the
 * version, checks the agent's credential (or exchanges its registration token for one), and
 * hands the authenticated tunnel to the cluster's connections.
 */
export class TunnelEndpoint {
  readonly #wss: WebSocketServer;
  readonly #registry: ClusterRegistry;
  readonly #connections: ClusterConnections;
  readonly #log: Logger;
  readonly #timing: TunnelTiming;

  constructor(
    registry: ClusterRegistry,
    connections: ClusterConnections,
    log: Logger,
    timing = DEFAULT_TUNNEL_TIMING,
  ) {
    this.#registry = registry;
    this.#connections = connections;
    this.#log = log;
    this.#timing = timing;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (offered: Set<string>) => PROTOCOL_VERSIONS.find((v) => offered.has(v)) ?? false,
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!PROTOCOL_VERSIONS.some((v) => offered.includes(v))) {
      // A WebSocket client fails a handshake without a subprotocol before it could read a
      // close frame, so this refusal is plain HTTP, with the versions we speak in it.
      const body = `unsupported tunnel protocol version; this gateway speaks ${PROTOCOL_VERSIONS.join(', ')}\n`;
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: text/plain\r\n` +
          `fleetgate-tunnel-versions: ${PROTOCOL_VERSIONS.join(', ')}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const token = bearerToken(req);
    const versionHeader = req.headers['fleetgate-agent-version'];
    const agentVersion =
      typeof versionHeader === 'string' && AGENT_VERSION_PATTERN.test(versionHeader) ? versionHeader : null;
    const remote = req.socket.remoteAddress;
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Capacity first: a registration token exchanged for a tunnel that is then refused
      // would be used up for nothing. Authentication runs once the upgrade was answered.
      const claimed = this.#registry.clusterNamedBy(token);
      if (claimed && this.#connections.atCapacity(claimed)) {
        ws.close(CloseCode.TOO_MANY_SESSIONS, 'this cluster already has the maximum number of tunnels');
        return;
      }
      void this.#admit(ws, socket, token, agentVersion, remote);
    });
  }

  /** Checks what the agent presented (the store may take a moment) and opens its tunnel. */
  async #admit(
    ws: WebSocket,
    socket: Duplex,
    token: string,
    agentVersion: string | null,
    remote: string | undefined,
  ): Promise<void> {
    {
      let auth: AgentAuthentication;
      try {
        auth = await this.#registry.authenticateAgent(token);
      } catch (error) {
        this.#log.error({ remote, err: error }, 'agent authentication failed in the store');
        ws.close(CloseCode.GOING_AWAY, 'the gateway could not check the credential; retry');
        return;
      }
      if (ws.readyState !== ws.OPEN) return;
      if (!auth.ok) {
        this.#log.warn({ remote, reason: auth.reason }, 'agent refused');
        ws.close(CloseCode.UNAUTHORIZED, auth.reason);
        return;
      }
      const { clusterId, credentialHash, issuedCredential } = auth;
      const sessionId = randomUUID();
      const session = new TunnelSession(ws, {
        role: 'gateway',
        label: clusterId,
        heartbeatIntervalMs: this.#timing.heartbeatIntervalMs,
        livenessTimeoutMs: this.#timing.livenessTimeoutMs,
        responseHeadTimeoutMs: this.#timing.responseHeadTimeoutMs,
        transport: socket,
      });
      session.sendHello({
        sessionId,
        clusterId,
        heartbeatIntervalMs: this.#timing.heartbeatIntervalMs,
        livenessTimeoutMs: this.#timing.livenessTimeoutMs,
        ...(issuedCredential ? { agentCredential: issuedCredential } : {}),
      });
      session.once('close', ({ code, reason, local, ownLoopStallMs }) => {
        this.#log.info(
          { clusterId, sessionId, code, reason, closedBy: local ? 'gateway' : 'agent', ownLoopStallMs },
          'tunnel closed',
        );
      });
      this.#connections.attach(clusterId, session, credentialHash, agentVersion);
      this.#log.info(
        { clusterId, sessionId, remote, agentVersion, credentialIssued: issuedCredential !== undefined },
        'tunnel established',
      );
    }
  }

  close(): void {
    this.#wss.close();
  }
}
