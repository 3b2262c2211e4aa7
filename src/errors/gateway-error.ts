/**
 * The gateway's one error vocabulary (docs/architecture.md, "Errors"). Every failure that
 * reaches a person, whether through the passthrough, the REST API or GraphQL, is a
 * GatewayError with one of these codes; each surface maps it once: to an HTTP status and a
 * Kubernetes Status reason, to `{ error: { code, message } }`, or to `extensions.code`.
 */
export const ERROR_CODES = {
  // The request itself.
  BAD_USER_INPUT: { httpStatus: 400, reason: 'BadRequest' },
  UNAUTHENTICATED: { httpStatus: 401, reason: 'Unauthorized' },
  /** The gateway refuses: not an administrator, not your token, a policy of the gateway. */
  FORBIDDEN: { httpStatus: 403, reason: 'Forbidden' },
  /** A record of the gateway (token, user) does not exist. */
  NOT_FOUND: { httpStatus: 404, reason: 'NotFound' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, reason: 'MethodNotAllowed' },
  CONFLICT: { httpStatus: 409, reason: 'Conflict' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, reason: 'RequestEntityTooLarge' },
  DOCUMENT_TOO_LARGE: { httpStatus: 413, reason: 'RequestEntityTooLarge' },
  UPGRADE_REQUIRED: { httpStatus: 426, reason: 'BadRequest' },
  /**
   * One person holds as much as one person may (open streams, subscriptions), or failed to
   * sign in too often (per user name or source address); Retry-After says when to try again.
   */
  TOO_MANY_REQUESTS: { httpStatus: 429, reason: 'TooManyRequests' },
  QUERY_TOO_DEEP: { httpStatus: 400, reason: 'BadRequest' },
  TOO_MANY_ALIASES: { httpStatus: 400, reason: 'BadRequest' },
  QUERY_TOO_COSTLY: { httpStatus: 400, reason: 'BadRequest' },
  // A cluster, as the gateway reaches it.
  CLUSTER_NOT_FOUND: { httpStatus: 404, reason: 'NotFound' },
  CLUSTER_UNAVAILABLE: { httpStatus: 503, reason: 'ServiceUnavailable' },
  CLUSTER_TIMEOUT: { httpStatus: 504, reason: 'Timeout' },
  /** The cluster's tunnel carries all the streams it may; try again shortly. */
  CLUSTER_BUSY: { httpStatus: 503, reason: 'ServiceUnavailable' },
  // What a cluster's apiserver answered.
  /** The cluster's RBAC refused the person (or its agent refused the request). */
  CLUSTER_FORBIDDEN: { httpStatus: 403, reason: 'Forbidden' },
  /** The object, kind or API version does not exist in that cluster. */
  RESOURCE_NOT_FOUND: { httpStatus: 404, reason: 'NotFound' },
  /** The cluster refused the request as malformed (400: e.g. a selector it cannot parse). */
  CLUSTER_BAD_REQUEST: { httpStatus: 400, reason: 'BadRequest' },
  /** The cluster refused an object as invalid (422). */
  RESOURCE_INVALID: { httpStatus: 422, reason: 'Invalid' },
  RESOURCE_CONFLICT: { httpStatus: 409, reason: 'Conflict' },
  /** A list continuation or watch position the cluster no longer has (410). */
  RESOURCE_EXPIRED: { httpStatus: 410, reason: 'Expired' },
  CLUSTER_THROTTLED: { httpStatus: 429, reason: 'TooManyRequests' },
  /** Any other failure answered by the cluster. */
  CLUSTER_ERROR: { httpStatus: 502, reason: 'InternalError' },
  TOO_MANY_OBJECTS: { httpStatus: 422, reason: 'Invalid' },
  /** A GraphQL answer's objects would pass the gateway's bound on one answer (GRAPHQL_ANSWER_MAX_BYTES). */
  ANSWER_TOO_LARGE: { httpStatus: 422, reason: 'Invalid' },
  // The gateway itself.
  SUBSCRIBER_TOO_SLOW: { httpStatus: 503, reason: 'ServiceUnavailable' },
  STARTING: { httpStatus: 503, reason: 'ServiceUnavailable' },
  /** The gateway is stopping (drain): try another replica. */
  DRAINING: { httpStatus: 503, reason: 'ServiceUnavailable' },
  INTERNAL: { httpStatus: 500, reason: 'InternalError' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The Kubernetes Status reasons the codes map to. */
export type StatusReason = (typeof ERROR_CODES)[ErrorCode]['reason'];

export interface GatewayErrorDetails {
  /** The cluster the failure is about, when there is one. */
  readonly clusterId?: string;
  /** The HTTP status to report; default: the code's. A cluster's own answer keeps its status. */
  readonly httpStatus?: number;
  /** When to try again, for refusals that pass (sent as Retry-After). */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/** A failure with a code from the closed set above. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly clusterId: string | undefined;
  readonly httpStatus: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: GatewayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.clusterId = details.clusterId;
    this.httpStatus = details.httpStatus ?? ERROR_CODES[code].httpStatus;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** The Kubernetes Status reason for this failure (the passthrough answers kubectl with it). */
  get reason(): StatusReason {
    return ERROR_CODES[this.code].reason;
  }

  /**
   * What every surface reports beside the message. GraphQL takes it as the error's
   * `extensions` (graphql-js copies an original error's extensions), so a GatewayError
   * thrown in a resolver needs no translation.
   */
  get extensions(): { code: ErrorCode; clusterId?: string; httpStatus: number } {
    return this.clusterId === undefined
      ? { code: this.code, httpStatus: this.httpStatus }
      : { code: this.code, clusterId: this.clusterId, httpStatus: this.httpStatus };
  }
}

/** Any thrown value as a GatewayError: unknown failures become INTERNAL, with the cause kept. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
}

/**
 * A failure as a person may see it: a GatewayError as it is; anything else is a fault of
 * the gateway, reported to `unexpected` (the log) and shown only as "internal error".
 */
export function failureForPeople(error: unknown, unexpected: (error: unknown) => void): GatewayError {
  if (error instanceof GatewayError) return error;
  unexpected(error);
  return new GatewayError('INTERNAL', 'internal error');
}

/** Shorthand for the most common refusal of input. */
export function badInput(message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message);
}
