import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { MANAGEMENT_CLUSTER } from './management-transport.ts';

/** The API group of the gateway's own resources (docs/replicas.md §2). */
export const API_GROUP = 'fleetgate.dev';
export const API_VERSION = 'v1alpha1';
/** apiVersion of every object of ours. */
export const GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
/** Field manager of the gateway's server-side applies. */
export const FIELD_MANAGER = 'fleetgate';

/** The kinds of ours: what each CRD is called. */
export const KINDS = {
  cluster: { kind: 'FleetgateCluster', plural: 'fleetgateclusters', short: 'fgc' },
  user: { kind: 'FleetgateUser', plural: 'fleetgateusers', short: 'fgu' },
  apiToken: { kind: 'FleetgateApiToken', plural: 'fleetgateapitokens', short: 'fgt' },
  claim: { kind: 'FleetgateClaim', plural: 'fleetgateclaims', short: 'fgcl' },
} as const;

const str = { type: 'string', maxLength: 1024 } as const;
const nullableStr = { type: 'string', maxLength: 1024, nullable: true } as const;
const time = { type: 'string', maxLength: 64 } as const;
const nullableTime = { type: 'string', maxLength: 64, nullable: true } as const;
const hash = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
const names = { type: 'array', maxItems: 256, items: { type: 'string', maxLength: 256 } } as const;

/** A printer column of `kubectl get`. */
export type Column = { name: string; type: string; jsonPath: string; priority?: number };

/** A namespaced CRD of our group with its schema and `kubectl get` columns. */
export function crd(
  names: { kind: string; plural: string; short: string },
  schema: Record<string, unknown>,
  columns: Column[],
): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: names.kind,
        plural: names.plural,
        singular: names.kind.toLowerCase(),
        shortNames: [names.short],
        categories: ['fleetgate'],
      },
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: schema, required: ['spec'] } },
          additionalPrinterColumns: [
            ...columns,
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
      ],
    },
  } as KubeObject;
}

/** The CRDs the gateway installs: hashes only, never a secret in clear. */
export const CRDS: readonly KubeObject[] = [
  crd(
    KINDS.cluster,
    {
      spec: {
        type: 'object',
        required: ['displayName', 'createdAt'],
        properties: {
          displayName: { type: 'string', maxLength: 63 },
          createdAt: time,
          registrationTokens: {
            type: 'array',
            maxItems: 64,
            items: {
              type: 'object',
              required: ['secretHash', 'createdAt'],
              properties: {
                secretHash: hash,
                createdAt: time,
                expiresAt: nullableTime,
                retiredAt: nullableTime,
                graceUntil: nullableTime,
                usedAt: nullableTime,
              },
            },
          },
          agentCredentials: {
            type: 'array',
            maxItems: 64,
            items: {
              type: 'object',
              required: ['secretHash', 'createdAt'],
              properties: {
                secretHash: hash,
                createdAt: time,
                retiredAt: nullableTime,
                graceUntil: nullableTime,
              },
            },
          },
        },
      },
      status: {
        type: 'object',
        properties: {
          state: { type: 'string', enum: ['Pending', 'Active', 'Disconnected'] },
          stateReason: str,
          stateChangedAt: time,
          replica: nullableStr,
          agentVersion: nullableStr,
          kubernetesVersion: nullableStr,
          lastConnectedAt: nullableTime,
          health: nullableStr,
          healthCheckedAt: nullableTime,
        },
      },
    },
    [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.displayName' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Health', type: 'string', jsonPath: '.status.health' },
      { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
      { name: 'Replica', type: 'string', jsonPath: '.status.replica' },
      { name: 'Reason', type: 'string', jsonPath: '.status.stateReason', priority: 1 },
    ],
  ),
  crd(
    KINDS.user,
    {
      spec: {
        type: 'object',
        required: ['username', 'passwordHash', 'admin', 'createdAt'],
        properties: {
          username: { type: 'string', maxLength: 63 },
          passwordHash: { type: 'string', maxLength: 512 },
          admin: { type: 'boolean' },
          groups: names,
          createdAt: time,
        },
      },
    },
    [
      { name: 'User', type: 'string', jsonPath: '.spec.username' },
      { name: 'Admin', type: 'boolean', jsonPath: '.spec.admin' },
      { name: 'Groups', type: 'string', jsonPath: '.spec.groups' },
    ],
  ),
  crd(
    KINDS.apiToken,
    {
      spec: {
        type: 'object',
        required: ['secretHash', 'principalId', 'principal', 'kind', 'createdAt', 'expiresAt'],
        properties: {
          secretHash: hash,
          principalId: { type: 'string', maxLength: 512 },
          principal: {
            type: 'object',
            required: ['principalId', 'provider', 'name', 'isAdmin'],
            properties: {
              principalId: { type: 'string', maxLength: 512 },
              provider: { type: 'string', enum: ['local', 'oidc'] },
              name: { type: 'string', maxLength: 512 },
              groups: names,
              isAdmin: { type: 'boolean' },
            },
          },
          description: { type: 'string', maxLength: 256 },
          kind: { type: 'string', enum: ['api', 'session', 'kubeconfig'] },
          createdAt: time,
          expiresAt: time,
          sessionId: nullableStr,
          revokedAt: nullableTime,
        },
      },
      status: { type: 'object', properties: { lastUsedAt: nullableTime } },
    },
    [
      { name: 'Principal', type: 'string', jsonPath: '.spec.principal.name' },
      { name: 'Kind', type: 'string', jsonPath: '.spec.kind' },
      { name: 'Expires', type: 'string', jsonPath: '.spec.expiresAt' },
      { name: 'Revoked', type: 'string', jsonPath: '.spec.revokedAt' },
    ],
  ),
  crd(
    KINDS.claim,
    {
      spec: {
        type: 'object',
        required: ['purpose', 'key', 'owner'],
        properties: {
          purpose: { type: 'string', enum: ['cluster-name', 'membership'] },
          key: { type: 'string', maxLength: 2048 },
          owner: { type: 'string', maxLength: 253 },
        },
      },
    },
    [
      { name: 'Purpose', type: 'string', jsonPath: '.spec.purpose' },
      { name: 'Key', type: 'string', jsonPath: '.spec.key' },
      { name: 'Owner', type: 'string', jsonPath: '.spec.owner' },
    ],
  ),
];

const target = { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY };
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const ESTABLISHED_TIMEOUT_MS = 30_000;

/**
 * Applies the CRDs (server-side apply: a newer gateway's schema replaces an older one) and
 * waits until the apiserver serves them.
 */
export async function installCrds(
  kube: KubeClient,
  definitions: readonly KubeObject[] = CRDS,
): Promise<void> {
  for (const definition of definitions) {
    const name = definition.metadata?.name as string;
    await kube.patch(target, `${CRD_PATH}/${name}`, 'apply', definition, {
      fieldManager: FIELD_MANAGER,
      force: true,
    });
  }
  const deadline = Date.now() + ESTABLISHED_TIMEOUT_MS;
  for (const definition of definitions) {
    const name = definition.metadata?.name as string;
    for (;;) {
      const current = await kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        target,
        `${CRD_PATH}/${name}`,
      );
      if (current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`the CRD ${name} is not Established after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Creates the management namespace unless it exists. */
export async function ensureNamespace(kube: KubeClient, namespace: string): Promise<void> {
  try {
    await kube.get(target, `/api/v1/namespaces/${namespace}`);
  } catch {
    await kube
      .create(target, '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace },
      })
      .catch((error: { code?: string }) => {
        if (error.code !== 'RESOURCE_CONFLICT') throw error;
      });
  }
}
