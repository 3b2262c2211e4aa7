import type { AuditLog } from '../audit/audit-log.ts';
import {
  API_TOKEN_TTL_SECONDS,
  type ApiTokenInfo,
  type ApiTokens,
  type SignInSession,
} from '../auth/api-tokens.ts';
import type { Principal } from '../auth/principal.ts';
import type { Cluster } from '../clusters/cluster.ts';
import type { ClusterConnections } from '../clusters/cluster-connections.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';

/** Grace period of a rotated-out registration token or agent credential unless the caller gives one. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;

/** What registering a cluster or rotating its token answers: the token is shown only here. */
export interface RegistrationAnswer {
  readonly cluster: Cluster;
  readonly registrationToken: string;
  readonly installUrl: string;
  readonly installCommand: string;
}

export interface GatewayAdminOptions {
  readonly registry: ClusterRegistry;
  readonly connections: ClusterConnections;
  readonly tokens: ApiTokens;
  /** Every call is recorded here, refused ones too. */
  readonly audit: AuditLog;
  /** The gateway's URL as agents reach it. */
  readonly publicUrl: () => string;
}

/** Refuses anyone but an administrator. */
export function requireAdmin(principal: Principal): void {
  if (!principal.isAdmin) throw new GatewayError('FORBIDDEN', 'only administrators may do this');
}

/**
 * The gateway's own administration (clusters and API tokens), with its permission checks,
 * behind both the REST API and GraphQL: each surface parses its input and calls this.
 */
export class GatewayAdmin {
  readonly #options: GatewayAdminOptions;

  constructor(options: GatewayAdminOptions) {
    this.#options = options;
  }

  /** Where `kubectl apply -f` finds the install manifest that carries a registration token. */
  installUrl(registrationToken: string): string {
    return new URL(`/v1/install/${registrationToken}.yaml`, this.#options.publicUrl()).href;
  }

  #answer(cluster: Cluster, registrationToken: string): RegistrationAnswer {
    const installUrl = this.installUrl(registrationToken);
    return { cluster, registrationToken, installUrl, installCommand: `kubectl apply -f ${installUrl}` };
  }

  registerCluster(
    caller: Principal,
    name: string,
    options: { tokenTtlSeconds?: number } = {},
  ): Promise<RegistrationAnswer> {
    return this.#options.audit.auditedBy(
      caller,
      'registerCluster',
      { target: name.slice(0, 64) },
      async () => {
        requireAdmin(caller);
        const { cluster, token } = await this.#options.registry.register(name, options);
        return this.#answer(cluster, token);
      },
    );
  }

  removeCluster(caller: Principal, clusterId: string): Promise<void> {
    return this.#options.audit.auditedBy(caller, 'removeCluster', { clusterId }, async () => {
      requireAdmin(caller);
      await this.#options.registry.remove(clusterId);
    });
  }

  rotateRegistrationToken(
    caller: Principal,
    clusterId: string,
    options: { graceSeconds?: number; tokenTtlSeconds?: number } = {},
  ): Promise<RegistrationAnswer> {
    return this.#options.audit.auditedBy(caller, 'rotateRegistrationToken', { clusterId }, async () => {
      requireAdmin(caller);
      const token = await this.#options.registry.rotateToken(clusterId, {
        graceSeconds: options.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
        tokenTtlSeconds: options.tokenTtlSeconds,
      });
      const cluster = this.#options.registry.get(clusterId);
      if (!cluster)
        throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
      return this.#answer(cluster, token);
    });
  }

  /**
   * Rotates the agents' credential of a cluster (docs/tunnel-protocol.md §2): connected
   * agents receive the new one; tunnels still held by the old one close after the grace.
   */
  rotateAgentCredential(
    caller: Principal,
    clusterId: string,
    options: { graceSeconds?: number } = {},
  ): Promise<{ cluster: Cluster; deliveredTo: number; graceUntil: string }> {
    return this.#options.audit.auditedBy(caller, 'rotateAgentCredential', { clusterId }, async () => {
      requireAdmin(caller);
      const rotation = await this.#options.connections.rotateCredential(
        clusterId,
        options.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
      );
      const cluster = this.#options.registry.get(clusterId);
      if (!cluster)
        throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
      return { cluster, ...rotation };
    });
  }

  /**
   * A new API token of the caller's own (its secret is in the answer only, never in the audit
   * log). Made within an OIDC sign-in (`session`), it expires with the sign-in at the latest
   * and ends with it.
   */
  async createApiToken(
    caller: Principal,
    options: { description?: string; ttlSeconds?: number; session?: SignInSession },
  ): Promise<{ token: string; info: ApiTokenInfo }> {
    let tokenId: string | undefined;
    try {
      const created = await this.#options.tokens.create(caller, {
        kind: 'api',
        description: options.description ?? '',
        ttlSeconds: options.ttlSeconds ?? API_TOKEN_TTL_SECONDS,
        session: options.session,
      });
      tokenId = created.info.tokenId;
      return created;
    } finally {
      this.#options.audit.action({
        principalId: caller.principalId,
        principal: caller.name,
        action: 'createApiToken',
        target: tokenId,
        outcome: tokenId ? 'success' : 'failure',
      });
    }
  }

  /** Revokes one token: the caller's own, or anyone's for an administrator. */
  revokeToken(caller: Principal, tokenId: string): Promise<boolean> {
    return this.#options.audit.auditedBy(
      caller,
      'revokeToken',
      { target: tokenId.slice(0, 32) },
      async () => {
        const token = this.#options.tokens.get(tokenId);
        // Someone else's token is reported as missing, not as forbidden: its existence is not theirs to learn.
        if (!token || (token.principalId !== caller.principalId && !caller.isAdmin))
          throw new GatewayError('NOT_FOUND', `no token ${tokenId.slice(0, 32)}`);
        return this.#options.tokens.revoke(tokenId);
      },
    );
  }

  /** Administrators: revokes every token a person holds; answers how many. */
  revokeAllTokens(caller: Principal, principalId: string): Promise<number> {
    return this.#options.audit.auditedBy(
      caller,
      'revokeAllTokens',
      { target: principalId.slice(0, 256) },
      async () => {
        requireAdmin(caller);
        return this.#options.tokens.revokeAll(principalId);
      },
    );
  }
}
