import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Cluster as ClusterModel } from '../clusters/cluster.ts';
import type { ResourceItem } from '../kube/resource-item.ts';
import type { RoleTemplate as RoleTemplateModel, Subject as SubjectModel, Membership as MembershipModel, GlobalRoleGrant as GlobalRoleGrantModel } from '../access/access-model.ts';
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

export type AccessExplanation = {
  readonly __typename?: 'AccessExplanation';
  /** The cluster's answer. */
  readonly allowed: Scalars['Boolean']['output'];
  /** The memberships whose templates grant it there. */
  readonly grantedBy: ReadonlyArray<AccessGrant>;
  /** The cluster's reason (it names the binding that allowed it), or why nothing did. */
  readonly reason: Scalars['String']['output'];
};

export type AccessGrant = {
  readonly __typename?: 'AccessGrant';
  readonly membership: Membership;
  readonly templateId: Scalars['ID']['output'];
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

/** One cluster's part of a list: how many of its objects matched, and whether they are a copy. */
export type ClusterCount = {
  readonly __typename?: 'ClusterCount';
  readonly clusterId: Scalars['ID']['output'];
  /** Answered from the gateway's last copy (allowStale) because the cluster could not be reached. */
  readonly stale: Scalars['Boolean']['output'];
  /** When that copy stopped being kept current. */
  readonly staleSince?: Maybe<Scalars['DateTime']['output']>;
  readonly totalCount: Scalars['Int']['output'];
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

/** A status condition, as most kinds report them. */
export type Condition = {
  readonly __typename?: 'Condition';
  readonly lastTransitionTime?: Maybe<Scalars['DateTime']['output']>;
  readonly message?: Maybe<Scalars['String']['output']>;
  readonly reason?: Maybe<Scalars['String']['output']>;
  readonly status: Scalars['String']['output'];
  readonly type: Scalars['String']['output'];
};

export type ContainerStatus = {
  readonly __typename?: 'ContainerStatus';
  readonly image?: Maybe<Scalars['String']['output']>;
  readonly name: Scalars['String']['output'];
  readonly ready: Scalars['Boolean']['output'];
  readonly restartCount: Scalars['Int']['output'];
  /** waiting, running or terminated */
  readonly state?: Maybe<Scalars['String']['output']>;
  /** Why it waits or ended (e.g. CrashLoopBackOff), if it does. */
  readonly stateReason?: Maybe<Scalars['String']['output']>;
};

export type DaemonSet = KubeResource & {
  readonly __typename?: 'DaemonSet';
  readonly clusterId: Scalars['ID']['output'];
  readonly conditions: ReadonlyArray<Condition>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly images: ReadonlyArray<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  readonly ready: Scalars['Boolean']['output'];
  readonly replicas: Replicas;
};

export type DaemonSetConnection = {
  readonly __typename?: 'DaemonSetConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<DaemonSetEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type DaemonSetEdge = {
  readonly __typename?: 'DaemonSetEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: DaemonSet;
};

export type Deployment = KubeResource & {
  readonly __typename?: 'Deployment';
  readonly clusterId: Scalars['ID']['output'];
  readonly conditions: ReadonlyArray<Condition>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly images: ReadonlyArray<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  /** Every desired replica is ready. */
  readonly ready: Scalars['Boolean']['output'];
  readonly replicas: Replicas;
};

export type DeploymentConnection = {
  readonly __typename?: 'DeploymentConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<DeploymentEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type DeploymentEdge = {
  readonly __typename?: 'DeploymentEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Deployment;
};

export type Event = KubeResource & {
  readonly __typename?: 'Event';
  readonly clusterId: Scalars['ID']['output'];
  readonly count: Scalars['Int']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly firstSeen?: Maybe<Scalars['DateTime']['output']>;
  readonly involvedObject: ObjectReference;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly lastSeen?: Maybe<Scalars['DateTime']['output']>;
  readonly message?: Maybe<Scalars['String']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  readonly reason?: Maybe<Scalars['String']['output']>;
  /** Normal or Warning. */
  readonly type?: Maybe<Scalars['String']['output']>;
};

export type EventConnection = {
  readonly __typename?: 'EventConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<EventEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type EventEdge = {
  readonly __typename?: 'EventEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Event;
};

export type EventFilter = {
  readonly clusters?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
  readonly involvedObjectKind?: InputMaybe<Scalars['String']['input']>;
  readonly involvedObjectName?: InputMaybe<Scalars['String']['input']>;
  readonly namespace?: InputMaybe<Scalars['String']['input']>;
  /** Normal or Warning. */
  readonly type?: InputMaybe<Scalars['String']['input']>;
};

export type ExplainAccessInput = {
  readonly clusterId: Scalars['ID']['input'];
  /** API group; empty for the core group. */
  readonly group?: InputMaybe<Scalars['String']['input']>;
  readonly name?: InputMaybe<Scalars['String']['input']>;
  readonly namespace?: InputMaybe<Scalars['String']['input']>;
  readonly resource: Scalars['String']['input'];
  /** The person, by downstream user name: local:alice. */
  readonly subjectName: Scalars['String']['input'];
  readonly subresource?: InputMaybe<Scalars['String']['input']>;
  readonly verb: Scalars['String']['input'];
};

export type GlobalRole = {
  readonly __typename?: 'GlobalRole';
  readonly builtIn: Scalars['Boolean']['output'];
  readonly description: Scalars['String']['output'];
  readonly globalRoleId: Scalars['ID']['output'];
  readonly permissions: ReadonlyArray<Scalars['String']['output']>;
};

export type GlobalRoleGrant = {
  readonly __typename?: 'GlobalRoleGrant';
  readonly createdAt: Scalars['DateTime']['output'];
  readonly globalRoleId: Scalars['ID']['output'];
  readonly grantId: Scalars['ID']['output'];
  readonly subject: Subject;
};

export type GlobalRoleGrantInput = {
  readonly globalRoleId: Scalars['ID']['input'];
  readonly subjectKind: SubjectKind;
  readonly subjectName: Scalars['String']['input'];
};

export type GlobalRoleInput = {
  readonly description?: InputMaybe<Scalars['String']['input']>;
  readonly globalRoleId: Scalars['ID']['input'];
  readonly permissions: ReadonlyArray<Scalars['String']['input']>;
};

export type Job = KubeResource & {
  readonly __typename?: 'Job';
  readonly active: Scalars['Int']['output'];
  readonly clusterId: Scalars['ID']['output'];
  readonly complete: Scalars['Boolean']['output'];
  readonly completionTime?: Maybe<Scalars['DateTime']['output']>;
  readonly completions?: Maybe<Scalars['Int']['output']>;
  readonly conditions: ReadonlyArray<Condition>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly failed: Scalars['Int']['output'];
  readonly images: ReadonlyArray<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  readonly startTime?: Maybe<Scalars['DateTime']['output']>;
  readonly succeeded: Scalars['Int']['output'];
};

export type JobConnection = {
  readonly __typename?: 'JobConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<JobEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type JobEdge = {
  readonly __typename?: 'JobEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Job;
};

/** What every object carries, whatever its kind. */
export type KubeResource = {
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace?: Maybe<Scalars['String']['output']>;
  /** The whole object as the cluster serves it (without managedFields). */
  readonly object: Scalars['JSON']['output'];
};

export type Membership = {
  readonly __typename?: 'Membership';
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt: Scalars['DateTime']['output'];
  readonly membershipId: Scalars['ID']['output'];
  /** Set for a project membership. */
  readonly projectId?: Maybe<Scalars['ID']['output']>;
  readonly status: MembershipStatus;
  readonly subject: Subject;
  readonly templateId: Scalars['ID']['output'];
};

/** A membership in a cluster (clusterId) or in a project (projectId): one of the two. */
export type MembershipInput = {
  readonly clusterId?: InputMaybe<Scalars['ID']['input']>;
  readonly projectId?: InputMaybe<Scalars['ID']['input']>;
  readonly subjectKind: SubjectKind;
  readonly subjectName: Scalars['String']['input'];
  readonly templateId: Scalars['ID']['input'];
};

export type MembershipState =
  | 'Applied'
  | 'Error'
  | 'Pending';

/** How far the cluster's controller got with a membership, and when. */
export type MembershipStatus = {
  readonly __typename?: 'MembershipStatus';
  readonly at: Scalars['DateTime']['output'];
  readonly message: Scalars['String']['output'];
  readonly state: MembershipState;
};

export type Mutation = {
  readonly __typename?: 'Mutation';
  /** memberships:manage, or the cluster's (project's) owner: a membership. */
  readonly addMembership: Membership;
  /** projects:manage or the cluster's owner: namespaces join the project (created when missing). */
  readonly addProjectNamespaces: Project;
  /** Server-side apply of one object (JSON), with field manager fleetgate. */
  readonly applyManifest: ResourceResult;
  /** A new API token for the caller; the token is shown only here. */
  readonly createApiToken: NewApiToken;
  /** global-roles:manage: a custom global role from the gateway's permissions. */
  readonly createGlobalRole: GlobalRole;
  readonly createNamespace: ResourceResult;
  /** projects:manage or the cluster's owner: a project of namespaces. */
  readonly createProject: Project;
  /** A project member or owner: creates a new namespace inside the project, named <project name>-<anything> (projects:manage or the cluster's owner: any free name). */
  readonly createProjectNamespace: Project;
  /** templates:manage: a custom role template. */
  readonly createRoleTemplate: RoleTemplate;
  /** global-roles:manage: deletes a custom global role and its grants. */
  readonly deleteGlobalRole: Scalars['Boolean']['output'];
  readonly deleteNamespace: ResourceResult;
  /** projects:manage or the cluster's owner: deletes a project and its memberships. */
  readonly deleteProject: Scalars['Boolean']['output'];
  /** Deletes any object. */
  readonly deleteResource: ResourceResult;
  /** templates:manage: deletes a custom template no membership uses and no template includes. */
  readonly deleteRoleTemplate: Scalars['Boolean']['output'];
  /** global-roles:manage: grants a global role to a user or a group. */
  readonly grantGlobalRole: GlobalRoleGrant;
  /** Administrators: register a cluster; the token is shown only here. */
  readonly registerCluster: ClusterRegistration;
  /** Administrators: remove a cluster and close its tunnels. */
  readonly removeCluster: Scalars['Boolean']['output'];
  /** memberships:manage, or the cluster's (project's) owner: removes a membership. */
  readonly removeMembership: Scalars['Boolean']['output'];
  /** projects:manage or the project's owner: namespaces leave the project (they stay, without its label). */
  readonly removeProjectNamespaces: Project;
  /** Restarts a workload's pods the way kubectl rollout restart does. */
  readonly restartRollout: ResourceResult;
  /** Revokes one of the caller's tokens (any token, for administrators). */
  readonly revokeApiToken: Scalars['Boolean']['output'];
  /** global-roles:manage: takes a grant back. */
  readonly revokeGlobalRole: Scalars['Boolean']['output'];
  /** Administrators: a new agent credential, sent to the connected agents; tunnels still on the old one close after graceSeconds. */
  readonly rotateAgentCredential: AgentCredentialRotation;
  /** Administrators: a new, unused registration token (to re-install the agent); the old one, if unused, works for graceSeconds more. */
  readonly rotateRegistrationToken: ClusterRegistration;
  /** Sets a workload's replicas (through its scale subresource), as the caller. */
  readonly scaleWorkload: ResourceResult;
  /** templates:manage: replaces a custom template's rules, inclusions and description (not its context). */
  readonly updateRoleTemplate: RoleTemplate;
};


export type MutationAddMembershipArgs = {
  input: MembershipInput;
};


export type MutationAddProjectNamespacesArgs = {
  namespaces: ReadonlyArray<Scalars['String']['input']>;
  projectId: Scalars['ID']['input'];
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


export type MutationCreateGlobalRoleArgs = {
  input: GlobalRoleInput;
};


export type MutationCreateNamespaceArgs = {
  clusterId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


export type MutationCreateProjectArgs = {
  input: ProjectInput;
};


export type MutationCreateProjectNamespaceArgs = {
  namespace: Scalars['String']['input'];
  projectId: Scalars['ID']['input'];
};


export type MutationCreateRoleTemplateArgs = {
  input: RoleTemplateInput;
};


export type MutationDeleteGlobalRoleArgs = {
  globalRoleId: Scalars['ID']['input'];
};


export type MutationDeleteNamespaceArgs = {
  clusterId: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


export type MutationDeleteProjectArgs = {
  projectId: Scalars['ID']['input'];
};


export type MutationDeleteResourceArgs = {
  apiVersion: Scalars['String']['input'];
  clusterId: Scalars['ID']['input'];
  kind: Scalars['String']['input'];
  name: Scalars['String']['input'];
  namespace?: InputMaybe<Scalars['String']['input']>;
};


export type MutationDeleteRoleTemplateArgs = {
  templateId: Scalars['ID']['input'];
};


export type MutationGrantGlobalRoleArgs = {
  input: GlobalRoleGrantInput;
};


export type MutationRegisterClusterArgs = {
  name: Scalars['String']['input'];
};


export type MutationRemoveClusterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRemoveMembershipArgs = {
  membershipId: Scalars['ID']['input'];
};


export type MutationRemoveProjectNamespacesArgs = {
  namespaces: ReadonlyArray<Scalars['String']['input']>;
  projectId: Scalars['ID']['input'];
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


export type MutationRevokeGlobalRoleArgs = {
  grantId: Scalars['ID']['input'];
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


export type MutationUpdateRoleTemplateArgs = {
  input: RoleTemplateInput;
};

export type Namespace = KubeResource & {
  readonly __typename?: 'Namespace';
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace?: Maybe<Scalars['String']['output']>;
  readonly object: Scalars['JSON']['output'];
  readonly phase?: Maybe<Scalars['String']['output']>;
};

export type NamespaceConnection = {
  readonly __typename?: 'NamespaceConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<NamespaceEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type NamespaceEdge = {
  readonly __typename?: 'NamespaceEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Namespace;
};

export type NewApiToken = {
  readonly __typename?: 'NewApiToken';
  readonly expiresAt: Scalars['DateTime']['output'];
  readonly token: Scalars['String']['output'];
  readonly tokenId: Scalars['ID']['output'];
};

export type Node = KubeResource & {
  readonly __typename?: 'Node';
  readonly allocatable: NodeResources;
  readonly capacity: NodeResources;
  readonly clusterId: Scalars['ID']['output'];
  readonly conditions: ReadonlyArray<Condition>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly internalIP?: Maybe<Scalars['String']['output']>;
  readonly kubeletVersion?: Maybe<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace?: Maybe<Scalars['String']['output']>;
  readonly object: Scalars['JSON']['output'];
  readonly ready: Scalars['Boolean']['output'];
  /** From node-role.kubernetes.io/<role> labels (kubectl's ROLES). */
  readonly roles: ReadonlyArray<Scalars['String']['output']>;
  readonly unschedulable: Scalars['Boolean']['output'];
};

export type NodeConnection = {
  readonly __typename?: 'NodeConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<NodeEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type NodeEdge = {
  readonly __typename?: 'NodeEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Node;
};

/** CPU in cores, memory in bytes, pods as a count. */
export type NodeResources = {
  readonly __typename?: 'NodeResources';
  readonly cpuCores?: Maybe<Scalars['Float']['output']>;
  readonly memoryBytes?: Maybe<Scalars['Float']['output']>;
  readonly pods?: Maybe<Scalars['Int']['output']>;
};

export type ObjectReference = {
  readonly __typename?: 'ObjectReference';
  readonly apiVersion?: Maybe<Scalars['String']['output']>;
  readonly kind?: Maybe<Scalars['String']['output']>;
  readonly name?: Maybe<Scalars['String']['output']>;
  readonly namespace?: Maybe<Scalars['String']['output']>;
  readonly uid?: Maybe<Scalars['String']['output']>;
};

/** Relay page information. */
export type PageInfo = {
  readonly __typename?: 'PageInfo';
  readonly endCursor?: Maybe<Scalars['String']['output']>;
  readonly hasNextPage: Scalars['Boolean']['output'];
};

export type Pod = KubeResource & {
  readonly __typename?: 'Pod';
  readonly clusterId: Scalars['ID']['output'];
  readonly conditions: ReadonlyArray<Condition>;
  readonly containers: ReadonlyArray<ContainerStatus>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly images: ReadonlyArray<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly nodeName?: Maybe<Scalars['String']['output']>;
  readonly object: Scalars['JSON']['output'];
  readonly phase?: Maybe<Scalars['String']['output']>;
  readonly podIP?: Maybe<Scalars['String']['output']>;
  readonly ready: Scalars['Boolean']['output'];
  /** Containers ready (kubectl's READY is readyContainers/totalContainers). */
  readonly readyContainers: Scalars['Int']['output'];
  /** Containers restarts, summed (kubectl's RESTARTS). */
  readonly restarts: Scalars['Int']['output'];
  readonly totalContainers: Scalars['Int']['output'];
};

export type PodConnection = {
  readonly __typename?: 'PodConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<PodEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

/** One group of pods: the fields grouped by are set, the others null. */
export type PodCount = {
  readonly __typename?: 'PodCount';
  readonly clusterId?: Maybe<Scalars['ID']['output']>;
  readonly count: Scalars['Int']['output'];
  readonly namespace?: Maybe<Scalars['String']['output']>;
  readonly nodeName?: Maybe<Scalars['String']['output']>;
  readonly phase?: Maybe<Scalars['String']['output']>;
};

export type PodEdge = {
  readonly __typename?: 'PodEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Pod;
};

export type PodGroupBy =
  | 'CLUSTER'
  | 'NAMESPACE'
  | 'NODE'
  | 'PHASE';

/** One Kubernetes RBAC rule. */
export type PolicyRule = {
  readonly __typename?: 'PolicyRule';
  readonly apiGroups?: Maybe<ReadonlyArray<Scalars['String']['output']>>;
  readonly nonResourceURLs?: Maybe<ReadonlyArray<Scalars['String']['output']>>;
  readonly resourceNames?: Maybe<ReadonlyArray<Scalars['String']['output']>>;
  readonly resources?: Maybe<ReadonlyArray<Scalars['String']['output']>>;
  readonly verbs: ReadonlyArray<Scalars['String']['output']>;
};

export type PolicyRuleInput = {
  readonly apiGroups?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly nonResourceURLs?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly resourceNames?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly resources?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
  readonly verbs: ReadonlyArray<Scalars['String']['input']>;
};

export type Project = {
  readonly __typename?: 'Project';
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt: Scalars['DateTime']['output'];
  readonly name: Scalars['String']['output'];
  readonly namespaces: ReadonlyArray<Scalars['String']['output']>;
  readonly projectId: Scalars['ID']['output'];
};

export type ProjectInput = {
  readonly clusterId: Scalars['ID']['input'];
  readonly name: Scalars['String']['input'];
  readonly namespaces?: InputMaybe<ReadonlyArray<Scalars['String']['input']>>;
};

export type Query = {
  readonly __typename?: 'Query';
  readonly cluster?: Maybe<Cluster>;
  /** Every registered cluster. */
  readonly clusters: ReadonlyArray<Cluster>;
  /** DaemonSets. Sort fields: as deployments. */
  readonly daemonsets: DaemonSetConnection;
  /** Deployments. Sort fields: name, namespace, cluster, createdAt, readyReplicas, desiredReplicas, ready. */
  readonly deployments: DeploymentConnection;
  /** Events (core v1). Sort fields: name, namespace, cluster, createdAt, type, reason, count, lastSeen. */
  readonly events: EventConnection;
  /** Whether a person may do something in a cluster, as the cluster answers, and the memberships that grant it. */
  readonly explainAccess: AccessExplanation;
  /** Who holds which custom global role. */
  readonly globalRoleGrants: ReadonlyArray<GlobalRoleGrant>;
  /** Every global role: the built-ins and the custom ones. */
  readonly globalRoles: ReadonlyArray<GlobalRole>;
  /** Jobs. Sort fields: name, namespace, cluster, createdAt, succeeded, failed, active, complete. */
  readonly jobs: JobConnection;
  /** Memberships, of one cluster or one project, or all; each with its controller's status. */
  readonly memberships: ReadonlyArray<Membership>;
  /** The caller's own gateway permissions. */
  readonly myPermissions: ReadonlyArray<Scalars['String']['output']>;
  /** Namespaces across clusters. Sort fields: name, cluster, createdAt, phase. */
  readonly namespaces: NamespaceConnection;
  /** Nodes across clusters. Sort fields: name, cluster, createdAt, ready, kubeletVersion. */
  readonly nodes: NodeConnection;
  /**
   * Pods counted in groups, across clusters, of what the caller may see (each cluster's own
   * RBAC decides, as for pods). groupBy names at least one of CLUSTER, NAMESPACE, PHASE, NODE.
   */
  readonly podCounts: ReadonlyArray<PodCount>;
  /**
   * Pods across clusters, as the caller sees them; one error per cluster that failed.
   * Sort fields: name, namespace, cluster, createdAt, phase, restarts, nodeName, ready.
   */
  readonly pods: PodConnection;
  /** Projects, of one cluster or of all. */
  readonly projects: ReadonlyArray<Project>;
  /** Any resource type by apiVersion and kind (custom resources too), as JSON objects. Sort fields: name, namespace, cluster, createdAt. */
  readonly resources: ResourceConnection;
  /** Every role template: the built-ins and the custom ones. */
  readonly roleTemplates: ReadonlyArray<RoleTemplate>;
  /** What this gateway is and which API version it speaks. */
  readonly serverInfo: ServerInfo;
  /** Services. Sort fields: name, namespace, cluster, createdAt, type. */
  readonly services: ServiceConnection;
  /** StatefulSets. Sort fields: as deployments. */
  readonly statefulsets: StatefulSetConnection;
  /** The person asking, and who they are in every cluster. */
  readonly viewer: Viewer;
  /** Deployments, StatefulSets and DaemonSets with fewer ready replicas than desired, per cluster. */
  readonly workloadsNotReady: ReadonlyArray<WorkloadsNotReady>;
};


export type QueryClusterArgs = {
  id: Scalars['ID']['input'];
};


export type QueryDaemonsetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryDeploymentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryExplainAccessArgs = {
  input: ExplainAccessInput;
};


export type QueryJobsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryMembershipsArgs = {
  clusterId?: InputMaybe<Scalars['ID']['input']>;
  projectId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryNamespacesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryNodesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryPodCountsArgs = {
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  groupBy: ReadonlyArray<PodGroupBy>;
};


export type QueryPodsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryProjectsArgs = {
  clusterId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryResourcesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  apiVersion: Scalars['String']['input'];
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind: Scalars['String']['input'];
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryServicesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryStatefulsetsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ReadonlyArray<ResourceSort>>;
};


export type QueryWorkloadsNotReadyArgs = {
  allowStale?: InputMaybe<Scalars['Boolean']['input']>;
  filter?: InputMaybe<ResourceFilter>;
};

/** Replica counts of a Deployment, StatefulSet or DaemonSet (for a DaemonSet: nodes scheduled). */
export type Replicas = {
  readonly __typename?: 'Replicas';
  readonly available: Scalars['Int']['output'];
  readonly desired: Scalars['Int']['output'];
  readonly ready: Scalars['Int']['output'];
  readonly updated: Scalars['Int']['output'];
};

/** An object of any kind, as JSON. */
export type Resource = KubeResource & {
  readonly __typename?: 'Resource';
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
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
  readonly clusters: ReadonlyArray<ClusterCount>;
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

/**
 * One field a list is ordered by. Every order ends with cluster, namespace and name, so that
 * pages never skip or repeat an object; an unknown field is refused with BAD_USER_INPUT naming
 * the fields the kind accepts.
 */
export type ResourceSort = {
  readonly direction?: InputMaybe<SortDirection>;
  readonly field: Scalars['String']['input'];
};

export type RoleTemplate = {
  readonly __typename?: 'RoleTemplate';
  readonly builtIn: Scalars['Boolean']['output'];
  readonly context: TemplateContext;
  readonly description: Scalars['String']['output'];
  /** Templates whose rules it adds to its own. */
  readonly includes: ReadonlyArray<Scalars['ID']['output']>;
  /** Its own rules. */
  readonly rules: ReadonlyArray<PolicyRule>;
  readonly templateId: Scalars['ID']['output'];
};

export type RoleTemplateInput = {
  readonly context: TemplateContext;
  readonly description?: InputMaybe<Scalars['String']['input']>;
  readonly includes?: InputMaybe<ReadonlyArray<Scalars['ID']['input']>>;
  readonly rules: ReadonlyArray<PolicyRuleInput>;
  readonly templateId: Scalars['ID']['input'];
};

/** Facts about the gateway process that answers. */
export type ServerInfo = {
  readonly __typename?: 'ServerInfo';
  /** When this process started. */
  readonly startedAt: Scalars['DateTime']['output'];
  /** The gateway's release, e.g. 0.1.0. */
  readonly version: Scalars['String']['output'];
};

export type Service = KubeResource & {
  readonly __typename?: 'Service';
  readonly clusterIP?: Maybe<Scalars['String']['output']>;
  readonly clusterId: Scalars['ID']['output'];
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  readonly ports: ReadonlyArray<ServicePort>;
  readonly type: Scalars['String']['output'];
};

export type ServiceConnection = {
  readonly __typename?: 'ServiceConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<ServiceEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type ServiceEdge = {
  readonly __typename?: 'ServiceEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: Service;
};

export type ServicePort = {
  readonly __typename?: 'ServicePort';
  readonly name?: Maybe<Scalars['String']['output']>;
  readonly nodePort?: Maybe<Scalars['Int']['output']>;
  readonly port: Scalars['Int']['output'];
  readonly protocol: Scalars['String']['output'];
  /** A number or a port name. */
  readonly targetPort?: Maybe<Scalars['String']['output']>;
};

export type SortDirection =
  | 'ASC'
  | 'DESC';

export type StatefulSet = KubeResource & {
  readonly __typename?: 'StatefulSet';
  readonly clusterId: Scalars['ID']['output'];
  readonly conditions: ReadonlyArray<Condition>;
  readonly createdAt?: Maybe<Scalars['DateTime']['output']>;
  readonly images: ReadonlyArray<Scalars['String']['output']>;
  readonly labels?: Maybe<Scalars['JSON']['output']>;
  readonly name: Scalars['String']['output'];
  readonly namespace: Scalars['String']['output'];
  readonly object: Scalars['JSON']['output'];
  readonly ready: Scalars['Boolean']['output'];
  readonly replicas: Replicas;
};

export type StatefulSetConnection = {
  readonly __typename?: 'StatefulSetConnection';
  readonly clusters: ReadonlyArray<ClusterCount>;
  readonly edges: ReadonlyArray<StatefulSetEdge>;
  readonly pageInfo: PageInfo;
  readonly totalCount: Scalars['Int']['output'];
};

export type StatefulSetEdge = {
  readonly __typename?: 'StatefulSetEdge';
  readonly cursor: Scalars['String']['output'];
  readonly node: StatefulSet;
};

/** A user or a group, by downstream name (local:alice, oidc:platform). */
export type Subject = {
  readonly __typename?: 'Subject';
  readonly kind: SubjectKind;
  readonly name: Scalars['String']['output'];
};

export type SubjectKind =
  | 'GROUP'
  | 'USER';

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

export type TemplateContext =
  | 'CLUSTER'
  | 'PROJECT';

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

export type WorkloadsNotReady = {
  readonly __typename?: 'WorkloadsNotReady';
  readonly clusterId: Scalars['ID']['output'];
  readonly daemonSets: Scalars['Int']['output'];
  readonly deployments: Scalars['Int']['output'];
  readonly statefulSets: Scalars['Int']['output'];
  readonly total: Scalars['Int']['output'];
};

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
  AccessExplanation: ResolverTypeWrapper<Omit<AccessExplanation, 'grantedBy'> & { grantedBy: ReadonlyArray<ResolversTypes['AccessGrant']> }>;
  AccessGrant: ResolverTypeWrapper<Omit<AccessGrant, 'membership'> & { membership: ResolversTypes['Membership'] }>;
  AgentCredentialRotation: ResolverTypeWrapper<Omit<AgentCredentialRotation, 'cluster'> & { cluster: ResolversTypes['Cluster'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ChangeType: ChangeType;
  Cluster: ResolverTypeWrapper<ClusterModel>;
  ClusterCount: ResolverTypeWrapper<ClusterCount>;
  ClusterRegistration: ResolverTypeWrapper<Omit<ClusterRegistration, 'cluster'> & { cluster: ResolversTypes['Cluster'] }>;
  ClusterState: ClusterState;
  ClusterStats: ResolverTypeWrapper<ClusterStats>;
  ClusterStatsUpdate: ResolverTypeWrapper<ClusterStatsUpdate>;
  Condition: ResolverTypeWrapper<Condition>;
  ContainerStatus: ResolverTypeWrapper<ContainerStatus>;
  DaemonSet: ResolverTypeWrapper<ResourceItem>;
  DaemonSetConnection: ResolverTypeWrapper<Omit<DaemonSetConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['DaemonSetEdge']> }>;
  DaemonSetEdge: ResolverTypeWrapper<Omit<DaemonSetEdge, 'node'> & { node: ResolversTypes['DaemonSet'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Deployment: ResolverTypeWrapper<ResourceItem>;
  DeploymentConnection: ResolverTypeWrapper<Omit<DeploymentConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['DeploymentEdge']> }>;
  DeploymentEdge: ResolverTypeWrapper<Omit<DeploymentEdge, 'node'> & { node: ResolversTypes['Deployment'] }>;
  Event: ResolverTypeWrapper<ResourceItem>;
  EventConnection: ResolverTypeWrapper<Omit<EventConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['EventEdge']> }>;
  EventEdge: ResolverTypeWrapper<Omit<EventEdge, 'node'> & { node: ResolversTypes['Event'] }>;
  EventFilter: EventFilter;
  ExplainAccessInput: ExplainAccessInput;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  GlobalRole: ResolverTypeWrapper<GlobalRole>;
  GlobalRoleGrant: ResolverTypeWrapper<GlobalRoleGrantModel>;
  GlobalRoleGrantInput: GlobalRoleGrantInput;
  GlobalRoleInput: GlobalRoleInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Job: ResolverTypeWrapper<ResourceItem>;
  JobConnection: ResolverTypeWrapper<Omit<JobConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['JobEdge']> }>;
  JobEdge: ResolverTypeWrapper<Omit<JobEdge, 'node'> & { node: ResolversTypes['Job'] }>;
  KubeResource: ResolverTypeWrapper<ResourceItem>;
  Membership: ResolverTypeWrapper<MembershipModel>;
  MembershipInput: MembershipInput;
  MembershipState: MembershipState;
  MembershipStatus: ResolverTypeWrapper<MembershipStatus>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Namespace: ResolverTypeWrapper<ResourceItem>;
  NamespaceConnection: ResolverTypeWrapper<Omit<NamespaceConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['NamespaceEdge']> }>;
  NamespaceEdge: ResolverTypeWrapper<Omit<NamespaceEdge, 'node'> & { node: ResolversTypes['Namespace'] }>;
  NewApiToken: ResolverTypeWrapper<NewApiToken>;
  Node: ResolverTypeWrapper<ResourceItem>;
  NodeConnection: ResolverTypeWrapper<Omit<NodeConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['NodeEdge']> }>;
  NodeEdge: ResolverTypeWrapper<Omit<NodeEdge, 'node'> & { node: ResolversTypes['Node'] }>;
  NodeResources: ResolverTypeWrapper<NodeResources>;
  ObjectReference: ResolverTypeWrapper<ObjectReference>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Pod: ResolverTypeWrapper<ResourceItem>;
  PodConnection: ResolverTypeWrapper<Omit<PodConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['PodEdge']> }>;
  PodCount: ResolverTypeWrapper<PodCount>;
  PodEdge: ResolverTypeWrapper<Omit<PodEdge, 'node'> & { node: ResolversTypes['Pod'] }>;
  PodGroupBy: PodGroupBy;
  PolicyRule: ResolverTypeWrapper<PolicyRule>;
  PolicyRuleInput: PolicyRuleInput;
  Project: ResolverTypeWrapper<Project>;
  ProjectInput: ProjectInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Replicas: ResolverTypeWrapper<Replicas>;
  Resource: ResolverTypeWrapper<ResourceItem>;
  ResourceChange: ResolverTypeWrapper<ChangeMessage>;
  ResourceConnection: ResolverTypeWrapper<Omit<ResourceConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['ResourceEdge']> }>;
  ResourceEdge: ResolverTypeWrapper<Omit<ResourceEdge, 'node'> & { node: ResolversTypes['Resource'] }>;
  ResourceFilter: ResourceFilter;
  ResourceResult: ResolverTypeWrapper<ResourceResult>;
  ResourceSort: ResourceSort;
  RoleTemplate: ResolverTypeWrapper<RoleTemplateModel>;
  RoleTemplateInput: RoleTemplateInput;
  ServerInfo: ResolverTypeWrapper<ServerInfo>;
  Service: ResolverTypeWrapper<ResourceItem>;
  ServiceConnection: ResolverTypeWrapper<Omit<ServiceConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['ServiceEdge']> }>;
  ServiceEdge: ResolverTypeWrapper<Omit<ServiceEdge, 'node'> & { node: ResolversTypes['Service'] }>;
  ServicePort: ResolverTypeWrapper<ServicePort>;
  SortDirection: SortDirection;
  StatefulSet: ResolverTypeWrapper<ResourceItem>;
  StatefulSetConnection: ResolverTypeWrapper<Omit<StatefulSetConnection, 'edges'> & { edges: ReadonlyArray<ResolversTypes['StatefulSetEdge']> }>;
  StatefulSetEdge: ResolverTypeWrapper<Omit<StatefulSetEdge, 'node'> & { node: ResolversTypes['StatefulSet'] }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subject: ResolverTypeWrapper<SubjectModel>;
  SubjectKind: SubjectKind;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TemplateContext: TemplateContext;
  Viewer: ResolverTypeWrapper<Viewer>;
  WorkloadKind: WorkloadKind;
  WorkloadsNotReady: ResolverTypeWrapper<WorkloadsNotReady>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  AccessExplanation: Omit<AccessExplanation, 'grantedBy'> & { grantedBy: ReadonlyArray<ResolversParentTypes['AccessGrant']> };
  AccessGrant: Omit<AccessGrant, 'membership'> & { membership: ResolversParentTypes['Membership'] };
  AgentCredentialRotation: Omit<AgentCredentialRotation, 'cluster'> & { cluster: ResolversParentTypes['Cluster'] };
  Boolean: Scalars['Boolean']['output'];
  Cluster: ClusterModel;
  ClusterCount: ClusterCount;
  ClusterRegistration: Omit<ClusterRegistration, 'cluster'> & { cluster: ResolversParentTypes['Cluster'] };
  ClusterStats: ClusterStats;
  ClusterStatsUpdate: ClusterStatsUpdate;
  Condition: Condition;
  ContainerStatus: ContainerStatus;
  DaemonSet: ResourceItem;
  DaemonSetConnection: Omit<DaemonSetConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['DaemonSetEdge']> };
  DaemonSetEdge: Omit<DaemonSetEdge, 'node'> & { node: ResolversParentTypes['DaemonSet'] };
  DateTime: Scalars['DateTime']['output'];
  Deployment: ResourceItem;
  DeploymentConnection: Omit<DeploymentConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['DeploymentEdge']> };
  DeploymentEdge: Omit<DeploymentEdge, 'node'> & { node: ResolversParentTypes['Deployment'] };
  Event: ResourceItem;
  EventConnection: Omit<EventConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['EventEdge']> };
  EventEdge: Omit<EventEdge, 'node'> & { node: ResolversParentTypes['Event'] };
  EventFilter: EventFilter;
  ExplainAccessInput: ExplainAccessInput;
  Float: Scalars['Float']['output'];
  GlobalRole: GlobalRole;
  GlobalRoleGrant: GlobalRoleGrantModel;
  GlobalRoleGrantInput: GlobalRoleGrantInput;
  GlobalRoleInput: GlobalRoleInput;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Job: ResourceItem;
  JobConnection: Omit<JobConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['JobEdge']> };
  JobEdge: Omit<JobEdge, 'node'> & { node: ResolversParentTypes['Job'] };
  KubeResource: ResourceItem;
  Membership: MembershipModel;
  MembershipInput: MembershipInput;
  MembershipStatus: MembershipStatus;
  Mutation: Record<PropertyKey, never>;
  Namespace: ResourceItem;
  NamespaceConnection: Omit<NamespaceConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['NamespaceEdge']> };
  NamespaceEdge: Omit<NamespaceEdge, 'node'> & { node: ResolversParentTypes['Namespace'] };
  NewApiToken: NewApiToken;
  Node: ResourceItem;
  NodeConnection: Omit<NodeConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['NodeEdge']> };
  NodeEdge: Omit<NodeEdge, 'node'> & { node: ResolversParentTypes['Node'] };
  NodeResources: NodeResources;
  ObjectReference: ObjectReference;
  PageInfo: PageInfo;
  Pod: ResourceItem;
  PodConnection: Omit<PodConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['PodEdge']> };
  PodCount: PodCount;
  PodEdge: Omit<PodEdge, 'node'> & { node: ResolversParentTypes['Pod'] };
  PolicyRule: PolicyRule;
  PolicyRuleInput: PolicyRuleInput;
  Project: Project;
  ProjectInput: ProjectInput;
  Query: Record<PropertyKey, never>;
  Replicas: Replicas;
  Resource: ResourceItem;
  ResourceChange: ChangeMessage;
  ResourceConnection: Omit<ResourceConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['ResourceEdge']> };
  ResourceEdge: Omit<ResourceEdge, 'node'> & { node: ResolversParentTypes['Resource'] };
  ResourceFilter: ResourceFilter;
  ResourceResult: ResourceResult;
  ResourceSort: ResourceSort;
  RoleTemplate: RoleTemplateModel;
  RoleTemplateInput: RoleTemplateInput;
  ServerInfo: ServerInfo;
  Service: ResourceItem;
  ServiceConnection: Omit<ServiceConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['ServiceEdge']> };
  ServiceEdge: Omit<ServiceEdge, 'node'> & { node: ResolversParentTypes['Service'] };
  ServicePort: ServicePort;
  StatefulSet: ResourceItem;
  StatefulSetConnection: Omit<StatefulSetConnection, 'edges'> & { edges: ReadonlyArray<ResolversParentTypes['StatefulSetEdge']> };
  StatefulSetEdge: Omit<StatefulSetEdge, 'node'> & { node: ResolversParentTypes['StatefulSet'] };
  String: Scalars['String']['output'];
  Subject: SubjectModel;
  Subscription: Record<PropertyKey, never>;
  Viewer: Viewer;
  WorkloadsNotReady: WorkloadsNotReady;
}>;

export type AccessExplanationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AccessExplanation'] = ResolversParentTypes['AccessExplanation']> = ResolversObject<{
  allowed?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  grantedBy?: Resolver<ReadonlyArray<ResolversTypes['AccessGrant']>, ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type AccessGrantResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['AccessGrant'] = ResolversParentTypes['AccessGrant']> = ResolversObject<{
  membership?: Resolver<ResolversTypes['Membership'], ParentType, ContextType>;
  templateId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
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

export type ClusterCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ClusterCount'] = ResolversParentTypes['ClusterCount']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  stale?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  staleSince?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
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

export type ConditionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Condition'] = ResolversParentTypes['Condition']> = ResolversObject<{
  lastTransitionTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ContainerStatusResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ContainerStatus'] = ResolversParentTypes['ContainerStatus']> = ResolversObject<{
  image?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  restartCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  state?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  stateReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type DaemonSetResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DaemonSet'] = ResolversParentTypes['DaemonSet']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  images?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  replicas?: Resolver<ResolversTypes['Replicas'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type DaemonSetConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DaemonSetConnection'] = ResolversParentTypes['DaemonSetConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['DaemonSetEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DaemonSetEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DaemonSetEdge'] = ResolversParentTypes['DaemonSetEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['DaemonSet'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeploymentResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Deployment'] = ResolversParentTypes['Deployment']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  images?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  replicas?: Resolver<ResolversTypes['Replicas'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type DeploymentConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeploymentConnection'] = ResolversParentTypes['DeploymentConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['DeploymentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type DeploymentEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['DeploymentEdge'] = ResolversParentTypes['DeploymentEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Deployment'], ParentType, ContextType>;
}>;

export type EventResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Event'] = ResolversParentTypes['Event']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  firstSeen?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  involvedObject?: Resolver<ResolversTypes['ObjectReference'], ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  lastSeen?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  message?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  reason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type EventConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventConnection'] = ResolversParentTypes['EventConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['EventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type EventEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['EventEdge'] = ResolversParentTypes['EventEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Event'], ParentType, ContextType>;
}>;

export type GlobalRoleResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['GlobalRole'] = ResolversParentTypes['GlobalRole']> = ResolversObject<{
  builtIn?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  globalRoleId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  permissions?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type GlobalRoleGrantResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['GlobalRoleGrant'] = ResolversParentTypes['GlobalRoleGrant']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  globalRoleId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  grantId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['Subject'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type JobResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Job'] = ResolversParentTypes['Job']> = ResolversObject<{
  active?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  complete?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  completionTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  completions?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  images?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  startTime?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type JobConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobConnection'] = ResolversParentTypes['JobConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['JobEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type JobEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['JobEdge'] = ResolversParentTypes['JobEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Job'], ParentType, ContextType>;
}>;

export type KubeResourceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['KubeResource'] = ResolversParentTypes['KubeResource']> = ResolversObject<{
  __resolveType: TypeResolveFn<'DaemonSet' | 'Deployment' | 'Event' | 'Job' | 'Namespace' | 'Node' | 'Pod' | 'Resource' | 'Service' | 'StatefulSet', ParentType, ContextType>;
}>;

export type MembershipResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Membership'] = ResolversParentTypes['Membership']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  membershipId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  projectId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['MembershipStatus'], ParentType, ContextType>;
  subject?: Resolver<ResolversTypes['Subject'], ParentType, ContextType>;
  templateId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type MembershipStatusResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['MembershipStatus'] = ResolversParentTypes['MembershipStatus']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['MembershipState'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  addMembership?: Resolver<ResolversTypes['Membership'], ParentType, ContextType, RequireFields<MutationAddMembershipArgs, 'input'>>;
  addProjectNamespaces?: Resolver<ResolversTypes['Project'], ParentType, ContextType, RequireFields<MutationAddProjectNamespacesArgs, 'namespaces' | 'projectId'>>;
  applyManifest?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationApplyManifestArgs, 'clusterId' | 'force' | 'manifest'>>;
  createApiToken?: Resolver<ResolversTypes['NewApiToken'], ParentType, ContextType, RequireFields<MutationCreateApiTokenArgs, 'description' | 'ttlSeconds'>>;
  createGlobalRole?: Resolver<ResolversTypes['GlobalRole'], ParentType, ContextType, RequireFields<MutationCreateGlobalRoleArgs, 'input'>>;
  createNamespace?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationCreateNamespaceArgs, 'clusterId' | 'name'>>;
  createProject?: Resolver<ResolversTypes['Project'], ParentType, ContextType, RequireFields<MutationCreateProjectArgs, 'input'>>;
  createProjectNamespace?: Resolver<ResolversTypes['Project'], ParentType, ContextType, RequireFields<MutationCreateProjectNamespaceArgs, 'namespace' | 'projectId'>>;
  createRoleTemplate?: Resolver<ResolversTypes['RoleTemplate'], ParentType, ContextType, RequireFields<MutationCreateRoleTemplateArgs, 'input'>>;
  deleteGlobalRole?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteGlobalRoleArgs, 'globalRoleId'>>;
  deleteNamespace?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationDeleteNamespaceArgs, 'clusterId' | 'name'>>;
  deleteProject?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteProjectArgs, 'projectId'>>;
  deleteResource?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationDeleteResourceArgs, 'apiVersion' | 'clusterId' | 'kind' | 'name'>>;
  deleteRoleTemplate?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteRoleTemplateArgs, 'templateId'>>;
  grantGlobalRole?: Resolver<ResolversTypes['GlobalRoleGrant'], ParentType, ContextType, RequireFields<MutationGrantGlobalRoleArgs, 'input'>>;
  registerCluster?: Resolver<ResolversTypes['ClusterRegistration'], ParentType, ContextType, RequireFields<MutationRegisterClusterArgs, 'name'>>;
  removeCluster?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveClusterArgs, 'id'>>;
  removeMembership?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveMembershipArgs, 'membershipId'>>;
  removeProjectNamespaces?: Resolver<ResolversTypes['Project'], ParentType, ContextType, RequireFields<MutationRemoveProjectNamespacesArgs, 'namespaces' | 'projectId'>>;
  restartRollout?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationRestartRolloutArgs, 'clusterId' | 'kind' | 'name' | 'namespace'>>;
  revokeApiToken?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeApiTokenArgs, 'tokenId'>>;
  revokeGlobalRole?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRevokeGlobalRoleArgs, 'grantId'>>;
  rotateAgentCredential?: Resolver<ResolversTypes['AgentCredentialRotation'], ParentType, ContextType, RequireFields<MutationRotateAgentCredentialArgs, 'graceSeconds' | 'id'>>;
  rotateRegistrationToken?: Resolver<ResolversTypes['ClusterRegistration'], ParentType, ContextType, RequireFields<MutationRotateRegistrationTokenArgs, 'graceSeconds' | 'id'>>;
  scaleWorkload?: Resolver<ResolversTypes['ResourceResult'], ParentType, ContextType, RequireFields<MutationScaleWorkloadArgs, 'clusterId' | 'kind' | 'name' | 'namespace' | 'replicas'>>;
  updateRoleTemplate?: Resolver<ResolversTypes['RoleTemplate'], ParentType, ContextType, RequireFields<MutationUpdateRoleTemplateArgs, 'input'>>;
}>;

export type NamespaceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Namespace'] = ResolversParentTypes['Namespace']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  phase?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type NamespaceConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NamespaceConnection'] = ResolversParentTypes['NamespaceConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['NamespaceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type NamespaceEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NamespaceEdge'] = ResolversParentTypes['NamespaceEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Namespace'], ParentType, ContextType>;
}>;

export type NewApiTokenResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NewApiToken'] = ResolversParentTypes['NewApiToken']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  token?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tokenId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type NodeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = ResolversObject<{
  allocatable?: Resolver<ResolversTypes['NodeResources'], ParentType, ContextType>;
  capacity?: Resolver<ResolversTypes['NodeResources'], ParentType, ContextType>;
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  internalIP?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  kubeletVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  roles?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  unschedulable?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type NodeConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NodeConnection'] = ResolversParentTypes['NodeConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['NodeEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type NodeEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NodeEdge'] = ResolversParentTypes['NodeEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Node'], ParentType, ContextType>;
}>;

export type NodeResourcesResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['NodeResources'] = ResolversParentTypes['NodeResources']> = ResolversObject<{
  cpuCores?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  memoryBytes?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  pods?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type ObjectReferenceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ObjectReference'] = ResolversParentTypes['ObjectReference']> = ResolversObject<{
  apiVersion?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  kind?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  uid?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PodResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Pod'] = ResolversParentTypes['Pod']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  containers?: Resolver<ReadonlyArray<ResolversTypes['ContainerStatus']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  images?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  nodeName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  phase?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  podIP?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  readyContainers?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  restarts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  totalContainers?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type PodConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PodConnection'] = ResolversParentTypes['PodConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['PodEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type PodCountResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PodCount'] = ResolversParentTypes['PodCount']> = ResolversObject<{
  clusterId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  nodeName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  phase?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PodEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PodEdge'] = ResolversParentTypes['PodEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Pod'], ParentType, ContextType>;
}>;

export type PolicyRuleResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['PolicyRule'] = ResolversParentTypes['PolicyRule']> = ResolversObject<{
  apiGroups?: Resolver<Maybe<ReadonlyArray<ResolversTypes['String']>>, ParentType, ContextType>;
  nonResourceURLs?: Resolver<Maybe<ReadonlyArray<ResolversTypes['String']>>, ParentType, ContextType>;
  resourceNames?: Resolver<Maybe<ReadonlyArray<ResolversTypes['String']>>, ParentType, ContextType>;
  resources?: Resolver<Maybe<ReadonlyArray<ResolversTypes['String']>>, ParentType, ContextType>;
  verbs?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ProjectResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Project'] = ResolversParentTypes['Project']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespaces?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  projectId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  cluster?: Resolver<Maybe<ResolversTypes['Cluster']>, ParentType, ContextType, RequireFields<QueryClusterArgs, 'id'>>;
  clusters?: Resolver<ReadonlyArray<ResolversTypes['Cluster']>, ParentType, ContextType>;
  daemonsets?: Resolver<ResolversTypes['DaemonSetConnection'], ParentType, ContextType, RequireFields<QueryDaemonsetsArgs, 'allowStale' | 'first'>>;
  deployments?: Resolver<ResolversTypes['DeploymentConnection'], ParentType, ContextType, RequireFields<QueryDeploymentsArgs, 'allowStale' | 'first'>>;
  events?: Resolver<ResolversTypes['EventConnection'], ParentType, ContextType, RequireFields<QueryEventsArgs, 'allowStale' | 'first'>>;
  explainAccess?: Resolver<ResolversTypes['AccessExplanation'], ParentType, ContextType, RequireFields<QueryExplainAccessArgs, 'input'>>;
  globalRoleGrants?: Resolver<ReadonlyArray<ResolversTypes['GlobalRoleGrant']>, ParentType, ContextType>;
  globalRoles?: Resolver<ReadonlyArray<ResolversTypes['GlobalRole']>, ParentType, ContextType>;
  jobs?: Resolver<ResolversTypes['JobConnection'], ParentType, ContextType, RequireFields<QueryJobsArgs, 'allowStale' | 'first'>>;
  memberships?: Resolver<ReadonlyArray<ResolversTypes['Membership']>, ParentType, ContextType, Partial<QueryMembershipsArgs>>;
  myPermissions?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  namespaces?: Resolver<ResolversTypes['NamespaceConnection'], ParentType, ContextType, RequireFields<QueryNamespacesArgs, 'allowStale' | 'first'>>;
  nodes?: Resolver<ResolversTypes['NodeConnection'], ParentType, ContextType, RequireFields<QueryNodesArgs, 'allowStale' | 'first'>>;
  podCounts?: Resolver<ReadonlyArray<ResolversTypes['PodCount']>, ParentType, ContextType, RequireFields<QueryPodCountsArgs, 'allowStale' | 'groupBy'>>;
  pods?: Resolver<ResolversTypes['PodConnection'], ParentType, ContextType, RequireFields<QueryPodsArgs, 'allowStale' | 'first'>>;
  projects?: Resolver<ReadonlyArray<ResolversTypes['Project']>, ParentType, ContextType, Partial<QueryProjectsArgs>>;
  resources?: Resolver<ResolversTypes['ResourceConnection'], ParentType, ContextType, RequireFields<QueryResourcesArgs, 'allowStale' | 'apiVersion' | 'first' | 'kind'>>;
  roleTemplates?: Resolver<ReadonlyArray<ResolversTypes['RoleTemplate']>, ParentType, ContextType>;
  serverInfo?: Resolver<ResolversTypes['ServerInfo'], ParentType, ContextType>;
  services?: Resolver<ResolversTypes['ServiceConnection'], ParentType, ContextType, RequireFields<QueryServicesArgs, 'allowStale' | 'first'>>;
  statefulsets?: Resolver<ResolversTypes['StatefulSetConnection'], ParentType, ContextType, RequireFields<QueryStatefulsetsArgs, 'allowStale' | 'first'>>;
  viewer?: Resolver<ResolversTypes['Viewer'], ParentType, ContextType>;
  workloadsNotReady?: Resolver<ReadonlyArray<ResolversTypes['WorkloadsNotReady']>, ParentType, ContextType, RequireFields<QueryWorkloadsNotReadyArgs, 'allowStale'>>;
}>;

export type ReplicasResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Replicas'] = ResolversParentTypes['Replicas']> = ResolversObject<{
  available?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  desired?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updated?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ResourceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Resource'] = ResolversParentTypes['Resource']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
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
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
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

export type RoleTemplateResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['RoleTemplate'] = ResolversParentTypes['RoleTemplate']> = ResolversObject<{
  builtIn?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  context?: Resolver<ResolversTypes['TemplateContext'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  includes?: Resolver<ReadonlyArray<ResolversTypes['ID']>, ParentType, ContextType>;
  rules?: Resolver<ReadonlyArray<ResolversTypes['PolicyRule']>, ParentType, ContextType>;
  templateId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type ServerInfoResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServerInfo'] = ResolversParentTypes['ServerInfo']> = ResolversObject<{
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ServiceResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Service'] = ResolversParentTypes['Service']> = ResolversObject<{
  clusterIP?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  ports?: Resolver<ReadonlyArray<ResolversTypes['ServicePort']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type ServiceConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServiceConnection'] = ResolversParentTypes['ServiceConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['ServiceEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ServiceEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServiceEdge'] = ResolversParentTypes['ServiceEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Service'], ParentType, ContextType>;
}>;

export type ServicePortResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['ServicePort'] = ResolversParentTypes['ServicePort']> = ResolversObject<{
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  nodePort?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  port?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  protocol?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  targetPort?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type StatefulSetResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['StatefulSet'] = ResolversParentTypes['StatefulSet']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  conditions?: Resolver<ReadonlyArray<ResolversTypes['Condition']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  images?: Resolver<ReadonlyArray<ResolversTypes['String']>, ParentType, ContextType>;
  labels?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  namespace?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  object?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  ready?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  replicas?: Resolver<ResolversTypes['Replicas'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
}>;

export type StatefulSetConnectionResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['StatefulSetConnection'] = ResolversParentTypes['StatefulSetConnection']> = ResolversObject<{
  clusters?: Resolver<ReadonlyArray<ResolversTypes['ClusterCount']>, ParentType, ContextType>;
  edges?: Resolver<ReadonlyArray<ResolversTypes['StatefulSetEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type StatefulSetEdgeResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['StatefulSetEdge'] = ResolversParentTypes['StatefulSetEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['StatefulSet'], ParentType, ContextType>;
}>;

export type SubjectResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['Subject'] = ResolversParentTypes['Subject']> = ResolversObject<{
  kind?: Resolver<ResolversTypes['SubjectKind'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
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

export type WorkloadsNotReadyResolvers<ContextType = GraphQLContext, ParentType extends ResolversParentTypes['WorkloadsNotReady'] = ResolversParentTypes['WorkloadsNotReady']> = ResolversObject<{
  clusterId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  daemonSets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  deployments?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  statefulSets?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = GraphQLContext> = ResolversObject<{
  AccessExplanation?: AccessExplanationResolvers<ContextType>;
  AccessGrant?: AccessGrantResolvers<ContextType>;
  AgentCredentialRotation?: AgentCredentialRotationResolvers<ContextType>;
  Cluster?: ClusterResolvers<ContextType>;
  ClusterCount?: ClusterCountResolvers<ContextType>;
  ClusterRegistration?: ClusterRegistrationResolvers<ContextType>;
  ClusterStats?: ClusterStatsResolvers<ContextType>;
  ClusterStatsUpdate?: ClusterStatsUpdateResolvers<ContextType>;
  Condition?: ConditionResolvers<ContextType>;
  ContainerStatus?: ContainerStatusResolvers<ContextType>;
  DaemonSet?: DaemonSetResolvers<ContextType>;
  DaemonSetConnection?: DaemonSetConnectionResolvers<ContextType>;
  DaemonSetEdge?: DaemonSetEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Deployment?: DeploymentResolvers<ContextType>;
  DeploymentConnection?: DeploymentConnectionResolvers<ContextType>;
  DeploymentEdge?: DeploymentEdgeResolvers<ContextType>;
  Event?: EventResolvers<ContextType>;
  EventConnection?: EventConnectionResolvers<ContextType>;
  EventEdge?: EventEdgeResolvers<ContextType>;
  GlobalRole?: GlobalRoleResolvers<ContextType>;
  GlobalRoleGrant?: GlobalRoleGrantResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Job?: JobResolvers<ContextType>;
  JobConnection?: JobConnectionResolvers<ContextType>;
  JobEdge?: JobEdgeResolvers<ContextType>;
  KubeResource?: KubeResourceResolvers<ContextType>;
  Membership?: MembershipResolvers<ContextType>;
  MembershipStatus?: MembershipStatusResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Namespace?: NamespaceResolvers<ContextType>;
  NamespaceConnection?: NamespaceConnectionResolvers<ContextType>;
  NamespaceEdge?: NamespaceEdgeResolvers<ContextType>;
  NewApiToken?: NewApiTokenResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  NodeConnection?: NodeConnectionResolvers<ContextType>;
  NodeEdge?: NodeEdgeResolvers<ContextType>;
  NodeResources?: NodeResourcesResolvers<ContextType>;
  ObjectReference?: ObjectReferenceResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Pod?: PodResolvers<ContextType>;
  PodConnection?: PodConnectionResolvers<ContextType>;
  PodCount?: PodCountResolvers<ContextType>;
  PodEdge?: PodEdgeResolvers<ContextType>;
  PolicyRule?: PolicyRuleResolvers<ContextType>;
  Project?: ProjectResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Replicas?: ReplicasResolvers<ContextType>;
  Resource?: ResourceResolvers<ContextType>;
  ResourceChange?: ResourceChangeResolvers<ContextType>;
  ResourceConnection?: ResourceConnectionResolvers<ContextType>;
  ResourceEdge?: ResourceEdgeResolvers<ContextType>;
  ResourceResult?: ResourceResultResolvers<ContextType>;
  RoleTemplate?: RoleTemplateResolvers<ContextType>;
  ServerInfo?: ServerInfoResolvers<ContextType>;
  Service?: ServiceResolvers<ContextType>;
  ServiceConnection?: ServiceConnectionResolvers<ContextType>;
  ServiceEdge?: ServiceEdgeResolvers<ContextType>;
  ServicePort?: ServicePortResolvers<ContextType>;
  StatefulSet?: StatefulSetResolvers<ContextType>;
  StatefulSetConnection?: StatefulSetConnectionResolvers<ContextType>;
  StatefulSetEdge?: StatefulSetEdgeResolvers<ContextType>;
  Subject?: SubjectResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Viewer?: ViewerResolvers<ContextType>;
  WorkloadsNotReady?: WorkloadsNotReadyResolvers<ContextType>;
}>;

