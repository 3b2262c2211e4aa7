import { asGatewayError, badInput, GatewayError } from '../errors/gateway-error.ts';
import { identityKey } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { GraphQLContext } from './context.ts';

const API_VERSION = /^([a-z0-9.-]{1,253}\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]{0,62}$/;
/** How long a cluster's discovery of an API version is reused, per person. */
export const DISCOVERY_TTL_MS = 10_000;
/** Discoveries kept at once per gateway; the oldest is dropped past it. */
export const MAX_DISCOVERIES = 1_000;

/** What paths need of one kind in a discovery: its collection's name, scope and whether it lists. */
interface KindEntry {
  readonly resource: string;
  readonly namespaced: boolean;
  readonly listable: boolean;
}
type Discovered = ReadonlyMap<string, KindEntry>;

/**
 * Discoveries (API version -> its kinds) asked as each person, shared by every request and
 * subscription of the gateway for DISCOVERY_TTL_MS and bounded in number, keeping only the
 * kinds' collection names and scopes, not the documents. A discovery in flight is joined;
 * a failed one is not kept.
 */
class Discoveries {
  readonly #entries = new Map<
    string,
    { readonly at: number; readonly kinds: Promise<Discovered | GatewayError> }
  >();

  get(
    context: GraphQLContext,
    clusterId: string,
    apiVersion: string,
    fresh: boolean,
  ): { readonly kinds: Promise<Discovered | GatewayError>; readonly reused: boolean } {
    const key = JSON.stringify([identityKey(context.identity), clusterId, apiVersion]);
    const known = this.#entries.get(key);
    if (known && !fresh && Date.now() - known.at < DISCOVERY_TTL_MS)
      return { kinds: known.kinds, reused: true };
    const kinds = context.kube.resources({ clusterId, as: context.identity }, apiVersion).then(
      (list): Discovered => {
        const byKind = new Map<string, KindEntry>();
        for (const r of list.resources ?? []) {
          if (r.name.includes('/') || byKind.has(r.kind)) continue;
          byKind.set(r.kind, {
            resource: r.name,
            namespaced: r.namespaced,
            listable: (r.verbs ?? ['list']).includes('list'),
          });
        }
        return byKind;
      },
      (error: unknown) => {
        this.#entries.delete(key);
        const failure = asGatewayError(error);
        return failure.code === 'RESOURCE_NOT_FOUND'
          ? new GatewayError('RESOURCE_NOT_FOUND', `cluster ${clusterId}: ${apiVersion} is not served`, {
              clusterId,
            })
          : failure;
      },
    );
    this.#entries.delete(key);
    if (this.#entries.size >= MAX_DISCOVERIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { at: Date.now(), kinds });
    return { kinds, reused: false };
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** One set of discoveries per gateway (its KubeClient), so that gateways in one process share nothing. */
const discoveriesOf = new WeakMap<KubeClient, Discoveries>();

function discoveries(kube: KubeClient): Discoveries {
  let known = discoveriesOf.get(kube);
  if (!known) {
    known = new Discoveries();
    discoveriesOf.set(kube, known);
  }
  return known;
}

/** How many discoveries a gateway keeps (for tests of the bound). */
export function discoveriesKept(kube: KubeClient): number {
  return discoveriesOf.get(kube)?.size ?? 0;
}

/** Checks an apiVersion and a kind given by a person (BAD_USER_INPUT when malformed). */
export function checkKind(apiVersion: string, kind: string): void {
  if (!API_VERSION.test(apiVersion)) throw badInput('apiVersion must look like v1 or group/v1');
  if (!KIND.test(kind)) throw badInput('kind must look like Deployment');
}

/**
 * The collection path of a kind in one cluster, from that cluster's discovery (asked as the
 * caller, cached for the request): custom resources work as built-in ones do. Throws
 * RESOURCE_NOT_FOUND (with the cluster) where that cluster does not serve it.
 */
export async function collectionPath(
  context: GraphQLContext,
  clusterId: string,
  apiVersion: string,
  kind: string,
  namespace: string | null | undefined,
): Promise<string> {
  checkKind(apiVersion, kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const shared = discoveries(context.kube);
  const asked = shared.get(context, clusterId, apiVersion, false);
  let discovery = await asked.kinds;
  // A kind not in a reused discovery may have been added since (a new CRD): ask again once.
  if (asked.reused && !(discovery instanceof GatewayError) && !discovery.get(kind)?.listable)
    discovery = await shared.get(context, clusterId, apiVersion, true).kinds;
  if (discovery instanceof GatewayError) throw discovery;
  const resource = discovery.get(kind);
  if (!resource?.listable) {
    throw new GatewayError(
      'RESOURCE_NOT_FOUND',
      `cluster ${clusterId}: no listable ${kind} in ${apiVersion}`,
      {
        clusterId,
      },
    );
  }
  return resource.namespaced && namespace
    ? `${base}/namespaces/${namespace}/${resource.resource}`
    : `${base}/${resource.resource}`;
}
