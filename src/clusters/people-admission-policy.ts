import { BOUND_SUBJECT_PREFIXES, PROJECT_LABEL } from '../kube/agent-rights.ts';

/** Name of the ValidatingAdmissionPolicy fencing people's namespace labels, and of its binding. */
export const PEOPLE_FENCE_NAME = 'fleetgate-people-fence';

/** Prefix of the labels Pod Security admission reads its levels from (enforce, audit, warn...). */
export const POD_SECURITY_LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** A CEL string literal (single-quoted; our names hold no quote, this keeps it so). */
function cel(value: string): string {
  if (/['\\\n]/.test(value)) throw new Error(`not a plain CEL literal: ${value}`);
  return `'${value}'`;
}

/**
 * A CEL list of the labels matching `guarded` (a CEL predicate on `k`) that the request adds,
 * changes or removes: set on the new object with another value than before, or gone from it.
 */
const changedLabels = (guarded: string) =>
  `variables.labels.filter(k, (${guarded}) && !(k in variables.oldLabels && variables.oldLabels[k] == variables.labels[k])) + variables.oldLabels.filter(k, (${guarded}) && !(k in variables.labels))`;

/**
 * The ValidatingAdmissionPolicy and its binding that keep the gateway's people from
 * changing what a cluster administrator decides on a namespace (docs/access-control.md,
 * "What people may not change on a namespace"): a binding in a namespace grants rights on
 * that Namespace object itself, so a `project-owner` (`*` on `*`) could otherwise lift Pod
 * Security admission there, or move the namespace out of (or into) a project.
 */
export function peopleAdmissionPolicy(labels: Readonly<Record<string, string>>): object[] {
  const person = BOUND_SUBJECT_PREFIXES.map(
    (prefix) => `request.userInfo.username.startsWith(${cel(prefix)})`,
  ).join(' || ');
  const mapOf = (object: 'object' | 'oldObject') =>
    `has(${object}.metadata.labels) ? ${object}.metadata.labels : {}`;
  const refusal = (what: string, variable: string) =>
    `${cel('the namespace label ')} + ${variable}.join(${cel(', ')}) + ${cel(` is ${what}: a person of the gateway may not set, change or remove it; a cluster administrator sets it`)}`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: PEOPLE_FENCE_NAME, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              // Subresources too: an update of namespaces/status or /finalize carries labels.
              resources: ['namespaces', 'namespaces/*'],
            },
          ],
        },
        matchConditions: [{ name: 'a-person', expression: person }],
        variables: [
          { name: 'labels', expression: mapOf('object') },
          {
            name: 'oldLabels',
            expression: `request.operation == 'CREATE' ? {} : (${mapOf('oldObject')})`,
          },
          {
            name: 'podSecurity',
            expression: changedLabels(`k.startsWith(${cel(POD_SECURITY_LABEL_PREFIX)})`),
          },
          { name: 'project', expression: changedLabels(`k == ${cel(PROJECT_LABEL)}`) },
        ],
        validations: [
          {
            expression: 'size(variables.podSecurity) == 0',
            message: `a person of the gateway may not set, change or remove a namespace's ${POD_SECURITY_LABEL_PREFIX}* labels; a cluster administrator sets them`,
            messageExpression: refusal('read by Pod Security admission', 'variables.podSecurity'),
          },
          {
            expression: 'size(variables.project) == 0',
            message: `a person of the gateway may not set, change or remove a namespace's ${PROJECT_LABEL} label; a cluster administrator or the gateway sets it`,
            messageExpression: refusal('the project label of the gateway', 'variables.project'),
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: PEOPLE_FENCE_NAME, labels },
      spec: { policyName: PEOPLE_FENCE_NAME, validationActions: ['Deny'] },
    },
  ];
}
