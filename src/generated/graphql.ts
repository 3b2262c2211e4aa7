import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Cluster as ClusterModel } from '../clusters/cluster.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { ChangeMessage } from '../graphql/change-stream.ts';
import type { GraphQLContext } from '../graphql/context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant, as an RFC 3339 string in UTC. */
  DateTime: { input: string; output: string; }
  /** Any JSON value, such as a Kubernetes object. */
  JSON: { input: unknown; output: unknown; }
};

export type AgentCredentialRotation = {
  readonly __typename?: 'AgentCredentialRotation';
  readonly cluster: Cluster;
  /** Tunnels that were sent the new credential. */
  readonly deliveredTo: Scalars['Int']['output'];
  /** When the old credential stops holding tunnels. */
  readonly graceUntil: Scalars['DateTime']['output'];
};

export type ChangeType =
  | 'ADDED'
  | 'DELETED'
  /** This cluster's watch failed; it is retried. */
  | 'ERROR'
  /** Changes were lost for this cluster (its history is too old): list again. */
  | 'GAP'
  | 'MODIFIED';

export type Cluster = {
  readonly __typename?: 'Cluster';
  readonly agentVersion?: Maybe<Scalars['String']['output']>;
  readonly health?: Maybe<Scalars['String']['output']>;
  readonly id: Scalars['ID']['output'];
  readonly kubernetesVersion?: Maybe<Scalars['String']['output']>;
  readonly name: Scalars['String']['output'];
  readonly state: ClusterState;
  readonly stateChangedAt: Scalars['DateTime']['output'];
  readonly stateReason: Scalars['String']['output'];
  /** Nodes, capacity and pods, read by the gateway itself (not as the caller); null while disconnected. */
  readonly stats?: Maybe<ClusterStats>;
};

export type ClusterRegistration = {
  readonly __typename?: 'ClusterRegistration';
  readonly cluster: Cluster;
  readonly installCommand: Scalars['String']['output'];
  readonly registrationToken: Scalars['String']['output'];
};

export type ClusterState =
  | 'Active'
  | 'Disconnected'
  | 'Pending';

export type ClusterStats = {
  readonly __typename?: 'ClusterStats';
  readonly cpuAllocatableCores: Scalars['Float']['output'];
  readonly cpuCapacityCores: Scalars['Float']['output'];
  readonly cpuRequestedCores: Scalars['Float']['output'];
  readonly memoryAllocatableBytes: Scalars['Float']['output'];
  readonly memoryCapacityBytes: Scalars['Float']['output'];
  readonly memoryRequestedBytes: Scalars['Float']['output'];
  readonly nodeCount: Scalars['Int']['output'];
  /** Pod counts by phase, e.g. {"Running": 12, "Pending": 1}. */
  readonly podsByPhase: Scalars['JSON']['output'];
  readonly readyNodes: Scalars['Int']['output'];
};

export type ClusterStatsUpdate = {
  readonly __typename?: 'ClusterStatsUpdate';
  readonly clusterId: Scalars['ID']['output'];
  readonly stats: ClusterStats;
};

export type EventFilter = {
  readonly clusters?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
  readonly involvedObjectKind?: InputMaybe<Scalars['String']['input']>;
  readonly involvedObjectName?: InputMaybe<Scalars['String']['input']>;
  readonly namespace?: InputMaybe<Scalars['String']['input']>;
  /** Normal or Warning. */
  readonly type?: InputMaybe<Scalars['String']['input']>;
};

export type Mutation = {
  readonly __typename?: 'Mutation';
  /** Server-side apply of one object (JSON), with field manager fleetgate. */
  readonly applyManifest: ResourceResult;
  /** A new API token for the caller; the token is shown only here. */
  readonly createApiToken: NewApiToken;
  readonly createNamespace: ResourceResult;
  readonly deleteNamespace: ResourceResult;
  /** Deletes any object. */
  readonly deleteResource: ResourceResult;
  /** Administrators: register a cluster; the token is shown only here. */
  readonly registerCluster: ClusterRegistration;
  /** Administrators: remove a cluster and close its tunnels. */
  readonly removeCluster: Scalars['Boolean']['output'];
  /** Restarts a workload's pods the way kubectl rollout restart does. */
  readonly restartRollout: ResourceResult;
  /** Revokes one of the caller's tokens (any token, for administrators). */
  readonly revokeApiToken: Scalars['Boolean']['output'];
  /** Administrators: a new agent credential, sent to the connected agents; tunnels still on the old one close after graceSeconds. */
  readonly rotateAgentCredential: AgentCredentialRotation;
  /** Administrators: a new, unused registration token (to re-install the agent); the old one, if unused, works for graceSeconds more. */
  readonly rotateRegistrationToken: ClusterRegistration;
  /** Sets a workload's replicas (through its scale subresource), as the caller. */
  readonly scaleWorkload: ResourceResult;
};


export type MutationApplyManifestArgs = {
  clusterId: Scalars['ID']['input'];
  force?: InputMaybe<Scalars['Boolean']['input']>;
  manifest: Scalars['JSON']['input'];
};


export type MutationCreateApiTokenArgs = {
  description: Scalars['String']['input'];
  ttlSeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationCreateNamespaceArgs = {
  clusterId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


export type MutationDeleteNamespaceArgs = {
  clusterId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


export type MutationDeleteResourceArgs = {
  apiVersion: Scalars['String']['input'];
  clusterId: Scalars['ID']['input'];
  kind: Scalars['String']['input'];
  name: Scalars['String']['input'];
  namespace?: InputMaybe<Scalars['String']['input']>;
};


export type MutationRegisterClusterArgs = {
  name: Scalars['String']['input'];
};


export type MutationRemoveClusterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRestartRolloutArgs = {
  clusterId: Scalars['ID']['input'];
  kind: WorkloadKind;
  name: Scalars['String']['input'];
  namespace: Scalars['String']['input'];
};


export type MutationRevokeApiTokenArgs = {
  tokenId: Scalars['ID']['input'];
};


export type MutationRotateAgentCredentialArgs = {
  graceSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationRotateRegistrationTokenArgs = {
  graceSeconds?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationScaleWorkloadArgs = {
  clusterId: Scalars['ID']['input'];
  kind: WorkloadKind;
  name: Scalars['String']['input'];
  namespace: Scalars['String']['input'];
  replicas: Scalars['Int']['input'];
};

export type NewApiToken = {
  readonly __typename?: 'NewApiToken';
  readonly expiresAt: Scalars['DateTime']['output'];
  readonly token: Scalars['String']['output'];
  readonly tokenId: Scalars['ID']['output'];
};

/** Relay page information. */
export type PageInfo = {
  readonly __typename?: 'PageInfo';
  readonly endCursor?: Maybe<Scalars['String']['output']>;
  readonly hasNextPage: Scalars['Boolean']['output'];
};

export type Pod = {
  readonly __typename?: 'Pod';
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly nodeName?: Maybe<Scalars['String']['output']>;
  readonly object: Scalars['JSON']['output'];
  readonly phase?: Maybe<Scalars['String']['output']>;
};

export type PodConnection = {
  readonly __typename?: 'PodConnection';
  readonly edges: ReadonlyArray<PodEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type PodEdge = {
  readonly __typename?: 'PodEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Pod;
};

export type Query = {
  readonly __typename?: 'Query';
  readonly cluster?: Maybe<Cluster>;
  /** Every registered cluster. */
  readonly clusters: ReadonlyArray<Cluster>;
  readonly daemonsets: ResourceConnection;
  readonly deployments: ResourceConnection;
  readonly events: ResourceConnection;
  readonly jobs: ResourceConnection;
  /** Namespaces across clusters. */
  readonly namespaces: ResourceConnection;
  /** Nodes across clusters. */
  readonly nodes: ResourceConnection;
  /** Pods across clusters, as the caller sees them; one error per cluster that failed. */
  readonly pods: PodConnection;
  /** Any resource type by apiVersion and kind (custom resources too), as JSON objects. */
  readonly resources: ResourceConnection;
  /** What this gateway is and which API version it speaks. */
  readonly serverInfo: ServerInfo;
  readonly services: ResourceConnection;
  readonly statefulsets: ResourceConnection;
  /** The person asking, and who they are in every cluster. */
  readonly viewer: Viewer;
};


export type QueryClusterArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDaemonsetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNamespacesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryPodsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryResourcesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  apiVersion: Scalars['String']['input'];
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind: Scalars['String']['input'];
};


export type QueryServicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryStatefulsetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type Resource = {
  readonly __typename?: 'Resource';
  readonly clusterId: Scalars['ID']['output'];
  readonly name: Scalars['String']['output'];
  readonly namespace?: Maybe<Scalars['String']['output']>;
  readonly object: Scalars['JSON']['output'];
};

export type ResourceChange = {
  readonly __typename?: 'ResourceChange';
  readonly clusterId: Scalars['ID']['output'];
  /**
   * True when this is the latest state of an object whose earlier changes this subscriber
   * did not get: it fell behind, and while behind it is sent only the newest change of each
   * object (one that keeps falling behind even so is ended with SUBSCRIBER_TOO_SLOW).
   */
  readonly coalesced: Scalars['Boolean']['output'];
  /** Position after this message in every cluster: pass it as `since` to resume. */
  readonly cursor: Scalars['String']['output'];
  /** Why, for GAP and ERROR. */
  readonly message?: Maybe<Scalars['String']['output']>;
  /** The object (for ADDED, MODIFIED, DELETED). */
  readonly object?: Maybe<Scalars['JSON']['output']>;
  readonly type: ChangeType;
};

export type ResourceConnection = {
  readonly __typename?: 'ResourceConnection';
  readonly edges: ReadonlyArray<ResourceEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type ResourceEdge = {
  readonly __typename?: 'ResourceEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Resource;
};

/** Which objects: by default every cluster the caller can reach, every namespace. */
export type ResourceFilter = {
  readonly clusters?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
  readonly fieldSelector?: InputMaybe<Scalars['String']['input']>;
  readonly labelSelector?: InputMaybe<Scalars['String']['input']>;
  /** Objects whose name contains this text. */
  readonly nameContains?: InputMaybe<Scalars['String']['input']>;
  readonly namespace?: InputMaybe<Scalars['String']['input']>;
};

export type ResourceResult = {
  readonly __typename?: 'ResourceResult';
  readonly clusterId: Scalars['ID']['output'];
  /** The object as the apiserver answered (a Status for deletions). */
  readonly object?: Maybe<Scalars['JSON']['output']>;
};

/** Facts about the gateway process that answers. */
export type ServerInfo = {
  readonly __typename?: 'ServerInfo';
  /** When this process started. */
  readonly startedAt: Scalars['DateTime']['output'];
  /** The gateway's release, e.g. 0.1.0. */
  readonly version: Scalars['String']['output'];
};

export type Subscription = {
  readonly __typename?: 'Subscription';
  /** Cluster statistics, pushed when they change (checked every few seconds), for the chosen or all clusters. */
  readonly clusterStats: ClusterStatsUpdate;
  /** Cluster registry changes (state, health, version), for every cluster. */
  readonly clusterStatus: Cluster;
  /** Kubernetes events across clusters, live. */
  readonly events: ResourceChange;
  /**
   * Changes of one kind across clusters, as the caller's own watch sees them. Pass the last
   * message's cursor as `since` to resume after a reconnect: every change in between arrives,
   * or a GAP message says for which cluster that was impossible. A subscriber that falls
   * behind gets the latest state of each object instead of every step (`coalesced`).
   */
  readonly resourceChanges: ResourceChange;
};


export type SubscriptionClusterStatsArgs = {
  clusters?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
};


export type SubscriptionEventsArgs = {
  filter?: InputMaybe<EventFilter>;
  since?: InputMaybe<Scalars['String']['input']>;
};


export type SubscriptionResourceChangesArgs = {
  apiVersion: Scalars['String']['input'];
  filter?: InputMaybe<ResourceFilter>;
  kind: Scalars['String']['input'];
  since?: InputMaybe<Scalars['String']['input']>;
};

export type Viewer = {
  readonly __typename?: 'Viewer';
  readonly groups: ReadonlyArray<Scalars['String']['output']>;
  readonly isAdmin: Scalars['Boolean']['output'];
  readonly kubernetesGroups: ReadonlyArray<Scalars['String']['output']>;
  /** The Kubernetes user every cluster sees for this person. */
  readonly kubernetesUser: Scalars['String']['output'];
  readonly name: Scalars['String']['output'];
  readonly principalId: Scalars['String']['output'];
  readonly provider: Scalars['String']['output'];
};

export type WorkloadKind =
  | 'Deployment'
  | 'ReplicaSet'
  | 'StatefulSet';

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  AgentCredentialRotation: ResolverTypeWrapper<Omit<AgentCredentialRotation, 'cluster'> & { cluster: ResolversTypes['Cluster'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChangeType: ChangeType;
  Cluster: ResolverTypeWrapper<ClusterModel>;
  ClusterRegistration: ResolverTypeWrapper<Omit<ClusterRegistration, 'cluster'> & { cluster: ResolversTypes['Cluster'] }>;
  ClusterState: ClusterState;
  ClusterStats: ResolverTypeWrapper<ClusterStats>;
  ClusterStatsUpdate: ResolverTypeWrapper<ClusterStatsUpdate>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  EventFilter: EventFilter;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NewApiToken: ResolverTypeWrapper<NewApiToken>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Pod: ResolverTypeWrapper<ResourceItem>;
  PodConnection: ResolverTypeWrapper<Omit<PodConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['PodEdge']> }>;
  PodEdge: ResolverTypeWrapper<Omit<PodEdge, 'node'> & { node: ResolversTypes['Pod'] }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Resource: ResolverTypeWrapper<ResourceItem>;
  ResourceChange: ResolverTypeWrapper<ChangeMessage>;
  ResourceConnection: ResolverTypeWrapper<Omit<ResourceConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['ResourceEdge']> }>;
  ResourceEdge: ResolverTypeWrapper<Omit<ResourceEdge, 'node'> & { node: ResolversTypes['Resource'] }>;
  ResourceFilter: ResourceFilter;
  ResourceResult: ResolverTypeWrapper<ResourceResult>;
  ServerInfo: ResolverTypeWrapper<ServerInfo>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Viewer: ResolverTypeWrapper<Viewer>;
  WorkloadKind: WorkloadKind;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AgentCredentialRotation: Omit<AgentCredentialRotation, 'cluster'> & { cluster: ResolversParentTypes['Cluster'] };
  Boolean: Scalars['Boolean']['output'];
  Cluster: ClusterModel;
  ClusterRegistration: Omit<ClusterRegistration, 'cluster'> & { cluster: ResolversParentTypes['Cluster'] };
  ClusterStats: ClusterStats;
  ClusterStatsUpdate: ClusterStatsUpdate;
  DateTime: Scalars['DateTime']['output'];
  EventFilter: EventFilter;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  NewApiToken: NewApiToken;
  PageInfo: PageInfo;
  Pod: ResourceItem;
  PodConnection: Omit<PodConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['PodEdge']> };
  PodEdge: Omit<PodEdge, 'node'> & { node: ResolversParentTypes['Pod'] };
  Query: Record<PropertyKey, never>;
  Resource: ResourceItem;
  ResourceChange: ChangeMessage;
  ResourceConnection: Omit<ResourceConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['ResourceEdge']> };
  ResourceEdge: Omit<ResourceEdge, 'node'> & { node: ResolversParentTypes['Resource'] };
  ResourceFilter: ResourceFilter;
  ResourceResult: ResourceResult;
  ServerInfo: ServerInfo;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  Viewer: Viewer;
}>;

export type AgentCredentialRotationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AgentCredentialRotation'] = ResolversParentTypes['AgentCredentialRotation']> = ResolversObject<{
  cluster?: Resolver<ResolversTypes['Cluster'], ParentType, ContextType>;
  deliveredTo?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  graceUntil?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type ClusterResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Cluster'] = ResolversParentTypes['Cluster']> = ResolversObject<{
  agentVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  health?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kubernetesVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['ClusterState'], ParentType, ContextType>;
  stateChangedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  stateReason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  stats?: Resolver<Maybe<ResolversTypes['ClusterStats']>, ParentType, ContextType>;
}>;

export type ClusterRegistrationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ClusterRegistration'] = ResolversParentTypes['ClusterRegistration']> = ResolversObject<{
  cluster?: Resolver<ResolversTypes['Cluster'], ParentType, ContextType>;
  installCommand?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  registrationToken?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ClusterStatsResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ClusterStats'] = ResolversParentTypes['ClusterStats']> = ResolversObject<{
  cpuAllocatableCores?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  cpuCapacityCores?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  cpuRequestedCores?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  memoryAllocatableBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  memoryCapacityBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  memoryRequestedBytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  nodeCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  podsByPhase?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  readyNodes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ClusterStatsUpdateResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ClusterStatsUpdate'] = ResolversParentTypes['ClusterStatsUpdate']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  stats?: Resolver<ResolversTypes['ClusterStats'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  applyManifest?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationApplyManifestArgs, 'clusterId' | 'force' | 'manifest'>>;
  createApiToken?: Resolver<ResolversTypes['NewApiToken'], ParentType, ContextType, RequireFields<MutationCreateApiTokenArgs, 'description' | 'ttlSeconds'>>;
  createNamespace?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationCreateNamespaceArgs, 'clusterId' | 'name'>>;
  deleteNamespace?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationDeleteNamespaceArgs, 'clusterId' | 'name'>>;
  deleteResource?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationDeleteResourceArgs, 'apiVersion' | 'clusterId' | 'kind' | 'name'>>;
  registerCluster?: Resolver<ResolversTypes['ClusterRegistration'], ParentType, ContextType, RequireFields<MutationRegisterClusterArgs, 'name'>>;
  removeCluster?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveClusterArgs, 'id'>>;
  restartRollout?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationRestartRolloutArgs, 'clusterId' | 'kind' | 'name' | 'namespace'>>;
  revokeApiToken?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeApiTokenArgs, 'tokenId'>>;
  rotateAgentCredential?: Resolver<ResolversTypes['AgentCredentialRotation'], ParentType, ContextType, RequireFields<MutationRotateAgentCredentialArgs, 'graceSeconds' | 'id'>>;
  rotateRegistrationToken?: Resolver<ResolversTypes['ClusterRegistration'], ParentType, ContextType, RequireFields<MutationRotateRegistrationTokenArgs, 'graceSeconds' | 'id'>>;
  scaleWorkload?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationScaleWorkloadArgs, 'clusterId' | 'kind' | 'name' | 'namespace' | 'replicas'>>;
}>;

export type NewApiTokenResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NewApiToken'] = ResolversParentTypes['NewApiToken']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tokenId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PodResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Pod'] = ResolversParentTypes['Pod']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  nodeName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  phase?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PodConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PodConnection'] = ResolversParentTypes['PodConnection']> = ResolversObject<{
  edges?: Resolver<ReadonlyArray<ResolversTypes['PodEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PodEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PodEdge'] = ResolversParentTypes['PodEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Pod'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  cluster?: Resolver<Maybe<ResolversTypes['Cluster']>, ParentType, ContextType, RequireFields<QueryClusterArgs, 'id'>>;
  clusters?: Resolver<ReadonlyArray<ResolversTypes['Cluster']>, ParentType, ContextType>;
  daemonsets?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryDaemonsetsArgs, 'first'>>;
  deployments?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryDeploymentsArgs, 'first'>>;
  events?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryEventsArgs, 'first'>>;
  jobs?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryJobsArgs, 'first'>>;
  namespaces?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryNamespacesArgs, 'first'>>;
  nodes?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryNodesArgs, 'first'>>;
  pods?: Resolver<ResolversTypes['PodConnection'], ParentType, ContextType, RequireFields<QueryPodsArgs, 'first'>>;
  resources?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryResourcesArgs, 'apiVersion' | 'first' | 'kind'>>;
  serverInfo?: Resolver<ResolversTypes['ServerInfo'], ParentType, ContextType>;
  services?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryServicesArgs, 'first'>>;
  statefulsets?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryStatefulsetsArgs, 'first'>>;
  viewer?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
}>;

export type ResourceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Resource'] = ResolversParentTypes['Resource']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
}>;

export type ResourceChangeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ResourceChange'] = ResolversParentTypes['ResourceChange']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  coalesced?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['ChangeType'], ParentType, ContextType>;
}>;

export type ResourceConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ResourceConnection'] = ResolversParentTypes['ResourceConnection']> = ResolversObject<{
  edges?: Resolver<ReadonlyArray<ResolversTypes['ResourceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ResourceEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ResourceEdge'] = ResolversParentTypes['ResourceEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Resource'], ParentType, ContextType>;
}>;

export type ResourceResultResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ResourceResult'] = ResolversParentTypes['ResourceResult']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  object?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
}>;

export type ServerInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServerInfo'] = ResolversParentTypes['ServerInfo']> = ResolversObject<{
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  clusterStats?: SubscriptionResolver<ResolversTypes['ClusterStatsUpdate'], "clusterStats", ParentType, ContextType, Partial<SubscriptionClusterStatsArgs>>;
  clusterStatus?: SubscriptionResolver<ResolversTypes['Cluster'], "clusterStatus", ParentType, ContextType>;
  events?: SubscriptionResolver<ResolversTypes['ResourceChange'], "events", ParentType, ContextType, Partial<SubscriptionEventsArgs>>;
  resourceChanges?: SubscriptionResolver<ResolversTypes['ResourceChange'], "resourceChanges", ParentType, ContextType, RequireFields<SubscriptionResourceChangesArgs, 'apiVersion' | 'kind'>>;
}>;

export type ViewerResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Viewer'] = ResolversParentTypes['Viewer']> = ResolversObject<{
  groups?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  isAdmin?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  kubernetesGroups?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  kubernetesUser?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  principalId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = GraphQLContext> = ResolversObject<{
  AgentCredentialRotation?: AgentCredentialRotationResolvers<ContextType>;
  Cluster?: ClusterResolvers<ContextType>;
  ClusterRegistration?: ClusterRegistrationResolvers<ContextType>;
  ClusterStats?: ClusterStatsResolvers<ContextType>;
  ClusterStatsUpdate?: ClusterStatsUpdateResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  NewApiToken?: NewApiTokenResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Pod?: PodResolvers<ContextType>;
  PodConnection?: PodConnectionResolvers<ContextType>;
  PodEdge?: PodEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Resource?: ResourceResolvers<ContextType>;
  ResourceChange?: ResourceChangeResolvers<ContextType>;
  ResourceConnection?: ResourceConnectionResolvers<ContextType>;
  ResourceEdge?: ResourceEdgeResolvers<ContextType>;
  ResourceResult?: ResourceResultResolvers<ContextType>;
  ServerInfo?: ServerInfoResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
}>;

