import type { Readable } from 'node:stream';
import { type ErrorCode, GatewayError } from '../errors/gateway-error.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';
import { type Identity, impersonationHeaders } from './identity.ts';
import { LIST_PAGE_SIZE, MAX_ITEMS_PER_CLUSTER, MAX_JSON_ANSWER_BYTES } from './limits.ts';
import type {
  ApiResourceList,
  KubeList,
  KubeObject,
  ResourceRule,
  SelfSubjectAccessReview,
  SelfSubjectRulesReview,
  Status,
} from './objects.ts';
import type { KubeTransport, WireRequest, WireResponse } from './transport.ts';
import { type WatchEvent, watchEvents } from './watch-events.ts';

/** Which cluster a call goes to, and who it runs as there. */
export interface CallTarget {
  readonly clusterId: string;
  readonly as: Identity;
}

/** Narrows a list or a watch. */
export interface Selectors {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface ListPageOptions extends Selectors {
  readonly limit?: number;
  readonly continue?: string;
}

export interface ListAllOptions<T> extends Selectors {
  /**
   * Applied to each item as its page arrives (e.g. dropping managedFields), so that a large
   * list never holds every item whole at once.
   */
  readonly each?: (item: T) => T;
  /** More objects than this fail the list with TOO_MANY_OBJECTS (default 50,000). */
  readonly maxItems?: number;
  /** After this time (epoch ms) no further page is asked for: CLUSTER_TIMEOUT. */
  readonly deadline?: number;
}

export interface WatchOptions extends Selectors {
  /** Changes after this resourceVersion; omitted: the apiserver's choice (current state first). */
  readonly resourceVersion?: string;
  readonly timeoutSeconds?: number;
}

/** A running watch: its events, and a way to end it early. */
export interface KubeWatch {
  readonly events: AsyncIterable<WatchEvent>;
  stop(): void;
}

/** The attributes of an access question (SelfSubjectAccessReview resourceAttributes). */
export interface AccessAttributes {
  readonly verb: string;
  readonly group?: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

const ACCEPT_JSON: readonly [string, string] = ['Accept', 'application/json'];
const CONTENT_JSON: readonly [string, string] = ['Content-Type', 'application/json'];

/** The gateway's code for a status a cluster answered with. */
function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'CLUSTER_FORBIDDEN';
  if (status === 404) return 'RESOURCE_NOT_FOUND';
  if (status === 409) return 'RESOURCE_CONFLICT';
  if (status === 400) return 'CLUSTER_BAD_REQUEST';
  if (status === 422) return 'RESOURCE_INVALID';
  if (status === 410) return 'RESOURCE_EXPIRED';
  if (status === 429) return 'CLUSTER_THROTTLED';
  return 'CLUSTER_ERROR';
}

/** A cluster's refusal (its Status, when it sent one) as a GatewayError keeping its HTTP status. */
export function clusterRefusal(clusterId: string, status: number, body: unknown): GatewayError {
  const message =
    body && typeof body === 'object' && typeof (body as Status).message === 'string'
      ? (body as Status).message
      : `answered ${status}`;
  return new GatewayError(codeForStatus(status), `cluster ${clusterId}: ${message}`, {
    clusterId,
    httpStatus: status,
  });
}

function withQuery(path: string, query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/**
 * The one way the gateway talks to a cluster (docs/architecture.md): typed calls over the
 * agent tunnel, each run as an Identity that becomes Impersonate-* headers only here.
 * Every failure is a GatewayError: the cluster's own refusals keep their HTTP status.
 */
export class KubeClient {
  readonly #transport: KubeTransport;

  constructor(transport: KubeTransport) {
    this.#transport = transport;
  }

  /**
   * A request as it is, with the identity's impersonation added last (the caller has
   * removed any of its own): for the passthrough and for answers that are not JSON.
   */
  send(
    target: CallTarget,
    request: Omit<WireRequest, 'headers'> & { readonly headers?: HeaderPairs },
  ): Promise<WireResponse> {
    const identity = impersonationHeaders(target.as);
    const headers = request.headers?.length ? [...request.headers, ...identity] : identity;
    return this.#transport.send(target.clusterId, { ...request, headers });
  }

  /** A call whose answer is one JSON value; a status of 300 or more is thrown as a GatewayError. */
  async call<T>(
    target: CallTarget,
    method: string,
    path: string,
    body?: { readonly value: unknown; readonly contentType?: string },
  ): Promise<T> {
    const headers: (readonly [string, string])[] = [ACCEPT_JSON];
    if (body) headers.push(body.contentType ? ['Content-Type', body.contentType] : CONTENT_JSON);
    const answer = await this.send(target, {
      method,
      path,
      headers,
      body: body ? Buffer.from(JSON.stringify(body.value)) : undefined,
    });
    const value = await readJson(target.clusterId, path, answer);
    if (answer.status >= 300) throw clusterRefusal(target.clusterId, answer.status, value);
    return value as T;
  }

  get<T = KubeObject>(target: CallTarget, path: string): Promise<T> {
    return this.call<T>(target, 'GET', path);
  }

  create<T = KubeObject>(target: CallTarget, path: string, object: unknown): Promise<T> {
    return this.call<T>(target, 'POST', path, { value: object });
  }

  patch<T = KubeObject>(
    target: CallTarget,
    path: string,
    type: PatchType,
    patch: unknown,
    options: { readonly fieldManager?: string; readonly force?: boolean } = {},
  ): Promise<T> {
    return this.call<T>(
      target,
      'PATCH',
      withQuery(path, { fieldManager: options.fieldManager, force: options.force }),
      { value: patch, contentType: PATCH_CONTENT_TYPES[type] },
    );
  }

  delete<T = KubeObject>(target: CallTarget, path: string): Promise<T> {
    return this.call<T>(target, 'DELETE', path);
  }

  /** One page of a collection. */
  listPage<T = KubeObject>(
    target: CallTarget,
    path: string,
    options: ListPageOptions = {},
  ): Promise<KubeList<T>> {
    return this.get<KubeList<T>>(
      target,
      withQuery(path, {
        limit: options.limit ?? LIST_PAGE_SIZE,
        continue: options.continue,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      }),
    );
  }

  /** A whole collection, page by page, and the resourceVersion a watch may start from. */
  async listAll<T = KubeObject>(
    target: CallTarget,
    path: string,
    options: ListAllOptions<T> = {},
  ): Promise<{ readonly items: T[]; readonly resourceVersion: string }> {
    const maxItems = options.maxItems ?? MAX_ITEMS_PER_CLUSTER;
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      if (options.deadline !== undefined && Date.now() > options.deadline) {
        throw new GatewayError('CLUSTER_TIMEOUT', `cluster ${target.clusterId}: no complete answer in time`, {
          clusterId: target.clusterId,
          httpStatus: 504,
        });
      }
      const page: KubeList<T> = await this.listPage<T>(target, path, { ...options, continue: continueToken });
      const each = options.each;
      for (const item of page.items ?? []) items.push(each ? each(item) : item);
      if (items.length > maxItems) {
        throw new GatewayError(
          'TOO_MANY_OBJECTS',
          `cluster ${target.clusterId}: more than ${maxItems} objects; narrow the filter`,
          { clusterId: target.clusterId },
        );
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken);
    return { items, resourceVersion };
  }

  /**
   * The collection's current resourceVersion, without its objects: where a watch that
   * wants only what happens from now on starts.
   */
  async currentVersion(target: CallTarget, path: string): Promise<string> {
    const page = await this.listPage(target, path, { limit: 1 });
    return page.metadata?.resourceVersion ?? '0';
  }

  /** Opens a watch; a refusal to start it (including 410) is thrown as a GatewayError. */
  async watch(target: CallTarget, path: string, options: WatchOptions = {}): Promise<KubeWatch> {
    const answer = await this.send(target, {
      method: 'GET',
      path: withQuery(path, {
        watch: 1,
        allowWatchBookmarks: true,
        resourceVersion: options.resourceVersion,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      }),
      headers: [ACCEPT_JSON],
      longLived: true,
    });
    if (answer.status !== 200) {
      const value = await readJson(target.clusterId, path, answer).catch(() => undefined);
      throw clusterRefusal(target.clusterId, answer.status, value);
    }
    return {
      events: watchEvents(answer.body),
      stop: () => answer.body.destroy(),
    };
  }

  /** Whether the target's identity may do something there (a SelfSubjectAccessReview). */
  async mayI(target: CallTarget, attributes: AccessAttributes): Promise<boolean> {
    const review = await this.create<SelfSubjectAccessReview>(
      target,
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: '', ...attributes } },
      },
    );
    return review.status?.allowed === true;
  }

  /** The resource rules the target's identity holds in a namespace (a SelfSubjectRulesReview). */
  async rulesIn(target: CallTarget, namespace: string): Promise<readonly ResourceRule[]> {
    const review = await this.create<SelfSubjectRulesReview>(
      target,
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
    );
    return review.status?.resourceRules ?? [];
  }

  /** The resources an API group version serves there (discovery). */
  resources(target: CallTarget, groupVersion: string): Promise<ApiResourceList> {
    return this.get<ApiResourceList>(
      target,
      groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`,
    );
  }
}

/** Reads an answer's JSON body whole (bounded). */
async function readJson(clusterId: string, path: string, answer: WireResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer.body as Readable as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_JSON_ANSWER_BYTES) {
        answer.body.destroy();
        throw new GatewayError(
          'CLUSTER_ERROR',
          `cluster ${clusterId} answered ${path.split('?')[0]} with more than ${MAX_JSON_ANSWER_BYTES} bytes`,
          { clusterId },
        );
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('CLUSTER_UNAVAILABLE', `cluster ${clusterId}: ${(error as Error).message}`, {
      clusterId,
      cause: error,
    });
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new GatewayError(
      'CLUSTER_ERROR',
      `cluster ${clusterId} answered ${path.split('?')[0]} with ${answer.status} and a body that is not JSON`,
      { clusterId, httpStatus: answer.status >= 300 ? answer.status : 502 },
    );
  }
}
