import type { AccessService } from '../src/access/access-service.ts';
import type { Resolvers } from '../src/generated/graphql.ts';
import { accessResolvers } from './access.ts';
import { aggregationResolvers } from './aggregations.ts';
import { changeResolvers } from './changes.ts';
import { clusterResolvers } from './clusters.ts';
import { kindResolvers } from './kinds.ts';
import { mutationResolvers } from './mutations.ts';
import { resourceResolvers } from './resources.ts';
import { viewerResolvers } from './viewer.ts';

/** Every domain's resolvers, merged into one map. */
export function allResolvers(
  serverInfo: { version: string; startedAt: string },
  parts: { readonly access: AccessService },
): Resolvers[] {
  return [
    { Query: { serverInfo: () => serverInfo } },
    viewerResolvers,
    clusterResolvers,
    resourceResolvers,
    kindResolvers,
    aggregationResolvers,
    changeResolvers,
    mutationResolvers,
    accessResolvers(parts.access),
  ];
}
