import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticator.ts';
import type { LocalUsers } from '../auth/local-users.ts';
import type { Cluster } from '../clusters/cluster.ts';
import { type ClusterRegistry, RegistryError } from '../clusters/cluster-registry.ts';
import { renderInstallManifest } from '../clusters/install-manifest.ts';
import { HttpError, optionalInteger, readJsonBody, sendJson } from './http-json.ts';
import { authenticateRequest, requireAdminCaller } from './request-auth.ts';

/** Grace period of a rotated-out registration token unless the caller gives one. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 3600;

export interface ClustersApiOptions {
  readonly registry: ClusterRegistry;
  readonly users: LocalUsers;
  readonly authenticator: Authenticator;
  /** The gateway's URL as agents reach it. */
  readonly publicUrl: string;
  readonly agentImage: string;
  readonly gatewayCaPem?: string;
}

function registryHttpError(error: unknown): never {
  if (error instanceof RegistryError) {
    const status = { INVALID_NAME: 400, INVALID_ARGUMENT: 400, NAME_TAKEN: 409, NOT_FOUND: 404 }[error.code];
    throw new HttpError(status, error.code, error.message);
  }
  throw error;
}

/**
 * The administrators' cluster API (until the GraphQL API carries it):
 *   GET    /v1/clusters                         list
 *   POST   /v1/clusters {name, tokenTtlSeconds?} register; answers the token once
 *   GET    /v1/clusters/:id                     one cluster
 *   DELETE /v1/clusters/:id                     remove (closes its tunnels)
 *   POST   /v1/clusters/:id/registration-token  rotate {graceSeconds?, tokenTtlSeconds?}
 * and, authorized by the registration token in its URL,
 *   GET    /v1/install/<token>.yaml             the agent's install manifest
 */
export class ClustersApi {
  readonly #options: ClustersApiOptions;

  constructor(options: ClustersApiOptions) {
    this.#options = options;
  }

  installUrl(token: string): string {
    return new URL(`/v1/install/${token}.yaml`, this.#options.publicUrl).href;
  }

  #withInstall(cluster: Cluster, token: string) {
    const installUrl = this.installUrl(token);
    return {
      cluster,
      registrationToken: token,
      installUrl,
      installCommand: `kubectl apply -f ${installUrl}`,
    };
  }

  /** Handles the request if it is one of this API's; returns false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path.startsWith('/v1/install/')) {
      if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'use GET');
      this.#serveManifest(res, path.slice('/v1/install/'.length));
      return true;
    }
    if (path !== '/v1/clusters' && !path.startsWith('/v1/clusters/')) return false;
    requireAdminCaller(await authenticateRequest(req, this.#options.authenticator, this.#options.users));
    const { registry } = this.#options;
    const parts = path.split('/').slice(3); // after /v1/clusters
    try {
      if (parts.length === 0 && req.method === 'GET') {
        sendJson(res, 200, { clusters: registry.list() });
      } else if (parts.length === 0 && req.method === 'POST') {
        const body = await readJsonBody(req);
        if (typeof body.name !== 'string') throw new HttpError(400, 'BAD_REQUEST', 'name is required');
        const { cluster, token } = registry.register(body.name, {
          tokenTtlSeconds: optionalInteger(body, 'tokenTtlSeconds'),
        });
        sendJson(res, 201, this.#withInstall(cluster, token));
      } else if (parts.length === 1 && req.method === 'GET') {
        const cluster = registry.get(parts[0] as string);
        if (!cluster) throw new HttpError(404, 'NOT_FOUND', `no cluster ${parts[0]}`);
        sendJson(res, 200, { cluster });
      } else if (parts.length === 1 && req.method === 'DELETE') {
        registry.remove(parts[0] as string);
        res.writeHead(204).end();
      } else if (parts.length === 2 && parts[1] === 'registration-token' && req.method === 'POST') {
        const body = await readJsonBody(req);
        const clusterId = parts[0] as string;
        const token = registry.rotateToken(clusterId, {
          graceSeconds: optionalInteger(body, 'graceSeconds') ?? DEFAULT_ROTATION_GRACE_SECONDS,
          tokenTtlSeconds: optionalInteger(body, 'tokenTtlSeconds'),
        });
        sendJson(res, 200, this.#withInstall(registry.get(clusterId) as Cluster, token));
      } else {
        throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${path}`);
      }
    } catch (error) {
      registryHttpError(error);
    }
    return true;
  }

  #serveManifest(res: ServerResponse, file: string): void {
    const tokenText = file.endsWith('.yaml') ? decodeURIComponent(file.slice(0, -'.yaml'.length)) : '';
    const auth = this.#options.registry.authenticateAgent(tokenText);
    if (!auth.ok) {
      throw new HttpError(
        auth.reason === 'malformed registration token' ? 404 : 401,
        'UNAUTHORIZED',
        auth.reason,
      );
    }
    const manifest = renderInstallManifest({
      clusterId: auth.clusterId,
      gatewayUrl: this.#options.publicUrl,
      registrationToken: tokenText,
      agentImage: this.#options.agentImage,
      gatewayCaPem: this.#options.gatewayCaPem,
    });
    res.writeHead(200, { 'content-type': 'application/yaml', 'cache-control': 'no-store' });
    res.end(manifest);
  }
}
