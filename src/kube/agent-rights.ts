/**
 * Core (v1) resources the agent's ServiceAccount may get, list and watch everywhere (its
 * ClusterRole in the install manifest): what cluster statistics and namespace lookups need,
 * what the list caches hold and what subscribers' shared watches cover (events too: the
 * `events` subscription is shared like `resourceChanges`).
 */
export const AGENT_READABLE_CORE_RESOURCES = ['nodes', 'pods', 'namespaces', 'events'] as const;

/**
 * The impersonation extra every person carries downstream, naming the provider they signed
 * in with; the agent may impersonate this key and no other.
 */
export const PROVIDER_EXTRA_KEY = 'fleetgate.io/provider';

/**
 * What the access controllers write downstream (docs/access-control.md, "What the agent
 * holds, and why"): ClusterRoles for role templates, their bindings, and the project label
 * on namespaces. `escalate` and `bind` on ClusterRoles only: project bindings point at
 * ClusterRoles, so the agent holds nothing on namespaced Roles.
 */
export const AGENT_ACCESS_RULES = [
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings', 'rolebindings'],
    verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'],
  },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate', 'bind'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['create', 'patch'] },
] as const;

/** Label on everything the access controllers write downstream. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'fleetgate';
/** Label on a binding: the membership it was written for. */
export const MEMBERSHIP_LABEL = 'fleetgate.io/membership';
/** Label on a namespace: the project it belongs to. */
export const PROJECT_LABEL = 'fleetgate.io/project';
/** Prefix of every RBAC object name the access controllers write. */
export const RBAC_NAME_PREFIX = 'fleetgate:';
/** Prefix of the ClusterRoles role templates become: the only roles the controllers bind. */
export const TEMPLATE_ROLE_PREFIX = `${RBAC_NAME_PREFIX}template:`;
/**
 * How every subject the controllers bind is named downstream (`local:alice`,
 * `oidc:platform`): the provider prefix is required of memberships' subjects.
 */
export const BOUND_SUBJECT_PREFIXES = ['local:', 'oidc:'] as const;
