import { stringify } from 'yaml';
import {
  AGENT_ACCESS_RULES,
  AGENT_READABLE_CORE_RESOURCES,
  PROVIDER_EXTRA_KEY,
} from '../kube/agent-rights.ts';
import { agentAdmissionPolicy } from './agent-admission-policy.ts';
import { peopleAdmissionPolicy } from './people-admission-policy.ts';

/** Namespace and names of everything the install manifest creates downstream. */
export const AGENT_NAMESPACE = 'fleetgate-system';
export const AGENT_NAME = 'fleetgate-agent';
/**
 * The Secret where agents keep their agent credential (docs/tunnel-protocol.md §2). Its name
 * is also the agent's default (agent/main.ts), which cannot import this file.
 */
export const AGENT_CREDENTIAL_SECRET = 'fleetgate-agent-credential';

export interface InstallManifestOptions {
  readonly clusterId: string;
  /** The gateway's base URL as the agent will reach it. */
  readonly gatewayUrl: string;
  /** Unused: the agent exchanges it for its credential on first connect. */
  readonly registrationToken: string;
  readonly agentImage: string;
  /** PEM of a private CA the agent must trust for the gateway, if any. */
  readonly gatewayCaPem?: string;
  /**
   * Opt-in (`?readAllKinds=true` on the install URL): the agent may also get, list and watch
   * every kind, so that the gateway can keep watch-backed caches of any kind a person lists
   * (docs/list-cache.md), as Rancher's agent can. People are still checked by the cluster,
   * as themselves, before anything cached is shown to them; Secrets are never cached.
   */
  readonly readAllKinds?: boolean;
}

/**
 * The agent's ServiceAccount may impersonate people (users, groups, uids) and read only
 * what the gateway's own controllers need: readiness and version, nodes and pods for
 * cluster statistics, and namespace names (to find where a person is bound); and write the
 * RBAC objects and namespace labels of the access controllers (docs/access-control.md).
 * Everything a person does runs as that person.
 */
function agentRules(readAllKinds: boolean): object[] {
  return [
    ...(readAllKinds ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }] : []),
    { apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] },
    {
      apiGroups: ['authentication.k8s.io'],
      resources: ['uids', `userextras/${PROVIDER_EXTRA_KEY}`],
      verbs: ['impersonate'],
    },
    { apiGroups: [''], resources: [...AGENT_READABLE_CORE_RESOURCES], verbs: ['get', 'list', 'watch'] },
    { nonResourceURLs: ['/version', '/readyz', '/livez', '/healthz'], verbs: ['get'] },
    ...AGENT_ACCESS_RULES.map((rule) => ({ ...rule })),
  ];
}

/** Renders the multi-document YAML that `kubectl apply -f <url>` installs the agent with. */
export function renderInstallManifest(options: InstallManifestOptions): string {
  const labels = { 'app.kubernetes.io/name': AGENT_NAME, 'fleetgate.io/cluster-id': options.clusterId };
  const secretData: Record<string, string> = { url: options.gatewayUrl, token: options.registrationToken };
  if (options.gatewayCaPem) secretData['ca.crt'] = options.gatewayCaPem;
  const env = [
    { name: 'FLEETGATE_GATEWAY_URL', valueFrom: { secretKeyRef: { name: AGENT_NAME, key: 'url' } } },
    // A mounted Secret is updated in place, so a re-installed agent's new registration token
    // reaches it without a restart (it re-reads the file when it has no credential).
    { name: 'FLEETGATE_TOKEN_FILE', value: '/etc/fleetgate/token' },
    ...(options.gatewayCaPem ? [{ name: 'FLEETGATE_GATEWAY_CA_FILE', value: '/etc/fleetgate/ca.crt' }] : []),
    // Read and written through the apiserver, not mounted: the agent stores what the gateway
    // hands it, and reads it again before each connection (a replica may have stored a newer one).
    { name: 'FLEETGATE_CREDENTIAL_SECRET', value: `${AGENT_NAMESPACE}/${AGENT_CREDENTIAL_SECRET}` },
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
      rules: agentRules(options.readAllKinds === true),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_NAME },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: AGENT_NAMESPACE }],
    },
    // What the ClusterRole cannot narrow (RBAC has no name prefixes), the cluster's admission does.
    ...agentAdmissionPolicy({
      agentNamespace: AGENT_NAMESPACE,
      agentName: AGENT_NAME,
      otherAgentObjects: [AGENT_CREDENTIAL_SECRET],
      labels,
    }),
    // A binding in a namespace reaches that Namespace object: people may not relabel it.
    ...peopleAdmissionPolicy(labels),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AGENT_NAME, namespace: AGENT_NAMESPACE, labels },
      type: 'Opaque',
      stringData: secretData,
    },
    // Created empty (the agent may not create Secrets, as `create` cannot be limited to one
    // name); re-applying the manifest leaves the agent's credential in it.
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AGENT_CREDENTIAL_SECRET, namespace: AGENT_NAMESPACE, labels },
      type: 'Opaque',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: AGENT_CREDENTIAL_SECRET, namespace: AGENT_NAMESPACE, labels },
      rules: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [AGENT_CREDENTIAL_SECRET],
          verbs: ['get', 'update'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: AGENT_CREDENTIAL_SECRET, namespace: AGENT_NAMESPACE, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_CREDENTIAL_SECRET },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_NAME, namespace: AGENT_NAMESPACE }],
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
