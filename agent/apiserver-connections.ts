import { Agent, type AgentOptions } from 'node:https';
import { HttpsProxyAgent } from 'hpagent';
import { Pool } from 'undici';
import type { ApiserverTls } from './apiserver-credentials.ts';

/**
 * Idle keep-alive connections to the apiserver kept for reuse by node:https (upgrades, the
 * agent's own requests, requests through a proxy). Kept above the usual number of
 * concurrent requests, so that bursts reuse connections instead of paying a TLS handshake
 * each (with 8, 32 concurrent small GETs ran at 0.26x direct throughput; with 64, 0.45x).
 */
export const IDLE_APISERVER_CONNECTIONS = 64;

/**
 * How long an idle connection of the request pool is kept. undici keeps every connection a
 * burst opened for this long (it has no cap on idle ones, and a cap on all would queue
 * requests behind watches), so idle connections are bounded in time instead of in number.
 */
export const IDLE_CONNECTION_TIMEOUT_MS = 30_000;

function newPool(origin: URL, tls: ApiserverTls): Pool {
  return new Pool(origin.origin, {
    // No cap: watches and log follows hold their connection for as long as they run.
    connections: null,
    pipelining: 1,
    // HTTP/1.1 only. undici would otherwise offer h2 and Go's apiserver picks it, and undici's
    // HTTP/2 client joins repeated headers into one: two Impersonate-Group headers became one
    // group named "developers, team-a" (a test of RBAC by group caught it).
    allowH2: false,
    keepAliveTimeout: IDLE_CONNECTION_TIMEOUT_MS,
    keepAliveMaxTimeout: IDLE_CONNECTION_TIMEOUT_MS,
    connect: {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: true,
      // Sent as SNI and checked against the apiserver's certificate, as with node:https.
      ...(tls.servername ? { servername: tls.servername } : {}),
    },
  });
}

function newAgent(tls: ApiserverTls, proxyUrl: URL | undefined, keepAlive: boolean): Agent {
  const options: AgentOptions = {
    keepAlive,
    // Idle connections kept for reuse; concurrent requests are not capped, since
    // watches hold their connection for as long as they run.
    maxFreeSockets: IDLE_APISERVER_CONNECTIONS,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    // Agent options take precedence over each request's, so every connection sends this
    // name as SNI and checks the apiserver's certificate against it.
    servername: tls.servername,
  };
  return proxyUrl ? new HttpsProxyAgent({ ...options, proxy: proxyUrl }) : new Agent(options);
}

/**
 * The agent's connections to its apiserver for one set of TLS material: an undici pool for
 * the streams' requests, a node:https keep-alive pool for the agent's own requests, and
 * fresh connections for upgrades (they leave the pool once upgraded). With the
 * kubeconfig's proxy-url, everything goes through node:https and the proxy (no undici pool).
 */
export class ApiserverConnections {
  readonly tls: ApiserverTls;
  readonly pooled: Agent;
  readonly upgrades: Agent;
  /** For the streams' requests; undefined when a proxy is in the way. */
  readonly requests: Pool | undefined;

  constructor(tls: ApiserverTls, proxyUrl: URL | undefined, origin?: URL) {
    this.tls = tls;
    this.pooled = newAgent(tls, proxyUrl, true);
    this.upgrades = newAgent(tls, proxyUrl, false);
    this.requests = origin && !proxyUrl ? newPool(origin, tls) : undefined;
  }

  /**
   * Stops keeping connections made with old TLS material: idle ones close now, busy ones
   * (watches, logs) when their request ends.
   */
  retire(): void {
    // Closing lets the requests under way finish; new ones go to the new connections.
    this.requests?.close().catch(() => {});
    this.pooled.maxFreeSockets = 0;
    for (const sockets of Object.values(this.pooled.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
  }

  close(): void {
    this.requests?.destroy().catch(() => {});
    this.pooled.destroy();
    this.upgrades.destroy();
  }
}
