import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
} from 'graphql';
import type { WebSocket } from 'ws';
import { type ChangeMessage, ChangeStream } from './change-stream.ts';
import type { GraphQLContext } from './context.ts';
import { ResponseStream } from './response-stream.ts';
import type { ChangeFeeds } from './shared-changes.ts';
import { SharedSubscriber } from './shared-subscriber.ts';
import type { SharedWatches } from './shared-watches.ts';

/** The graphql-ws operation a subscription's context belongs to. */
export interface SocketOperation {
  readonly socket: WebSocket;
  /** The connection under `socket` (see SharedSubscriberOptions.transport). */
  readonly transport: Duplex;
  readonly operationId: string;
  /** The document as the client sent it: part of what subscribers must share to share bytes. */
  readonly query: string;
}

/** A result as graphql-ws puts it in a `next` message's payload. */
function payloadOf(result: ExecutionResult): unknown {
  const { errors, ...rest } = result;
  return errors ? { ...rest, errors: errors.map((e) => e.toJSON()) } : rest;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Subscriptions over graphql-ws (the endpoint's `subscribe` hook). A change subscription
 * whose every cluster a shared watch can serve, for a caller the clusters allow to watch it
 * (its access class: see ChangeStream.shareClass), joins the shared stream of the same
 * document, variables and class: each change is executed and serialized once for all of them
 * and written to each socket as it is. Everything else runs per subscriber, as graphql-js
 * does. Sharing never widens what anyone sees: every member was allowed, by the cluster, each
 * collection the stream follows, and is reviewed as often as its own watch would be.
 */
export class SharedSubscriptions {
  readonly #feeds: ChangeFeeds;
  readonly #operations = new WeakMap<object, SocketOperation>();

  constructor(sharedWatches: SharedWatches) {
    this.#feeds = sharedWatches.feeds;
  }

  /** Marks a subscription's context as that of a graphql-ws operation, which may then be shared. */
  register(context: GraphQLContext, operation: SocketOperation): void {
    this.#operations.set(context, operation);
  }

  async subscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source as ExecutionResult;
    const respond = (event: unknown) => execute({ ...args, rootValue: event });
    const operation = this.#operations.get(args.contextValue as object);
    if (source instanceof ChangeStream && operation) {
      const shareClass = await source.shareClass();
      if (shareClass) {
        const shareKey = JSON.stringify([
          operation.query,
          args.operationName ?? null,
          args.variableValues ?? {},
          shareClass,
        ]);
        const member = new SharedSubscriber({
          socket: operation.socket,
          transport: operation.transport,
          operationId: operation.operationId,
          context: args.contextValue as GraphQLContext,
          stream: source,
          shareClass,
          respond,
        });
        // The selection set of a change reads nothing of the caller (ResourceChange has only
        // default resolvers): running it once, with the first member's arguments, is running
        // it for each.
        const serialize = (message: ChangeMessage): string => {
          const result = respond(message);
          if (result instanceof Promise)
            throw new GraphQLError('a shared subscription must resolve synchronously');
          return JSON.stringify(payloadOf(result));
        };
        member.attach(this.#feeds.join(shareKey, shareClass, serialize, member));
        return member;
      }
    }
    return new ResponseStream(source as AsyncIterable<unknown>, respond);
  }
}
