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

/** Longest identity attribute accepted (a user, group, uid, extra key or value). */
export const MAX_IDENTITY_ATTRIBUTE_CHARS = 1024;
// RFC 9110 field-value: visible ASCII, spaces and tabs, and obs-text; no controls, nothing
// above 0xff (a header carries bytes, and Node refuses what would not fit in one).
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 9110 tchar, less '%' and upper-case letters: what an extra key may keep unencoded in a
// header name. Header names are case-insensitive, and the apiserver lower-cases the name
// before it decodes the key, so an upper-case letter is sent encoded to arrive as itself.
const TCHAR = /^[a-z0-9!#$&'*+.^_`|~-]$/;

/**
 * An extra key as Kubernetes reads it back from `Impersonate-Extra-<key>`: every byte that
 * may not stand in a header name is percent-encoded (the apiserver percent-decodes the key),
 * so that no key, however odd, makes a header that cannot be sent.
 */
export function encodeExtraKey(key: string): string {
  let encoded = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded +=
      byte < 0x80 && TCHAR.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * Why an identity must not be impersonated through the gateway, or undefined when it may:
 * a `system:` user or group (other than system:authenticated), an empty user, or an
 * attribute no header can carry. Sign-in checks people with it; the wire checks again.
 */
export function identityProblem(identity: PersonIdentity): string | undefined {
  if (identity.user.trim() === '') return 'the user name is empty';
  const values = [
    identity.user,
    ...identity.groups,
    ...(identity.uid === undefined ? [] : [identity.uid]),
    ...Object.entries(identity.extra).flatMap(([key, list]) => [key, ...list]),
  ];
  for (const value of values) {
    if (value.length > MAX_IDENTITY_ATTRIBUTE_CHARS)
      return `an identity attribute is longer than ${MAX_IDENTITY_ATTRIBUTE_CHARS} characters`;
    if (!HEADER_VALUE.test(value))
      return `the identity attribute ${JSON.stringify(value.slice(0, 64))} holds characters no header can carry`;
  }
  return forbiddenImpersonation([
    ['Impersonate-User', identity.user],
    ...identity.groups.map((group): [string, string] => ['Impersonate-Group', group]),
  ]);
}

/**
 * The Impersonate-* headers of an identity, made once per identity value. An identity with
 * a problem (see identityProblem) is refused: fail closed, whatever layer asked.
 */
export function impersonationHeaders(identity: Identity): HeaderPairs {
  const known = headersOf.get(identity);
  if (known) return known;
  const headers: [string, string][] = [];
  if (identity.kind === 'person') {
    const problem = identityProblem(identity);
    if (problem) throw new GatewayError('FORBIDDEN', `${problem}: not allowed through the gateway`);
    headers.push(['Impersonate-User', identity.user]);
    for (const group of identity.groups) headers.push(['Impersonate-Group', group]);
    if (identity.uid !== undefined) headers.push(['Impersonate-Uid', identity.uid]);
    for (const [key, values] of Object.entries(identity.extra)) {
      for (const value of values) headers.push([`Impersonate-Extra-${encodeExtraKey(key)}`, value]);
    }
  }
  headersOf.set(identity, headers);
  return headers;
}

/** A stable text key of an identity (for caches of answers about it), made once per value. */
export function identityKey(identity: Identity): string {
  let key = keysOf.get(identity);
  if (key === undefined) {
    key = identity.kind === 'agent' ? 'agent' : JSON.stringify(impersonationHeaders(identity));
    keysOf.set(identity, key);
  }
  return key;
}

/**
 * The person a stream's `Impersonate-*` headers name, as `impersonationHeaders` wrote them
 * (a replica's question to a cluster's owner carries the person this way: docs/replicas.md
 * §6), or undefined when they name no user, more than one user or uid, or an identity the
 * gateway refuses (identityProblem). Other headers are ignored.
 */
export function personFromImpersonation(headers: HeaderPairs): PersonIdentity | undefined {
  const users: string[] = [];
  const groups: string[] = [];
  const uids: string[] = [];
  // No prototype: a key named __proto__ is a key like any other.
  const extra = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'impersonate-user') users.push(value);
    else if (lower === 'impersonate-group') groups.push(value);
    else if (lower === 'impersonate-uid') uids.push(value);
    else if (lower.startsWith('impersonate-extra-')) {
      let key: string;
      try {
        // As the apiserver does: the name lower-cased first (a letter meant upper-case is
        // sent encoded, encodeExtraKey), then decoded.
        key = decodeURIComponent(lower.slice('impersonate-extra-'.length));
      } catch {
        return undefined;
      }
      if (!Object.hasOwn(extra, key)) extra[key] = [];
      extra[key]?.push(value);
    }
  }
  const [user] = users;
  if (user === undefined || users.length > 1 || uids.length > 1) return undefined;
  const [uid] = uids;
  const person: PersonIdentity =
    uid === undefined
      ? { kind: 'person', user, groups, extra }
      : { kind: 'person', user, groups, uid, extra };
  return identityProblem(person) ? undefined : person;
}
