import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/objects.ts';
import { ResourceView } from '../management/resource-view.ts';
import type { Logger } from '../shared/log/logger.ts';

/** Label of the gateway's Leases, by what they are for. */
export const LEASE_ROLE_LABEL = 'fleetgate.dev/role';
/** Annotation of a replica's Lease: the address its peers reach it at. */
export const PEER_ADDRESS_ANNOTATION = 'fleetgate.dev/peer-address';

/** A Lease as the gateway reads it. */
export interface LeaseRecord {
  readonly name: string;
  readonly holder: string | null;
  readonly durationSeconds: number;
  /** Epoch ms of the last renewal (0 when never). */
  readonly renewedAtMs: number;
  readonly peerAddress: string | null;
}

/** A Lease's MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A coordination.k8s.io Lease as a record; undefined when malformed. */
export function decodeLease(object: KubeObject): LeaseRecord | undefined {
  const name = object.metadata?.name;
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  if (!name) return undefined;
  const renewed = typeof spec.renewTime === 'string' ? Date.parse(spec.renewTime) : Number.NaN;
  return {
    name,
    holder: typeof spec.holderIdentity === 'string' && spec.holderIdentity ? spec.holderIdentity : null,
    durationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    renewedAtMs: Number.isFinite(renewed) ? renewed : 0,
    peerAddress: object.metadata?.annotations?.[PEER_ADDRESS_ANNOTATION] ?? null,
  };
}

/** True while the Lease's holder renewed it within its duration. */
export function leaseHeld(lease: LeaseRecord, nowMs: number): boolean {
  return lease.holder !== null && lease.renewedAtMs + lease.durationSeconds * 1000 > nowMs;
}

/** A Lease held by `holder` from `at`. */
export function leaseObject(options: {
  readonly name: string;
  readonly role: string;
  readonly holder: string;
  readonly durationSeconds: number;
  readonly at: Date;
  readonly annotations?: Record<string, string>;
}): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: options.name,
      labels: { [LEASE_ROLE_LABEL]: options.role },
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      holderIdentity: options.holder,
      leaseDurationSeconds: options.durationSeconds,
      acquireTime: microTime(options.at),
      renewTime: microTime(options.at),
    },
  } as KubeObject;
}

/** Renews a Lease object in place for `holder` (taking it over if another held it). */
export function renewLease(object: KubeObject, holder: string, at: Date): KubeObject {
  const withSpec = object as { spec?: Record<string, unknown> };
  withSpec.spec ??= {};
  const spec = withSpec.spec;
  if (spec.holderIdentity !== holder) {
    spec.holderIdentity = holder;
    spec.acquireTime = microTime(at);
    spec.leaseTransitions = (typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0) + 1;
  }
  spec.renewTime = microTime(at);
  return object;
}

/** A watch-fed view of the gateway's Leases of one role (`replica`, `cluster`) in the namespace. */
export function leaseView(options: {
  readonly kube: KubeClient;
  readonly namespace: string;
  readonly role: 'replica' | 'cluster';
  readonly log: Logger;
}): ResourceView<LeaseRecord> {
  return new ResourceView<LeaseRecord>(
    {
      kube: options.kube,
      path: `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`,
      labelSelector: `${LEASE_ROLE_LABEL}=${options.role}`,
      log: options.log,
    },
    decodeLease,
  );
}
