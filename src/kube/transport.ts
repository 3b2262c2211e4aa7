import type { Duplex, Readable } from 'node:stream';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** One HTTP request to a cluster's apiserver, as it leaves the gateway. */
export interface WireRequest {
  readonly method: string;
  /** Origin-form path with its query string. */
  readonly path: string;
  readonly headers: HeaderPairs;
  /** Omitted means no body. */
  readonly body?: Buffer | Readable;
  /** An upgrade: the body stays open for the caller to write to after the 101. */
  readonly upgrade?: boolean;
  /**
   * The answer may stream for a long time (a watch, a log follow, an upgrade): it may not
   * take the slots a tunnel keeps for short requests.
   */
  readonly longLived?: boolean;
}

/** The apiserver's answer; `body` streams (and, after an upgrade, is also writable). */
export interface WireResponse {
  readonly status: number;
  readonly headers: HeaderPairs;
  readonly body: Duplex;
}

/**
 * How requests reach a cluster's apiserver: through that cluster's agent tunnel in the
 * gateway. Fails with a GatewayError (CLUSTER_NOT_FOUND, CLUSTER_UNAVAILABLE,
 * CLUSTER_FORBIDDEN when the agent refuses the request) when there is no answer.
 */
export interface KubeTransport {
  send(clusterId: string, request: WireRequest): Promise<WireResponse>;
}
