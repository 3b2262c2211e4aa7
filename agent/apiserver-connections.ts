import { Agent, type AgentOptions } from 'node:https';
import { HttpsProxyAgent } from 'hpagent';
import type { ApiserverTls } from './apiserver-credentials.ts';

/**
 * Idle keep-alive connections to the apiserver kept for reuse. Kept above the usual number of
 * concurrent requests, so that bursts reuse connections instead of paying a TLS handshake
 * each (with 8, 32 concurrent small GETs ran at 0.26x direct throughput; with 64, 0.45x).
 */
export const IDLE_APISERVER_CONNECTIONS = 64;

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
 * The agent's connections to its apiserver for one set of TLS material: a keep-alive pool
 * for requests, and fresh connections for upgrades (they leave the pool once upgraded).
 * Both go through the kubeconfig's proxy-url when it has one.
 */
export class ApiserverConnections {
  readonly tls: ApiserverTls;
  readonly pooled: Agent;
  readonly upgrades: Agent;

  constructor(tls: ApiserverTls, proxyUrl: URL | undefined) {
    this.tls = tls;
    this.pooled = newAgent(tls, proxyUrl, true);
    this.upgrades = newAgent(tls, proxyUrl, false);
  }

  /**
   * Stops keeping connections made with old TLS material: idle ones close now, busy ones
   * (watches, logs) when their request ends.
   */
  retire(): void {
    this.pooled.maxFreeSockets = 0;
    for (const sockets of Object.values(this.pooled.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
  }

  close(): void {
    this.pooled.destroy();
    this.upgrades.destroy();
  }
}
