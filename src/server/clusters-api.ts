import type { IncomingMessage, ServerResponse } from 'node:http';
import { type GatewayAdmin, requireAdmin } from '../admin/gateway-admin.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { PasswordSignIn } from '../auth/password-sign-in.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { renderInstallManifest } from '../clusters/install-manifest.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { decodePathSegment, optionalInteger, readJsonBody, sendJson } from './http-json.ts';
import { authenticateRequest } from './request-auth.ts';

export interface ClustersApiOptions {
  readonly registry: ClusterRegistry;
  readonly admin: GatewayAdmin;
  readonly passwords: PasswordSignIn;
  readonly authenticator: Authenticator;
  /** The gateway's URL as agents reach it. */
  readonly publicUrl: string;
  readonly agentImage: string;
  readonly gatewayCaPem?: string;
}

/**
 * The administrators' cluster API (GraphQL carries the same, through the same GatewayAdmin):
 *   GET    /v1/clusters                         list
 *   POST   /v1/clusters {name, tokenTtlSeconds?} register; answers the token once
 *   GET    /v1/clusters/:id                     one cluster
 *   DELETE /v1/clusters/:id                     remove (closes its tunnels)
 *   POST   /v1/clusters/:id/registration-token  a fresh install token {graceSeconds?, tokenTtlSeconds?}
 *   POST   /v1/clusters/:id/agent-credential    rotate the agents' credential {graceSeconds?}
 * and, authorized by the (unused) registration token in its URL,
 *   GET    /v1/install/<token>.yaml             the agent's install manifest
 */
export class ClustersApi {
  readonly #options: ClustersApiOptions;

  constructor(options: ClustersApiOptions) {
    this.#options = options;
  }

  /** Handles the request if it is one of this API's; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path.startsWith('/v1/install/')) {
      if (req.method !== 'GET') throw new GatewayError('METHOD_NOT_ALLOWED', 'use GET');
      this.#serveManifest(res, path.slice('/v1/install/'.length), url.searchParams.get('readAllKinds'));
      return true;
    }
    if (path !== '/v1/clusters' && !path.startsWith('/v1/clusters/')) return false;
    const { principal } = await authenticateRequest(
      req,
      this.#options.authenticator,
      this.#options.passwords,
    );
    requireAdmin(principal);
    const { registry, admin } = this.#options;
    const parts = path.split('/').slice(3); // after /v1/clusters
    const clusterId = parts[0] as string;
    if (parts.length === 0 && req.method === 'GET') {
      sendJson(res, 200, { clusters: registry.list() });
    } else if (parts.length === 0 && req.method === 'POST') {
      const body = await readJsonBody(req);
      if (typeof body.name !== 'string') throw new GatewayError('BAD_USER_INPUT', 'name is required');
      const answer = await admin.registerCluster(principal, body.name, {
        tokenTtlSeconds: optionalInteger(body, 'tokenTtlSeconds'),
      });
      sendJson(res, 201, answer);
    } else if (parts.length === 1 && req.method === 'GET') {
      const cluster = registry.get(clusterId);
      if (!cluster)
        throw new GatewayError('CLUSTER_NOT_FOUND', `no cluster ${clusterId.slice(0, 64)}`, { clusterId });
      sendJson(res, 200, { cluster });
    } else if (parts.length === 1 && req.method === 'DELETE') {
      await admin.removeCluster(principal, clusterId);
      res.writeHead(204).end();
    } else if (parts.length === 2 && parts[1] === 'registration-token' && req.method === 'POST') {
      const body = await readJsonBody(req);
      const answer = await admin.rotateRegistrationToken(principal, clusterId, {
        graceSeconds: optionalInteger(body, 'graceSeconds'),
        tokenTtlSeconds: optionalInteger(body, 'tokenTtlSeconds'),
      });
      sendJson(res, 200, answer);
    } else if (parts.length === 2 && parts[1] === 'agent-credential' && req.method === 'POST') {
      const body = await readJsonBody(req);
      const answer = await admin.rotateAgentCredential(principal, clusterId, {
        graceSeconds: optionalInteger(body, 'graceSeconds'),
      });
      sendJson(res, 200, answer);
    } else {
      throw new GatewayError('NOT_FOUND', `no route ${req.method} ${path}`);
    }
    return true;
  }

  #serveManifest(res: ServerResponse, file: string, readAllKinds: string | null): void {
    if (readAllKinds !== null && readAllKinds !== 'true' && readAllKinds !== 'false')
      throw new GatewayError('BAD_USER_INPUT', 'readAllKinds must be true or false');
    const tokenText = file.endsWith('.yaml') ? decodePathSegment(file.slice(0, -'.yaml'.length)) : '';
    const auth = this.#options.registry.checkRegistrationToken(tokenText);
    if (!auth.ok) {
      throw new GatewayError(
        auth.reason === 'malformed registration token' ? 'NOT_FOUND' : 'UNAUTHENTICATED',
        auth.reason,
      );
    }
    const manifest = renderInstallManifest({
      clusterId: auth.clusterId,
      gatewayUrl: this.#options.publicUrl,
      registrationToken: tokenText,
      agentImage: this.#options.agentImage,
      gatewayCaPem: this.#options.gatewayCaPem,
      readAllKinds: readAllKinds === 'true',
    });
    res.writeHead(200, { 'content-type': 'application/yaml', 'cache-control': 'no-store' });
    res.end(manifest);
  }
}
