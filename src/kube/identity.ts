import { GatewayError } from '../errors/gateway-error.ts';
import { forbiddenImpersonation } from '../shared/impersonation-policy.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

/** A person as a downstream cluster knows them: the attributes impersonation sets. */
export interface PersonIdentity {
  readonly kind: 'person';
  readonly user: string;
  readonly groups: readonly string[];
  /** Absent when a client asked to act as a user without naming a uid. */
  readonly uid?: string;
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The agent's own ServiceAccount: no impersonation at all. */
export interface AgentIdentity {
  readonly kind: 'agent';
}

/** Who a call to a cluster runs as. It becomes `Impersonate-*` headers only at the wire. */
export type Identity = PersonIdentity | AgentIdentity;

/** The agent itself: for the gateway's own reads (caches, stats, health). */
export const AGENT_IDENTITY: AgentIdentity = Object.freeze({ kind: 'agent' });

const headersOf = new WeakMap<Identity, HeaderPairs>();
const keysOf = new WeakMap<Identity, string>();

/**
 * The Impersonate-* headers of an identity (extra keys percent-encoded, as Kubernetes
 * wants), made once per identity value. Refuses any `system:` identity but the group
 * system:authenticated, and names and values no HTTP header can carry: fail closed.
 */
export function impersonationHeaders(identity: Identity): HeaderPairs {
  const known = headersOf.get(identity);
  if (known) return known;
  const headers: [string, string][] = [];
  if (identity.kind === 'person') {
    headers.push(['Impersonate-User', identity.user]);
    for (const group of identity.groups) headers.push(['Impersonate-Group', group]);
    if (identity.uid !== undefined) headers.push(['Impersonate-Uid', identity.uid]);
    for (const [key, values] of Object.entries(identity.extra)) {
      for (const value of values) headers.push([`Impersonate-Extra-${encodeURIComponent(key)}`, value]);
    }
    const problem = forbiddenImpersonation(headers);
    if (problem) throw new GatewayError('FORBIDDEN', `${problem} through the gateway`);
    for (const [, value] of headers) {
      if (!HEADER_VALUE.test(value))
        throw new GatewayError(
          'BAD_USER_INPUT',
          'an identity attribute holds characters no header can carry',
        );
    }
  }
  headersOf.set(identity, headers);
  return headers;
}

// RFC 9110 field-value: visible ASCII, spaces and tabs, and obs-text; no controls.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A stable text key of an identity (for caches of answers about it), made once per value. */
export function identityKey(identity: Identity): string {
  let key = keysOf.get(identity);
  if (key === undefined) {
    key = identity.kind === 'agent' ? 'agent' : JSON.stringify(impersonationHeaders(identity));
    keysOf.set(identity, key);
  }
  return key;
}
