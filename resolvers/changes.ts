import { badInput, GatewayError } from '../src/errors/gateway-error.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { type ChangeMessage, ChangeStream, decodePositions } from '../src/graphql/change-stream.ts';
import { clustersInScope, validateFilter } from '../src/graphql/fan-out.ts';
import { checkKind, collectionPath } from '../src/graphql/kind-paths.ts';
import { identityKey } from '../src/kube/identity.ts';

const FIELD_VALUE = /^[A-Za-z0-9._-]{1,253}$/;

/** Delivers a change; the last message of a subscriber that fell behind becomes its error. */
function deliver(message: ChangeMessage): ChangeMessage {
  if (message.overflow) {
    throw new GatewayError(
      'SUBSCRIBER_TOO_SLOW',
      'subscriber too slow: too many undelivered objects even keeping only the latest state of each; resubscribe with the last cursor',
    );
  }
  return message;
}

/** Live changes across clusters: shared watches where the caller may watch, else the caller's own. */
export const changeResolvers: Resolvers = {
  ResourceChange: {
    // Reads nothing of the caller: a shared stream runs it once for all its subscribers.
    coalesced: (change) => change.coalesced === true,
  },
  Subscription: {
    resourceChanges: {
      subscribe: (_parent, args, context) => {
        validateFilter(args.filter);
        checkKind(args.apiVersion, args.kind);
        const since = args.since ? decodePositions(args.since) : undefined;
        return new ChangeStream({
          context,
          clusterIds: clustersInScope(context, args.filter),
          // Discovery as the caller; a discovery of the same person already in flight is joined.
          pathFor: (clusterId) =>
            context.sharedWatches.paths.run(
              JSON.stringify([
                identityKey(context.identity),
                clusterId,
                args.apiVersion,
                args.kind,
                args.filter?.namespace ?? '',
              ]),
              () => collectionPath(context, clusterId, args.apiVersion, args.kind, args.filter?.namespace),
            ),
          labelSelector: args.filter?.labelSelector ?? undefined,
          fieldSelector: args.filter?.fieldSelector ?? undefined,
          since,
          maxQueue: context.maxSubscriberQueue,
          sharedWatches: context.sharedWatches,
        });
      },
      resolve: (message: ChangeMessage) => deliver(message),
    },
    events: {
      subscribe: (_parent, args, context) => {
        const filter = args.filter;
        validateFilter({ namespace: filter?.namespace });
        const selectors: string[] = [];
        for (const [field, value] of [
          ['type', filter?.type],
          ['involvedObject.kind', filter?.involvedObjectKind],
          ['involvedObject.name', filter?.involvedObjectName],
        ] as const) {
          if (value == null) continue;
          if (!FIELD_VALUE.test(value)) throw badInput(`${field} filter is not a valid value`);
          selectors.push(`${field}=${value}`);
        }
        return new ChangeStream({
          context,
          clusterIds: clustersInScope(context, { clusters: filter?.clusters }),
          pathFor: async () =>
            filter?.namespace ? `/api/v1/namespaces/${filter.namespace}/events` : '/api/v1/events',
          fieldSelector: selectors.join(',') || undefined,
          since: args.since ? decodePositions(args.since) : undefined,
          maxQueue: context.maxSubscriberQueue,
          // Shared like resourceChanges: one watch and one execution per access class.
          sharedWatches: context.sharedWatches,
        });
      },
      resolve: (message: ChangeMessage) => deliver(message),
    },
  },
};
