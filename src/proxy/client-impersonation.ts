import type { ClusterClient } from '../clusters/cluster-client.ts';
import { forbiddenImpersonation } from '../shared/impersonation-policy.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';
import { StatusError } from './k8s-status.ts';

/** What a client asked to act as (`kubectl --as / --as-group / --as-uid`). */
export interface RequestedImpersonation {
  readonly user: string;
  readonly groups: readonly string[];
  readonly uid?: string;
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

const EXTRA_PREFIX = 'impersonate-extra-';
const MAX_VALUES = 64;

/** Reads the client's Impersonate-* headers (before they are stripped); undefined when there are none. */
export function requestedImpersonation(headers: HeaderPairs): RequestedImpersonation | undefined {
  let user: string | undefined;
  let uid: string | undefined;
  const groups: string[] = [];
  const extra: Record<string, string[]> = {};
  let any = false;
  let count = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('impersonate-')) continue;
    any = true;
    if (++count > MAX_VALUES)
      throw new StatusError(400, 'BadRequest', `at most ${MAX_VALUES} Impersonate-* headers`);
    if (lower === 'impersonate-user') {
      if (user !== undefined) throw new StatusError(400, 'BadRequest', 'Impersonate-User given twice');
      user = value;
    } else if (lower === 'impersonate-group') {
      groups.push(value);
    } else if (lower === 'impersonate-uid') {
      if (uid !== undefined) throw new StatusError(400, 'BadRequest', 'Impersonate-Uid given twice');
      uid = value;
    } else if (lower.startsWith(EXTRA_PREFIX)) {
      let key: string;
      try {
        key = decodeURIComponent(lower.slice(EXTRA_PREFIX.length));
      } catch {
        throw new StatusError(400, 'BadRequest', `malformed header ${name}`);
      }
      extra[key] = [...(extra[key] ?? []), value];
    } else {
      throw new StatusError(400, 'BadRequest', `unknown impersonation header ${name}`);
    }
  }
  if (!any) return undefined;
  if (!user)
    throw new StatusError(
      400,
      'BadRequest',
      'impersonating groups, a uid or extras requires Impersonate-User',
    );
  return { user, groups, uid, extra };
}

interface AccessQuestion {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name: string;
  readonly what: string;
}

function questions(requested: RequestedImpersonation): AccessQuestion[] {
  const asked: AccessQuestion[] = [
    { group: '', resource: 'users', name: requested.user, what: `user "${requested.user}"` },
  ];
  for (const group of requested.groups)
    asked.push({ group: '', resource: 'groups', name: group, what: `group "${group}"` });
  if (requested.uid !== undefined) {
    asked.push({
      group: 'authentication.k8s.io',
      resource: 'uids',
      name: requested.uid,
      what: `uid "${requested.uid}"`,
    });
  }
  for (const [key, values] of Object.entries(requested.extra)) {
    for (const value of values) {
      asked.push({
        group: 'authentication.k8s.io',
        resource: 'userextras',
        subresource: key,
        name: value,
        what: `extra ${key}="${value}"`,
      });
    }
  }
  return asked;
}

/**
 * Asks the downstream cluster, as the caller, whether the caller may impersonate each
 * requested attribute (SelfSubjectAccessReview). Throws a Forbidden Status on the first no.
 */
export async function authorizeImpersonation(
  client: ClusterClient,
  clusterId: string,
  callerHeaders: HeaderPairs,
  requested: RequestedImpersonation,
): Promise<void> {
  const asPairs: [string, string][] = [
    ['Impersonate-User', requested.user],
    ...requested.groups.map((g): [string, string] => ['Impersonate-Group', g]),
  ];
  const policyProblem = forbiddenImpersonation(asPairs);
  if (policyProblem) throw new StatusError(403, 'Forbidden', `${policyProblem} through the gateway`);
  const answers = await Promise.all(
    questions(requested).map(async (question) => {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: {
          resourceAttributes: {
            verb: 'impersonate',
            group: question.group,
            resource: question.resource,
            subresource: question.subresource,
            name: question.name,
          },
        },
      };
      const { status, body } = await client.json<{ status?: { allowed?: boolean } }>(clusterId, {
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        headers: [['Content-Type', 'application/json'], ...callerHeaders],
        body: Buffer.from(JSON.stringify(review)),
      });
      return { question, allowed: status === 201 && body.status?.allowed === true };
    }),
  );
  const denied = answers.find((a) => !a.allowed);
  if (denied)
    throw new StatusError(
      403,
      'Forbidden',
      `you may not impersonate ${denied.question.what} in this cluster`,
    );
}

/** The headers that make the apiserver act as the requested identity. */
export function requestedImpersonationHeaders(requested: RequestedImpersonation): [string, string][] {
  const headers: [string, string][] = [['Impersonate-User', requested.user]];
  for (const group of requested.groups) headers.push(['Impersonate-Group', group]);
  if (requested.uid !== undefined) headers.push(['Impersonate-Uid', requested.uid]);
  for (const [key, values] of Object.entries(requested.extra)) {
    for (const value of values) headers.push([`Impersonate-Extra-${encodeURIComponent(key)}`, value]);
  }
  return headers;
}
