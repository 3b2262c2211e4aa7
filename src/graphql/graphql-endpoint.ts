import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type DocumentNode, GraphQLError, type GraphQLSchema, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayAdmin } from '../admin/gateway-admin.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { SignInSession } from '../auth/api-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { OpenConnections } from '../auth/open-connections.ts';
import { downstreamIdentity, type Principal } from '../auth/principal.ts';
import type { AccessReviews } from '../cache/access-reviews.ts';
import type { StatsSource } from '../cache/cluster-stats.ts';
import type { ListCaches } from '../cache/list-caches.ts';
import type { ClusterRegistry } from '../clusters/cluster-registry.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { Logger } from '../shared/log/logger.ts';
import { AnswerBudget, chargeJsonFields } from './answer-budget.ts';
import { createListLoader } from './cluster-lists.ts';
import { CompiledQueries } from './compiled-queries.ts';
import type { GraphQLContext } from './context.ts';
import type { LiveLists } from './live-lists.ts';
import type { OwnerAsks } from './owner-asks.ts';
import { ParsedDocuments } from './parsed-documents.ts';
import { enforceDocumentLimits, GRAPHQL_LIMITS } from './protection.ts';
import { SharedSubscriptions } from './shared-subscriptions.ts';
import type { SharedWatches } from './shared-watches.ts';
import { SocketGuard, type SocketLimits, type SocketState } from './socket-guard.ts';

export const GRAPHQL_PATH = '/graphql';
/** Undelivered messages a subscriber may have before it is ended. */
export const DEFAULT_SUBSCRIBER_QUEUE = 1000;
/** graphql-ws's own default: a client silent for one more interval after a ping is dropped. */
export const DEFAULT_KEEP_ALIVE_MS = 12_000;
const schemaDir = new URL('../../schema/', import.meta.url).pathname;

export interface GraphqlEndpointOptions {
  readonly authenticator: Authenticator;
  readonly registry: ClusterRegistry;
  readonly kube: KubeClient;
  /** Long-lived connections by credential: a revoked one closes its sockets. */
  readonly openConnections: OpenConnections;
  /** Subscriptions per socket and per person (defaults in socket-guard.ts). */
  readonly socketLimits?: SocketLimits;
  readonly stats: StatsSource;
  readonly reviews: AccessReviews;
  readonly audit: AuditLog;
  readonly sharedWatches: SharedWatches;
  /** The resolvers of every domain (the composition root hands them in: they sit above this layer). */
  readonly resolvers: Parameters<typeof makeExecutableSchema<GraphQLContext>>[0]['resolvers'];
  readonly admin: GatewayAdmin;
  readonly log: Logger;
  /** Schema introspection (default: on). */
  readonly introspection?: boolean;
  /** Undelivered messages a subscriber may have before it is coalesced, then ended (default 1000). */
  readonly maxSubscriberQueue?: number;
  /** Bytes of objects one query or mutation may answer with (default GRAPHQL_ANSWER_MAX_BYTES). */
  readonly maxAnswerBytes?: number;
  /** Ping interval, and how long a ping may go unanswered before the socket is dropped (default 12 s). */
  readonly keepAliveMs?: number;
  /** Watch-backed list caches (docs/list-cache.md); lists are all live without them. */
  readonly listCaches?: ListCaches;
  /** Live lists shared across requests and limited per cluster (docs/list-cache.md); unshared without. */
  readonly liveLists?: LiveLists;
  /** With replicas: each cluster's owner, asked for what its caches answer (docs/replicas.md §6). */
  readonly owners?: OwnerAsks;
}

function loadSchema(resolvers: GraphqlEndpointOptions['resolvers']): GraphQLSchema {
  const typeDefs = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(schemaDir, f), 'utf8'));
  // Every JSON field is charged to its operation's answer budget (answer-budget.ts).
  return chargeJsonFields(
    makeExecutableSchema({
      typeDefs,
      resolvers,
    }),
  );
}

function isDocument(parsed: DocumentNode | readonly GraphQLError[]): parsed is DocumentNode {
  return !Array.isArray(parsed);
}

function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Unauthenticated: ${reason}`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/**
 * The GraphQL API: queries and mutations over HTTP (Apollo Server) and subscriptions over
 * graphql-ws, on the gateway's own server, for authenticated people only.
 */
export class GraphqlEndpoint {
  readonly #options: GraphqlEndpointOptions;
  readonly #schema: GraphQLSchema;
  readonly #apollo: ApolloServer<GraphQLContext>;
  readonly #wss: WebSocketServer;
  readonly #disposeWs: { dispose: () => void | Promise<void> };
  readonly #subscriptions: SharedSubscriptions;
  readonly #documents: ParsedDocuments;

  private constructor(options: GraphqlEndpointOptions) {
    this.#options = options;
    this.#schema = loadSchema(options.resolvers);
    this.#apollo = new ApolloServer<GraphQLContext>({
      // Queries run compiled (compiled-queries.ts); Apollo parses, validates and answers.
      gateway: new CompiledQueries(this.#schema).asApolloGateway(),
      introspection: options.introspection ?? true,
      csrfPrevention: true,
      includeStacktraceInErrorResponses: false,
      // The gateway stops Apollo itself when it closes. Apollo's own handler would stop it
      // and then kill the process with the signal again, before the gateway's close (which
      // releases a replica's Leases and closes tunnels) could run.
      stopOnTerminationSignals: false,
      // Compact JSON: Apollo indents its answers by default, which made a page of 1,000 pods
      // a third larger and cost 7 % of the gateway's CPU.
      stringifyResult: (result) => JSON.stringify(result),
      plugins: [
        // We set no cache hints; the plugin's per-field hook cost 6-10 % of the CPU of a
        // large page.
        ApolloServerPluginCacheControlDisabled(),
        {
          async requestDidStart() {
            return {
              async didResolveOperation({ document, request }) {
                enforceDocumentLimits(document, request.variables);
              },
              async willSendResponse({ response, contextValue }) {
                // One error per failed cluster, beside the data of the healthy ones.
                if (response.body.kind === 'single' && contextValue.clusterErrors?.length) {
                  const result = response.body.singleResult;
                  result.errors = [
                    ...(result.errors ?? []),
                    ...contextValue.clusterErrors.map((e) =>
                      new GraphQLError(e.message, { extensions: e.extensions }).toJSON(),
                    ),
                  ];
                }
                // Clusters answered from their last copy (allowStale), marked each with its date.
                if (response.body.kind === 'single' && contextValue.staleClusters?.size) {
                  const result = response.body.singleResult;
                  result.extensions = {
                    ...result.extensions,
                    stale: [...contextValue.staleClusters].map(([clusterId, since]) => ({
                      clusterId,
                      stale: true,
                      since,
                    })),
                  };
                }
              },
            };
          },
        },
      ],
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: GRAPHQL_LIMITS.maxDocumentBytes });
    const guard = new SocketGuard(options.authenticator, options.openConnections, options.socketLimits);
    this.#subscriptions = new SharedSubscriptions(options.sharedWatches);
    this.#documents = new ParsedDocuments(this.#schema);
    this.#disposeWs = useServer<Record<string, unknown>, SocketState>(
      {
        schema: this.#schema,
        onConnect: (ctx) => {
          // graphql-ws keeps the upgrade request for the socket's life; only its connection,
          // the one the WebSocket runs on, is kept (shared deliveries write to it).
          ctx.extra.transport = ctx.extra.request.socket;
          Reflect.deleteProperty(ctx.extra, 'request');
          return guard.connect(ctx);
        },
        onSubscribe: async (ctx, operationId, payload) => {
          try {
            await guard.admit(ctx);
          } catch (error) {
            if (error instanceof GatewayError)
              return [new GraphQLError(error.message, { extensions: error.extensions })];
            throw error;
          }
          if (payload.query.length > GRAPHQL_LIMITS.maxDocumentBytes)
            return [new GraphQLError('document too large', { extensions: { code: 'DOCUMENT_TOO_LARGE' } })];
          const document = this.#documents.parse(payload.query);
          if (!isDocument(document)) return [...document];
          const variableValues = payload.variables ?? {};
          try {
            enforceDocumentLimits(document, variableValues);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const invalid = this.#documents.validate(document);
          if (invalid.length > 0) return [...invalid];
          // Set by onConnect, which graphql-ws runs before any subscribe.
          const transport = ctx.extra.transport;
          if (!transport) throw new Error('a subscription on a connection that was never set up');
          const contextValue = this.#context(
            ctx.extra.principal as Principal,
            ctx.extra.session,
            getOperationAST(document, payload.operationName)?.operation !== 'subscription',
          );
          this.#subscriptions.register(contextValue, {
            socket: ctx.extra.socket,
            transport,
            operationId,
            query: payload.query,
          });
          return {
            schema: this.#schema,
            document,
            operationName: payload.operationName,
            variableValues,
            contextValue,
          };
        },
        subscribe: (args) => this.#subscriptions.subscribe(args),
        onClose: (ctx) => guard.disconnect(ctx),
      },
      this.#wss,
      options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
    );
  }

  static async start(options: GraphqlEndpointOptions): Promise<GraphqlEndpoint> {
    const endpoint = new GraphqlEndpoint(options);
    await endpoint.#apollo.start();
    return endpoint;
  }

  /** `answersOnce`: a query or mutation, whose one answer is bounded (a subscription's messages are not one answer). */
  #context(principal: Principal, session: SignInSession | undefined, answersOnce: boolean): GraphQLContext {
    const identity = downstreamIdentity(principal);
    const kube = this.#options.kube;
    const liveLists = this.#options.liveLists;
    let lists: GraphQLContext['lists'] | undefined;
    return {
      receivedAt: new Date(),
      principal,
      session,
      identity,
      registry: this.#options.registry,
      kube: this.#options.kube,
      stats: this.#options.stats,
      reviews: this.#options.reviews,
      audit: this.#options.audit,
      sharedWatches: this.#options.sharedWatches,
      admin: this.#options.admin,
      // Made when first used: a subscription's context lives as long as it, and never lists.
      get lists() {
        lists ??= createListLoader(kube, identity, liveLists);
        return lists;
      },
      listCaches: this.#options.listCaches,
      owners: this.#options.owners,
      maxSubscriberQueue: this.#options.maxSubscriberQueue ?? DEFAULT_SUBSCRIBER_QUEUE,
      answerBudget: answersOnce ? new AnswerBudget(this.#options.maxAnswerBytes) : undefined,
      clusterErrors: [],
      staleClusters: new Map(),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > GRAPHQL_LIMITS.maxDocumentBytes) {
          this.#send(res, 413, {
            errors: [
              {
                message: `documents are limited to ${GRAPHQL_LIMITS.maxDocumentBytes} bytes`,
                extensions: { code: 'DOCUMENT_TOO_LARGE' },
              },
            ],
          });
          req.resume();
          return;
        }
        chunks.push(chunk);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        body = headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
      } catch {
        this.#send(res, 400, {
          errors: [{ message: 'request body is not JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
        return;
      }
    } else if (url.search.length > GRAPHQL_LIMITS.maxDocumentBytes) {
      this.#send(res, 413, {
        errors: [{ message: 'query string too large', extensions: { code: 'DOCUMENT_TOO_LARGE' } }],
      });
      return;
    }
    const auth = await this.#options.authenticator.authenticate(req.headers.authorization);
    if (!auth.ok) {
      const error = unauthenticated(auth.reason);
      this.#send(res, 401, { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    // Plain HTTP carries no subscriptions: every operation here has one answer.
    const context = this.#context(auth.principal, auth.session, true);
    const result = await this.#apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => context,
    });
    for (const [name, value] of result.headers) res.setHeader(name, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  #send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async close(): Promise<void> {
    await this.#disposeWs.dispose();
    this.#wss.close();
    await this.#apollo.stop();
  }
}
