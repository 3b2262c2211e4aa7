import {
  BOUND_SUBJECT_PREFIXES,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MEMBERSHIP_LABEL,
  PROJECT_LABEL,
  RBAC_NAME_PREFIX,
  TEMPLATE_ROLE_PREFIX,
} from '../kube/agent-rights.ts';

/** Name of the ValidatingAdmissionPolicy fencing the agent's writes, and of its binding. */
export const AGENT_FENCE_NAME = 'fleetgate-agent-fence';

/** Who the fence applies to, and the names of what must stay out of the agent's reach. */
export interface AgentFenceOptions {
  readonly agentNamespace: string;
  /** The agent's ServiceAccount, ClusterRole and ClusterRoleBinding share this name. */
  readonly agentName: string;
  /** Names of the agent's other own objects (its credential Role and RoleBinding). */
  readonly otherAgentObjects: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** A CEL string literal (single-quoted; our names hold no quote, this keeps it so). */
function cel(value: string): string {
  if (/['\\\n]/.test(value)) throw new Error(`not a plain CEL literal: ${value}`);
  return `'${value}'`;
}

const celList = (values: readonly string[]) => `[${values.map(cel).join(', ')}]`;

/** An expression that holds for every request but those of `resources` (guards the rest). */
const notOn = (...resources: string[]) => `!(request.resource.resource in ${celList(resources)})`;

const RBAC_RESOURCES = ['clusterroles', 'clusterrolebindings', 'rolebindings'];
const BINDINGS = ['clusterrolebindings', 'rolebindings'];

/**
 * The checks, each a CEL expression that must hold for a write by the agent
 * (docs/access-control.md, "What the agent holds, and why"). Every expression that reads a
 * kind's own fields is guarded by the resource it belongs to: CEL's `||` absorbs the error
 * of reading a field another kind lacks only when the guard already holds.
 */
function validations(options: AgentFenceOptions): { expression: string; message: string }[] {
  const managed = `${cel(MANAGED_BY_LABEL)} in variables.labels && variables.labels[${cel(MANAGED_BY_LABEL)}] == ${cel(MANAGED_BY_VALUE)}`;
  const ownLabels = celList([MANAGED_BY_LABEL, MEMBERSHIP_LABEL]);
  const project = cel(PROJECT_LABEL);
  const untouchable = celList([AGENT_FENCE_NAME, options.agentName, ...options.otherAgentObjects]);
  // The namespaces no project may hold (src/access/access-input.ts): nothing is bound there.
  const reserved = (namespace: string) =>
    `${namespace}.startsWith('kube-') || ${namespace} == ${cel(options.agentNamespace)}`;
  const subjectOk = BOUND_SUBJECT_PREFIXES.map((prefix) => `s.name.startsWith(${cel(prefix)})`).join(' || ');
  return [
    {
      expression: `${notOn(...RBAC_RESOURCES)} || variables.target.metadata.name.startsWith(${cel(RBAC_NAME_PREFIX)})`,
      message: `the agent writes and deletes only RBAC objects named ${RBAC_NAME_PREFIX}...`,
    },
    {
      expression: `${notOn(...RBAC_RESOURCES)} || (${managed})`,
      message: `the agent writes and deletes only RBAC objects labelled ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    },
    {
      // Relabelling someone's object as managed is how it would otherwise become ours.
      expression: `${notOn(...RBAC_RESOURCES)} || request.operation != 'UPDATE' || (${cel(MANAGED_BY_LABEL)} in variables.oldLabels && variables.oldLabels[${cel(MANAGED_BY_LABEL)}] == ${cel(MANAGED_BY_VALUE)})`,
      message: `the agent may not take over an RBAC object it did not label ${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    },
    {
      // Aggregation labels (or any selector's) would pour a managed role's rules into others.
      expression: `${notOn(...RBAC_RESOURCES)} || request.operation == 'DELETE' || variables.labels.all(k, k in ${ownLabels} || (k in variables.oldLabels && variables.oldLabels[k] == variables.labels[k]))`,
      message: `the agent sets no labels on RBAC objects but ${MANAGED_BY_LABEL} and ${MEMBERSHIP_LABEL}`,
    },
    {
      expression: `${notOn('clusterroles')} || request.operation == 'DELETE' || !has(object.aggregationRule)`,
      message: 'the agent writes no aggregated ClusterRoles',
    },
    {
      expression: `${notOn('clusterroles')} || request.operation == 'DELETE' || !has(object.rules) || object.rules.all(r, !(has(r.apiGroups) && r.apiGroups.exists(g, g == 'admissionregistration.k8s.io') && has(r.resources) && r.resources.exists(x, x == '*' || x.startsWith('validatingadmissionpolic'))) && !(has(r.resourceNames) && r.resourceNames.exists(n, n in ${untouchable})))`,
      message:
        "a ClusterRole the agent writes may not name the admission policies nor, by name, the agent's own objects or its fence",
    },
    {
      expression: `${notOn(...BINDINGS)} || request.operation == 'DELETE' || (object.roleRef.kind == 'ClusterRole' && object.roleRef.name.startsWith(${cel(TEMPLATE_ROLE_PREFIX)}))`,
      message: `the agent binds only the gateway's own ClusterRoles, ${TEMPLATE_ROLE_PREFIX}...`,
    },
    {
      expression: `${notOn(...BINDINGS)} || request.operation == 'DELETE' || !has(object.subjects) || object.subjects.all(s, (s.kind == 'User' || s.kind == 'Group') && (${subjectOk}))`,
      message: `the agent binds only people and groups named ${BOUND_SUBJECT_PREFIXES.join('... or ')}...`,
    },
    {
      expression: `${notOn('rolebindings')} || request.operation == 'DELETE' || !(${reserved('request.namespace')})`,
      message: `the agent binds nobody in kube-* namespaces nor in ${options.agentNamespace}`,
    },
    {
      expression: `${notOn('namespaces')} || request.operation == 'DELETE' || !(${project} in variables.labels) || !(${reserved('variables.target.metadata.name')})`,
      message: `kube-* namespaces and ${options.agentNamespace} belong to no project`,
    },
    {
      expression: `${notOn('namespaces')} || request.operation != 'DELETE'`,
      message: 'the agent deletes no namespace',
    },
    {
      expression: `${notOn('namespaces')} || request.operation != 'CREATE' || (${project} in variables.labels && variables.labels[${project}] != '' && variables.labels.all(k, k in [${project}, 'kubernetes.io/metadata.name']) && (!has(object.metadata.annotations) || size(object.metadata.annotations) == 0))`,
      message: `the agent creates namespaces only with the ${PROJECT_LABEL} label, and nothing else set`,
    },
    {
      expression: `${notOn('namespaces')} || request.operation != 'UPDATE' || (variables.labels.all(k, k == ${project} || (k in variables.oldLabels && variables.oldLabels[k] == variables.labels[k])) && variables.oldLabels.all(k, k == ${project} || k in variables.labels) && variables.annotations == variables.oldAnnotations && has(object.spec) == has(oldObject.spec) && (!has(object.spec) || object.spec == oldObject.spec))`,
      message: `the agent changes nothing on a namespace but its ${PROJECT_LABEL} label`,
    },
  ];
}

/**
 * The ValidatingAdmissionPolicy and its binding that confine what the agent's ServiceAccount
 * may write to what the access controllers manage (docs/access-control.md, "What the agent
 * holds, and why"): RBAC has no name prefixes, so its `escalate`, `bind` and writes reach
 * every RBAC object; this fence, enforced by the cluster itself, narrows them.
 */
export function agentAdmissionPolicy(options: AgentFenceOptions): object[] {
  const username = `system:serviceaccount:${options.agentNamespace}:${options.agentName}`;
  const mapOf = (field: 'labels' | 'annotations', object: 'variables.target' | 'oldObject') =>
    `has(${object}.metadata.${field}) ? ${object}.metadata.${field} : {}`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: AGENT_FENCE_NAME, labels: options.labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['rbac.authorization.k8s.io'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: RBAC_RESOURCES,
            },
            {
              apiGroups: [''],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['namespaces'],
            },
          ],
        },
        matchConditions: [{ name: 'the-agent', expression: `request.userInfo.username == ${cel(username)}` }],
        variables: [
          { name: 'target', expression: "request.operation == 'DELETE' ? oldObject : object" },
          { name: 'labels', expression: mapOf('labels', 'variables.target') },
          {
            name: 'oldLabels',
            expression: `request.operation == 'CREATE' ? {} : (${mapOf('labels', 'oldObject')})`,
          },
          { name: 'annotations', expression: mapOf('annotations', 'variables.target') },
          {
            name: 'oldAnnotations',
            expression: `request.operation == 'CREATE' ? {} : (${mapOf('annotations', 'oldObject')})`,
          },
        ],
        validations: validations(options),
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: AGENT_FENCE_NAME, labels: options.labels },
      spec: { policyName: AGENT_FENCE_NAME, validationActions: ['Deny'] },
    },
  ];
}
