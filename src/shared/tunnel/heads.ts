import { headerSyntaxProblem } from '../http/header-syntax.ts';
import { CloseCode, ProtocolViolation } from './codes.ts';
import { AGENT_CREDENTIAL_PATTERN, MAX_HEADER_PAIRS, MAX_PATH_CHARS } from './limits.ts';

/** Header pairs in order; a name may repeat. */
export type HeaderPairs = readonly (readonly [string, string])[];

/** What the gateway asks the agent to send to its apiserver (OPEN payload). */
export interface RequestHead {
  readonly method: string;
  readonly path: string;
  readonly headers: HeaderPairs;
}

/** What the apiserver answered (RESPONSE payload). */
export interface ResponseHead {
  readonly status: number;
  readonly headers: HeaderPairs;
}

/** The gateway's greeting once the agent is authenticated (HELLO payload). */
export interface Hello {
  readonly sessionId: string;
  readonly clusterId: string;
  readonly heartbeatIntervalMs: number;
  readonly livenessTimeoutMs: number;
  /** A new agent credential for the agent to store (docs/tunnel-protocol.md §2). */
  readonly agentCredential?: string;
}

export const ALLOWED_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
]);

function malformed(what: string, field: string, expected: string, received: unknown): never {
  const shown = typeof received === 'string' ? JSON.stringify(received.slice(0, 40)) : typeof received;
  throw new ProtocolViolation(
    CloseCode.MALFORMED_FRAME,
    `${what}: field '${field}' must be ${expected}, got ${shown}`,
  );
}

function parseJsonObject(what: string, payload: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ProtocolViolation(CloseCode.MALFORMED_FRAME, `${what}: payload is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolViolation(CloseCode.MALFORMED_FRAME, `${what}: payload is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function parseHeaderPairs(what: string, value: unknown): HeaderPairs {
  if (!Array.isArray(value)) malformed(what, 'headers', 'an array of [name, value] pairs', value);
  for (const pair of value) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string'
    ) {
      malformed(what, 'headers', 'an array of [name, value] string pairs', pair);
    }
  }
  return value as HeaderPairs;
}

/** Parses an OPEN payload's shape; values are judged by `requestHeadProblem`. */
export function parseRequestHead(payload: Buffer): RequestHead {
  const raw = parseJsonObject('OPEN', payload);
  if (typeof raw.method !== 'string') malformed('OPEN', 'method', 'a string', raw.method);
  if (typeof raw.path !== 'string') malformed('OPEN', 'path', 'a string', raw.path);
  return { method: raw.method, path: raw.path, headers: parseHeaderPairs('OPEN', raw.headers) };
}

/**
 * Why a well-formed request head is unacceptable (the agent resets the stream with
 * BAD_REQUEST_HEAD), or undefined when it is fine.
 */
export function requestHeadProblem(head: RequestHead): string | undefined {
  if (!ALLOWED_METHODS.has(head.method))
    return `method ${JSON.stringify(head.method.slice(0, 16))} is not allowed`;
  if (head.path.length > MAX_PATH_CHARS) return `path longer than ${MAX_PATH_CHARS} characters`;
  if (!head.path.startsWith('/') || head.path.startsWith('//')) return 'path must be origin-form (/...)';
  if (head.headers.length > MAX_HEADER_PAIRS) return `more than ${MAX_HEADER_PAIRS} headers`;
  return headerSyntaxProblem(head.headers);
}

export function parseResponseHead(payload: Buffer): ResponseHead {
  const raw = parseJsonObject('RESPONSE', payload);
  const status = raw.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    malformed('RESPONSE', 'status', 'an integer from 100 to 599', status);
  }
  const headers = parseHeaderPairs('RESPONSE', raw.headers);
  if (headers.length > MAX_HEADER_PAIRS)
    malformed('RESPONSE', 'headers', `at most ${MAX_HEADER_PAIRS} pairs`, headers.length);
  return { status, headers };
}

export function parseHello(payload: Buffer): Hello {
  const raw = parseJsonObject('HELLO', payload);
  for (const field of ['sessionId', 'clusterId'] as const) {
    if (typeof raw[field] !== 'string') malformed('HELLO', field, 'a string', raw[field]);
  }
  for (const field of ['heartbeatIntervalMs', 'livenessTimeoutMs'] as const) {
    const n = raw[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 100)
      malformed('HELLO', field, 'an integer >= 100', n);
  }
  if (raw.agentCredential !== undefined) parseAgentCredentialField('HELLO', raw.agentCredential);
  return raw as unknown as Hello;
}

function parseAgentCredentialField(what: string, value: unknown): string {
  if (typeof value !== 'string' || !AGENT_CREDENTIAL_PATTERN.test(value))
    malformed(what, 'agentCredential', `a string matching ${AGENT_CREDENTIAL_PATTERN}`, value);
  return value;
}

/** Parses a CREDENTIAL payload: the cluster's new agent credential. */
export function parseCredential(payload: Buffer): string {
  const raw = parseJsonObject('CREDENTIAL', payload);
  return parseAgentCredentialField('CREDENTIAL', raw.agentCredential);
}

/** All values of a header (case-insensitive name). */
export function headerValues(headers: HeaderPairs, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}
