import type { Principal } from '../auth/principal.ts';
import { downstreamIdentity } from '../auth/principal.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { Membership } from './access-model.ts';
import type { AccessService } from './access-service.ts';
import { subjectMatches } from './global-roles.ts';
import { effectiveRules, rulesAllow } from './role-templates.ts';

/** The question: may this person do this verb on this resource (in this namespace) of this cluster? */
export interface ExplainQuestion {
  readonly clusterId: string;
  /** The person, by downstream user name: `local:alice`. */
  readonly subjectName: string;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The cluster's answer, and the memberships of the gateway's policy that grant it. */
export interface Explanation {
  readonly allowed: boolean;
  /** The cluster's own reason (RBAC names the binding that allowed it), or why nothing did. */
  readonly reason: string;
  readonly grantedBy: readonly { readonly membership: Membership; readonly templateId: string }[];
}

const WORD = /^[a-z*][a-z0-9.*-]{0,252}$/;
const GROUP = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$/;
const NAME = /^[\x21-\x7e]{1,253}$/;

function check(what: string, value: string | undefined, pattern: RegExp): void {
  if (value !== undefined && !pattern.test(value))
    throw new GatewayError('BAD_USER_INPUT', `${what} ${JSON.stringify(value.slice(0, 64))} is not valid`);
}

/**
 * Answers why a person may or may not do something in a cluster (docs/access-control.md,
 * "Explain"): the cluster decides, through a SelfSubjectAccessReview made as the person's
 * downstream identity; the gateway adds the memberships whose rules grant it there.
 * Anyone may ask about themself; about others, with `access:explain`.
 */
export async function explainAccess(
  caller: Principal,
  question: ExplainQuestion,
  parts: { readonly service: AccessService; readonly kube: KubeClient },
): Promise<Explanation> {
  const { service, kube } = parts;
  for (const [what, value, pattern] of [
    ['verb', question.verb, WORD],
    ['resource', question.resource, WORD],
    ['subresource', question.subresource, WORD],
    ['group', question.group, GROUP],
    ['namespace', question.namespace, GROUP],
    ['name', question.name, NAME],
  ] as const)
    check(what, value, pattern);
  const person = service.knownPerson(question.subjectName);
  if (person.principalId !== caller.principalId && !service.may(caller, 'access:explain'))
    throw new GatewayError('FORBIDDEN', "explaining someone else's access needs access:explain");
  const review = await kube.create<{
    status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
  }>(
    { clusterId: question.clusterId, as: downstreamIdentity(person) },
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb: question.verb,
          group: question.group,
          resource: question.resource,
          subresource: question.subresource,
          namespace: question.namespace,
          name: question.name,
        },
      },
    },
  );
  const allowed = review.status?.allowed === true;
  const templates = service.templates();
  const resource = question.subresource ? `${question.resource}/${question.subresource}` : question.resource;
  const grantedBy = service
    .memberships({ clusterId: question.clusterId })
    .filter((membership) => subjectMatches(membership.subject, person))
    .filter((membership) => {
      if (membership.projectId === null) return true;
      const project = service.store.project(membership.projectId);
      return question.namespace !== undefined && (project?.namespaces.includes(question.namespace) ?? false);
    })
    .filter((membership) =>
      rulesAllow(effectiveRules(membership.templateId, templates), {
        verb: question.verb,
        group: question.group,
        resource,
        name: question.name,
      }),
    )
    .map((membership) => ({ membership, templateId: membership.templateId }));
  const reason =
    review.status?.reason ||
    review.status?.evaluationError ||
    (allowed ? 'allowed' : 'no RBAC rule of the cluster allows it');
  return { allowed, reason, grantedBy };
}
