import { stringify } from 'yaml';
import { AGENT_READABLE_CORE_RESOURCES, PROVIDER_EXTRA_KEY } from '../kube/agent-rights.ts';

/** Namespace and names of everything the install manifest creates downstream. */
export const AGENT_NAMESPACE = 'fleetgate-system';
export const AGENT_NAME = 'fleetgate-agent';

export interface InstallManifestOptions {
  readonly clusterId: string;
  /** The gateway's base URL as the agent will reach it. */
  readonly gatewayUrl: string;
  readonly registrationToken: string;
  readonly agentImage: string;
  /** PEM of a private CA the agent must trust for the gateway, if any. */
  readonly gatewayCaPem?: string;
}

/**
 * The agent's ServiceAccount may impersonate people (users, groups, uids) and read only
 * what the gateway's own controllers need: readiness and version, nodes and pods for
 * cluster statistics, and namespace names (to find where a person is bound). Everything a person does runs as that person.
 */
function agentRules(): object[] {
  return [
    { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
    {
      apiGroups: ['authentication.k8s.io'],
      resources: ['uids', `userextras/${PROVIDER_EXTRA_KEY}`],
      verbs: ['impersonate'],
    },
    { apiGroups: [''], resources: [...AGENT_READABLE_CORE_RESOURCES], verbs: ['get', 'list', 'watch'] },
    { nonResourceURLs: ['/version', '/readyz', '/livez', '/healthz'], verbs: ['get'] },
  ];
}

/** Renders the multi-document YAML that `kubectl apply -f <url>` installs the agent with. */
export function renderInstallManifest(options: InstallManifestOptions): string {
  const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'fleetgate.io/cluster-id': options.clusterId };
  const secretData: Record<string, string> = { url: options.gatewayUrl, token: options.registrationToken };
  if (options.gatewayCaPem) secretData['ca.crt'] = options.gatewayCaPem;
  const env = [
    { name: 'FLEETGATE_GATEWAY_URL', valueFrom: { secretKeyRef: { name: AGENT_NAME, key: 'url' } } },
    // A mounted Secret is updated in place, so a rotated token reaches the agent
    // without a restart (it re-reads the file at every connection attempt).
    { name: 'FLEETGATE_TOKEN_FILE', value: '/etc/fleetgate/token' },
    ...(options.gatewayCaPem ? [{ name: 'FLEETGATE_GATEWAY_CA_FILE', value: '/etc/fleetgate/ca.crt' }] : []),
  ];
  const documents = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: AGENT_NAME, labels },
      rules: agentRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: AGENT_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
      type: 'Opaque',
      stringData: secretData,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': AGENT_NAME } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: AGENT_NAME,
            automountServiceAccountToken: true,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'agent',
                image: options.agentImage,
                env,
                volumeMounts: [{ name: 'registration', mountPath: '/etc/fleetgate', readOnly: true }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
            volumes: [{ name: 'registration', secret: { secretName: AGENT_NAME } }],
          },
        },
      },
    },
  ];
  return documents.map((doc) => stringify(doc)).join('---\n');
}
