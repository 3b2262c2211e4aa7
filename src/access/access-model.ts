/** The gateway's access policy (docs/access-control.md): what the store keeps and the controllers render. */

/** One Kubernetes RBAC policy rule, as a role template holds it. */
export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
  readonly verbs: readonly string[];
}

/** Where a template's rules apply: a whole cluster, or a project's namespaces. */
export type TemplateContext = 'cluster' | 'project';

/** A named set of RBAC rules, and the templates whose rules it adds to its own. */
export interface RoleTemplate {
  readonly templateId: string;
  readonly context: TemplateContext;
  readonly description: string;
  readonly rules: readonly PolicyRule[];
  readonly includes: readonly string[];
  readonly builtIn: boolean;
}

/** A named group of namespaces of one cluster. */
export interface Project {
  readonly projectId: string;
  readonly clusterId: string;
  readonly name: string;
  readonly namespaces: readonly string[];
  readonly createdAt: string;
}

/** Who a membership or a global role grant is for: a user or a group, by downstream name. */
export interface Subject {
  readonly kind: 'User' | 'Group';
  /** `local:alice`, `oidc:platform`: the name impersonation sends downstream. */
  readonly name: string;
}

/** How far a membership's controller got with it. */
export interface MembershipStatus {
  readonly state: 'Pending' | 'Applied' | 'Error';
  readonly message: string;
  readonly at: string;
}

/** A subject holding a role template in a cluster or in a project of it. */
export interface Membership {
  readonly membershipId: string;
  readonly clusterId: string;
  /** Set for a project membership. */
  readonly projectId: string | null;
  readonly subject: Subject;
  readonly templateId: string;
  readonly createdAt: string;
  readonly status: MembershipStatus;
}

/** A set of gateway permissions. */
export interface GlobalRole {
  readonly globalRoleId: string;
  readonly description: string;
  readonly permissions: readonly string[];
  readonly builtIn: boolean;
}

/** A global role held by a user or a group. */
export interface GlobalRoleGrant {
  readonly grantId: string;
  readonly globalRoleId: string;
  readonly subject: Subject;
  readonly createdAt: string;
}

/** Label on everything the controllers write downstream. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'fleetgate';
/** Label on a binding: the membership it was written for. */
export const MEMBERSHIP_LABEL = 'fleetgate.io/membership';
/** Label on a namespace: the project it belongs to. */
export const PROJECT_LABEL = 'fleetgate.io/project';
/** Field manager of the controllers' server-side applies. */
export const ACCESS_FIELD_MANAGER = 'fleetgate-access';
/** Prefix of every RBAC object name the controllers write. */
export const RBAC_NAME_PREFIX = 'fleetgate:';

/** The ClusterRole a template becomes in every cluster that uses it. */
export function templateRoleName(templateId: string): string {
  return `${RBAC_NAME_PREFIX}template:${templateId}`;
}

/** The ClusterRoleBinding or RoleBinding a membership becomes. */
export function membershipBindingName(membershipId: string): string {
  return `${RBAC_NAME_PREFIX}membership:${membershipId}`;
}
