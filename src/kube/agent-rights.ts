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
