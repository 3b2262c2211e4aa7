import { hostname } from 'node:os';
import { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import type { Logger } from '../shared/log/logger.ts';
import { ACCESS_CRDS, ACCESS_KINDS } from './access-crds.ts';
import {
  decodeClusterProjects,
  decodeGlobalRole,
  decodeGrant,
  decodeMembership,
  decodeTemplate,
} from './access-records.ts';
import { API_GROUP, API_VERSION, CRDS, ensureNamespace, installCrds, KINDS } from './crds.ts';
import { KubeAccessStore } from './kube-access-store.ts';
import { decodeApiToken, KubeApiTokenRepository } from './kube-api-token-repository.ts';
import { decodeCluster, KubeClusterRepository } from './kube-cluster-repository.ts';
import {
  decodeOidcSession,
  KubeOidcSessionRepository,
  OIDC_SESSION_SECRET_TYPE,
} from './kube-oidc-session-repository.ts';
import { decodePendingLogin, KubePendingLogins, PENDING_LOGIN_SECRET_TYPE } from './kube-pending-logins.ts';
import { decodeUser, KubeUserRepository } from './kube-user-repository.ts';
import { ManagementTransport } from './management-transport.ts';
import { NameClaims } from './name-claims.ts';
import { type Decoder, ResourceView } from './resource-view.ts';
import type { ManagementStore, StoreRepositories } from './store-repositories.ts';

/** Every CRD of the store, as the gateway applies them and the Helm chart ships them. */
export const STORE_CRDS: readonly KubeObject[] = [...CRDS, ...ACCESS_CRDS];

/** Where the management cluster is and who this replica is. */
export interface KubernetesStoreSettings {
  /** A kubeconfig of the management cluster; without it, the pod's in-cluster configuration. */
  readonly kubeconfigPath?: string;
  /** The namespace of the gateway's objects (default fleetgate-system). */
  readonly namespace?: string;
  /** This replica's name, stable across its restarts (default: POD_NAME, else the host name). */
  readonly replicaId?: string;
}

/** The default namespace of the gateway's objects in the management cluster. */
export const DEFAULT_MANAGEMENT_NAMESPACE = 'fleetgate-system';
/** How long a start waits for every view to have listed once. */
const READY_TIMEOUT_MS = 30_000;

/** The store, with its management cluster named. */
export interface KubernetesStore extends StoreRepositories {
  readonly management: ManagementStore;
}

/**
 * Connects to the management cluster, installs the CRDs, starts a watch-fed view of each
 * collection and answers the repositories once every view has listed (docs/replicas.md).
 */
export async function openKubernetesStore(
  settings: KubernetesStoreSettings,
  log: Logger,
): Promise<KubernetesStore> {
  const namespace = settings.namespace ?? DEFAULT_MANAGEMENT_NAMESPACE;
  const replicaId = settings.replicaId ?? process.env.POD_NAME ?? hostname();
  const transport = await ManagementTransport.connect(settings.kubeconfigPath);
  const kube = new KubeClient(transport);
  await ensureNamespace(kube, namespace);
  await installCrds(kube, STORE_CRDS);
  const ours = (plural: string) => `/apis/${API_GROUP}/${API_VERSION}/namespaces/${namespace}/${plural}`;
  const secretsPath = `/api/v1/namespaces/${namespace}/secrets`;
  const views: ResourceView<unknown>[] = [];
  const view = <T>(path: string, decode: Decoder<T>, fieldSelector?: string) => {
    const made = new ResourceView<T>({ kube, path, fieldSelector, log }, decode);
    views.push(made as ResourceView<unknown>);
    return made;
  };
  const users = view(ours(KINDS.user.plural), decodeUser);
  const tokens = view(ours(KINDS.apiToken.plural), decodeApiToken);
  const clusters = view(ours(KINDS.cluster.plural), decodeCluster);
  const sessions = view(secretsPath, decodeOidcSession, `type=${OIDC_SESSION_SECRET_TYPE}`);
  const pending = view(secretsPath, decodePendingLogin, `type=${PENDING_LOGIN_SECRET_TYPE}`);
  const claims = new NameClaims(kube, namespace);
  const access = new KubeAccessStore(
    {
      templates: view(ours(ACCESS_KINDS.roleTemplate.plural), decodeTemplate),
      globalRoles: view(ours(ACCESS_KINDS.globalRole.plural), decodeGlobalRole),
      grants: view(ours(ACCESS_KINDS.globalRoleGrant.plural), decodeGrant),
      projects: view(ours(ACCESS_KINDS.clusterProjects.plural), decodeClusterProjects),
      memberships: view(ours(ACCESS_KINDS.membership.plural), decodeMembership),
      oidcSessions: sessions,
    },
    {
      claims,
      membershipsPath: ours(ACCESS_KINDS.membership.plural),
      clusterUid: (clusterId) => clusters.uidOf(clusterId),
    },
  );
  const close = () => {
    for (const each of views) each.stop();
    transport.close();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(views.map((each) => each.ready)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`the management cluster's objects could not be read in ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]);
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  log.info({ namespace, replicaId }, 'store: management cluster');
  const clusterRepository = new KubeClusterRepository({
    view: clusters,
    replicaId,
    claims,
    collectionPath: ours(KINDS.cluster.plural),
    deleteDependents: (clusterId) => access.deleteClusterObjects(clusterId),
  });
  return {
    management: {
      kube,
      namespace,
      replicaId,
      holderOf: (clusterId) => clusterRepository.holderOf(clusterId),
    },
    users: new KubeUserRepository(users),
    tokens: new KubeApiTokenRepository(tokens, log),
    clusters: clusterRepository,
    oidcSessions: new KubeOidcSessionRepository(sessions),
    pendingLogins: new KubePendingLogins(pending, kube, secretsPath),
    access,
    close,
  };
}
