import { GatewayError } from '../errors/gateway-error.ts';
import { identityProblem, type PersonIdentity } from '../kube/identity.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import { forbiddenImpersonation } from '../shared/impersonation-policy.ts';
import type { HeaderPairs } from '../shared/tunnel/heads.ts';

const EXTRA_PREFIX = 'impersonate-extra-';
const MAX_VALUES = 64;

/**
 * What a client asked to act as (`kubectl --as / --as-group / --as-uid`), read from its
 * Impersonate-* headers before they are stripped; undefined when there are none.
 */
export function requestedImpersonation(headers: HeaderPairs): PersonIdentity | undefined {
  let user: string | undefined;
  let uid: string | undefined;
  const groups: string[] = [];
  // A Map, not an object: a key named __proto__ or toString is a key like any other.
  const extra = new Map<string, string[]>();
  let any = false;
  let count = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('impersonate-')) continue;
    any = true;
    if (++count > MAX_VALUES)
      throw new GatewayError('BAD_USER_INPUT', `at most ${MAX_VALUES} Impersonate-* headers`);
    if (lower === 'impersonate-user') {
      if (user !== undefined) throw new GatewayError('BAD_USER_INPUT', 'Impersonate-User given twice');
      user = value;
    } else if (lower === 'impersonate-group') {
      groups.push(value);
    } else if (lower === 'impersonate-uid') {
      if (uid !== undefined) throw new GatewayError('BAD_USER_INPUT', 'Impersonate-Uid given twice');
      uid = value;
    } else if (lower.startsWith(EXTRA_PREFIX)) {
      let key: string;
      try {
        key = decodeURIComponent(lower.slice(EXTRA_PREFIX.length));
      } catch {
        throw new GatewayError('BAD_USER_INPUT', `malformed header ${name}`);
      }
      extra.set(key, [...(extra.get(key) ?? []), value]);
    } else {
      throw new GatewayError('BAD_USER_INPUT', `unknown impersonation header ${name}`);
    }
  }
  if (!any) return undefined;
  if (!user)
    throw new GatewayError(
      'BAD_USER_INPUT',
      'impersonating groups, a uid or extras requires Impersonate-User',
    );
  return { kind: 'person', user, groups, uid, extra: Object.fromEntries(extra) };
}

interface AccessQuestion {
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name: string;
  readonly what: string;
}

function questions(requested: PersonIdentity): AccessQuestion[] {
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
 * requested attribute (SelfSubjectAccessReview). Throws on the first no: FORBIDDEN for what
 * the gateway never allows, BAD_USER_INPUT for an identity no request could carry (checked
 * before any question is asked), CLUSTER_FORBIDDEN for what the cluster refuses.
 */
export async function authorizeImpersonation(
  kube: KubeClient,
  clusterId: string,
  caller: PersonIdentity,
  requested: PersonIdentity,
): Promise<void> {
  const policyProblem = forbiddenImpersonation([
    ['Impersonate-User', requested.user],
    ...requested.groups.map((g): [string, string] => ['Impersonate-Group', g]),
  ]);
  if (policyProblem)
    throw new GatewayError('FORBIDDEN', `${policyProblem} through the gateway`, { clusterId });
  // What is left of identityProblem's verdict is about shape: the client sent it, so a 400.
  const problem = identityProblem(requested);
  if (problem)
    throw new GatewayError('BAD_USER_INPUT', `cannot act as that identity: ${problem}`, { clusterId });
  const answers = await Promise.all(
    questions(requested).map(async (question) => ({
      question,
      allowed: await kube.mayI(
        { clusterId, as: caller },
        {
          verb: 'impersonate',
          group: question.group,
          resource: question.resource,
          subresource: question.subresource,
          name: question.name,
        },
      ),
    })),
  );
  const denied = answers.find((a) => !a.allowed);
  if (denied)
    throw new GatewayError(
      'CLUSTER_FORBIDDEN',
      `you may not impersonate ${denied.question.what} in this cluster`,
      { clusterId },
    );
}
