/**
 * Core (v1) resources the agent's ServiceAccount may get, list and watch everywhere (its
 * ClusterRole in the install manifest): what cluster statistics and namespace lookups need,
 * what the list caches hold and what subscribers' shared watches cover.
 */
export const AGENT_READABLE_CORE_RESOURCES = ['nodes', 'pods', 'namespaces'] as const;

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
