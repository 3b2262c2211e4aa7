import { createHash } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { AGENT_IDENTITY } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { GROUP_VERSION, KINDS } from './crds.ts';
import { MANAGEMENT_CLUSTER } from './management-transport.ts';

/** What a claim makes unique: a cluster's name, or what a membership grants. */
export type ClaimPurpose = 'cluster-name' | 'membership';

/** The object that holds a claim, and that the claim goes with (its ownerReference). */
export interface ClaimOwner {
  readonly kind: string;
  /** The owner's collection, e.g. /apis/fleetgate.dev/v1alpha1/namespaces/NS/fleetgateclusters. */
  readonly collectionPath: string;
  readonly name: string;
  readonly uid: string;
}

const target = { clusterId: MANAGEMENT_CLUSTER, as: AGENT_IDENTITY };
/** Rounds of "the claim's owner is gone: clear it and claim again" before giving up. */
const MAX_CLAIM_ATTEMPTS = 3;

const isCode = (error: unknown, code: string) => error instanceof GatewayError && error.code === code;

/** The claim's object name: the purpose and a SHA-256 of the key (any key fits a name). */
export function claimName(purpose: ClaimPurpose, key: string): string {
  return `${purpose}-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** The FleetgateClaim of `key` for `owner`, with its ownerReference. */
export function claimObject(
  purpose: ClaimPurpose,
  key: string,
  owner: Pick<ClaimOwner, 'kind' | 'name' | 'uid'>,
): KubeObject {
  return {
    apiVersion: GROUP_VERSION,
    kind: KINDS.claim.kind,
    metadata: {
      name: claimName(purpose, key),
      ownerReferences: [{ apiVersion: GROUP_VERSION, kind: owner.kind, name: owner.name, uid: owner.uid }],
    },
    spec: { purpose, key, owner: owner.name },
  } as KubeObject;
}

/**
 * Unique keys across replicas (docs/replicas.md §2): a view can only say what this replica
 * has seen, so two replicas checking their views in the same instant both find a name free.
 * A claim is an object named after a hash of the key, created with create semantics: the
 * apiserver lets one create of a name succeed and answers the others 409. Its owner is made
 * first and the claim carries an ownerReference to it, so the garbage collector removes the
 * claim with its owner, also when a replica dies between the two; a claim whose owner is gone
 * (no garbage collector has run yet) is cleared and claimed again.
 */
export class NameClaims {
  readonly #kube: KubeClient;
  readonly #path: string;

  constructor(kube: KubeClient, namespace: string) {
    this.#kube = kube;
    this.#path = `/apis/${GROUP_VERSION}/namespaces/${namespace}/${KINDS.claim.plural}`;
  }

  /** Claims `key` for `owner`; CONFLICT when another owner, still there, holds it. */
  async claim(purpose: ClaimPurpose, key: string, owner: ClaimOwner): Promise<void> {
    const name = claimName(purpose, key);
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      try {
        await this.#kube.create(target, this.#path, claimObject(purpose, key, owner));
        return;
      } catch (error) {
        if (!isCode(error, 'RESOURCE_CONFLICT')) throw error;
      }
      const held = await this.#get(`${this.#path}/${name}`);
      if (!held) continue;
      const heldBy = held.metadata?.ownerReferences?.[0];
      if (heldBy?.uid === owner.uid) return;
      if (heldBy && (await this.#ownerStands(owner.collectionPath, heldBy.name, heldBy.uid)))
        throw new GatewayError('CONFLICT', `${purpose} ${key.slice(0, 256)} is taken`);
      // Its owner is gone: clear the claim (that very one) and claim again.
      await this.#deleteExactly(name, held.metadata?.uid);
    }
    throw new GatewayError('CONFLICT', `${purpose} ${key.slice(0, 256)} kept changing hands; try again`);
  }

  /** Releases `key` if `ownerName` holds it (after the owner's delete: the key is free at once). */
  async release(purpose: ClaimPurpose, key: string, ownerName: string): Promise<void> {
    const name = claimName(purpose, key);
    const held = await this.#get(`${this.#path}/${name}`);
    if (held?.metadata?.ownerReferences?.[0]?.name === ownerName)
      await this.#deleteExactly(name, held.metadata?.uid);
  }

  /** True when the object of that name is the very one (same uid) the claim names. */
  async #ownerStands(collectionPath: string, name: string, uid: string): Promise<boolean> {
    const found = await this.#get(`${collectionPath}/${name}`);
    return found?.metadata?.uid === uid;
  }

  async #get(path: string): Promise<KubeObject | undefined> {
    try {
      return await this.#kube.get<KubeObject>(target, path);
    } catch (error) {
      if (isCode(error, 'RESOURCE_NOT_FOUND')) return undefined;
      throw error;
    }
  }

  async #deleteExactly(name: string, uid: string | undefined): Promise<void> {
    try {
      await this.#kube.call(
        target,
        'DELETE',
        `${this.#path}/${name}`,
        uid ? { value: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } } : undefined,
      );
    } catch (error) {
      // Gone already, or replaced by another claim meanwhile: not ours to delete.
      if (!isCode(error, 'RESOURCE_NOT_FOUND') && !isCode(error, 'RESOURCE_CONFLICT')) throw error;
    }
  }
}
