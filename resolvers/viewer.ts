import { downstreamIdentity } from '../src/auth/principal.ts';
import type { Resolvers } from '../src/generated/graphql.ts';

/** Query.viewer: the caller and who they are downstream. */
export const viewerResolvers: Resolvers = {
  Query: {
    viewer: (_parent, _args, context) => {
      const identity = downstreamIdentity(context.principal);
      return {
        principalId: context.principal.principalId,
        name: context.principal.name,
        provider: context.principal.provider,
        groups: [...context.principal.groups],
        isAdmin: context.principal.isAdmin,
        kubernetesUser: identity.user,
        kubernetesGroups: [...identity.groups],
      };
    },
  },
};
