import { GraphQLError } from 'graphql';
import { ClusterUnavailableError } from '../clusters/cluster-client.ts';
import type { GraphQLContext } from './context.ts';

const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'FORBIDDEN',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'BAD_USER_INPUT',
};

/**
 * One write (or read) to one cluster as the caller; a refusal becomes a GraphQLError with
 * the code, the cluster and the apiserver's own message.
 */
export async function callCluster(
  context: GraphQLContext,
  clusterId: string,
  request: { method: string; path: string; body?: unknown; contentType?: string },
): Promise<unknown> {
  if (!context.registry.get(clusterId)) {
    throw new GraphQLError(`no cluster ${clusterId.slice(0, 64)}`, {
      extensions: { code: 'CLUSTER_NOT_FOUND', clusterId, httpStatus: 404 },
    });
  }
  const headers: (readonly [string, string])[] = [...context.identityHeaders];
  if (request.body !== undefined) headers.push(['Content-Type', request.contentType ?? 'application/json']);
  let answer: { status: number; body: { message?: string } };
  try {
    answer = await context.clusterClient.json<{ message?: string }>(clusterId, {
      method: request.method,
      path: request.path,
      headers,
      body: request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body)),
    });
  } catch (error) {
    const unavailable = error instanceof ClusterUnavailableError;
    throw new GraphQLError(`cluster ${clusterId}: ${(error as Error).message}`, {
      extensions: {
        code: unavailable && error.code === 'CLUSTER_NOT_FOUND' ? 'CLUSTER_NOT_FOUND' : 'CLUSTER_UNAVAILABLE',
        clusterId,
        httpStatus: 503,
      },
    });
  }
  if (answer.status >= 300) {
    throw new GraphQLError(`cluster ${clusterId}: ${answer.body.message ?? `answered ${answer.status}`}`, {
      extensions: { code: CODES[answer.status] ?? 'CLUSTER_ERROR', clusterId, httpStatus: answer.status },
    });
  }
  return answer.body;
}

/** Administrators only: the gateway's own registry and tokens. */
export function requireAdmin(context: GraphQLContext): void {
  if (!context.principal.isAdmin)
    throw new GraphQLError('only administrators may do this', { extensions: { code: 'FORBIDDEN' } });
}
