import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Cluster ids: "c-" and 10 lower-case letters or digits (a valid DNS label). */
export const CLUSTER_ID_PATTERN = /^c-[a-z0-9]{10}$/;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newClusterId(): string {
  const bytes = randomBytes(10);
  let id = 'c-';
  // 256 % 36 != 0 gives a slight bias; ids need uniqueness, not uniformity.
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** A registration token's parts. The secret is never stored, only its hash. */
export interface RegistrationToken {
  readonly clusterId: string;
  readonly secret: string;
}

export function newRegistrationToken(clusterId: string): RegistrationToken {
  return { clusterId, secret: randomBytes(32).toString('base64url') };
}

export function formatRegistrationToken(token: RegistrationToken): string {
  return `${token.clusterId}.${token.secret}`;
}

/** Parses "<clusterId>.<secret>", or undefined when it has another shape. */
export function parseRegistrationToken(text: string): RegistrationToken | undefined {
  if (text.length > 100) return undefined;
  const dot = text.indexOf('.');
  const clusterId = text.slice(0, dot);
  const secret = text.slice(dot + 1);
  if (dot < 0 || !CLUSTER_ID_PATTERN.test(clusterId) || !SECRET_PATTERN.test(secret)) return undefined;
  return { clusterId, secret };
}

/** An agent credential's parts: minted by the gateway for one cluster's agents (hash stored only). */
export interface AgentCredential {
  readonly clusterId: string;
  readonly secret: string;
}

const CREDENTIAL_INFIX = '.agent.';

export function newAgentCredential(clusterId: string): AgentCredential {
  return { clusterId, secret: randomBytes(32).toString('base64url') };
}

export function formatAgentCredential(credential: AgentCredential): string {
  return `${credential.clusterId}${CREDENTIAL_INFIX}${credential.secret}`;
}

/** Parses "<clusterId>.agent.<secret>", or undefined when it has another shape. */
export function parseAgentCredential(text: string): AgentCredential | undefined {
  if (text.length > 100) return undefined;
  const infix = text.indexOf(CREDENTIAL_INFIX);
  const clusterId = text.slice(0, infix);
  const secret = text.slice(infix + CREDENTIAL_INFIX.length);
  if (infix < 0 || !CLUSTER_ID_PATTERN.test(clusterId) || !SECRET_PATTERN.test(secret)) return undefined;
  return { clusterId, secret };
}

/** What an agent presented as its bearer token, by kind; undefined when it is neither. */
export type AgentSecret =
  | { readonly kind: 'registration token'; readonly clusterId: string; readonly secret: string }
  | { readonly kind: 'agent credential'; readonly clusterId: string; readonly secret: string };

export function parseAgentSecret(text: string): AgentSecret | undefined {
  const credential = parseAgentCredential(text);
  if (credential) return { kind: 'agent credential', ...credential };
  const token = parseRegistrationToken(text);
  return token && { kind: 'registration token', ...token };
}

/**
 * SHA-256 of the secret. A 256-bit random secret cannot be guessed, so a fast hash is
 * enough (a slow password hash would only slow down 2,000 reconnecting agents).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when two hashes are the same text, compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  // As text, not decoded from hex: decoding stops at the first non-hex digit, which made
  // 'abc' the same as 'abd' and any two non-hex strings the same as each other.
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
