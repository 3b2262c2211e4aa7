import { GatewayError } from '../errors/gateway-error.ts';
import type { PolicyRule, RoleTemplate, TemplateContext } from './access-model.ts';

/** Bounds of a template (docs/access-control.md, "Role templates"). */
export const TEMPLATE_LIMITS = {
  rules: 64,
  itemsPerList: 32,
  itemChars: 253,
  includes: 16,
  descriptionChars: 512,
} as const;

/** The verbs a rule may name (besides `*`). */
const KNOWN_VERBS = new Set([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'impersonate',
  'bind',
  'escalate',
  'approve',
  'sign',
  'use',
]);
const TEMPLATE_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// API group (a DNS subdomain, or "" for core, or *), resource (lower-case plural, optional /subresource, or *).
const API_GROUP = /^(\*|[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?)?$/;
const RESOURCE =
  /^(\*|[a-z0-9][-a-z0-9.]{0,252})(\/(\*|[a-z0-9][-a-z0-9.]{0,252}))?$|^\*\/[a-z0-9][-a-z0-9.]{0,252}$/;
const RESOURCE_NAME = /^[\x21-\x7e]{1,253}$/;
const NON_RESOURCE_URL = /^\/[\x21-\x7e]{0,252}$/;

const READ = ['get', 'list', 'watch'];
const WORKLOAD_GROUPS = ['', 'apps', 'batch', 'autoscaling', 'networking.k8s.io', 'policy'];
const WORKLOADS = [
  'pods',
  'pods/log',
  'services',
  'endpoints',
  'configmaps',
  'persistentvolumeclaims',
  'deployments',
  'deployments/scale',
  'replicasets',
  'replicasets/scale',
  'statefulsets',
  'statefulsets/scale',
  'daemonsets',
  'jobs',
  'cronjobs',
  'horizontalpodautoscalers',
  'ingresses',
  'networkpolicies',
  'poddisruptionbudgets',
];
const CLUSTER_SCOPED_READS: PolicyRule = {
  apiGroups: ['', 'storage.k8s.io', 'apiextensions.k8s.io'],
  resources: ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'customresourcedefinitions'],
  verbs: READ,
};

function builtIn(
  templateId: string,
  context: TemplateContext,
  description: string,
  rules: PolicyRule[],
): RoleTemplate {
  return { templateId, context, description, rules, includes: [], builtIn: true };
}

/** The templates every gateway has; they cannot be changed or deleted. */
export const BUILT_IN_TEMPLATES: readonly RoleTemplate[] = [
  builtIn('cluster-owner', 'cluster', 'Everything in the cluster.', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  builtIn('cluster-member', 'cluster', 'Reads the cluster: nodes, namespaces, storage and workloads.', [
    CLUSTER_SCOPED_READS,
    { apiGroups: WORKLOAD_GROUPS, resources: [...WORKLOADS, 'events'], verbs: READ },
  ]),
  builtIn(
    'cluster-read-only',
    'cluster',
    'Reads workloads everywhere, and nodes and namespaces; no Secrets.',
    [
      { apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: READ },
      { apiGroups: WORKLOAD_GROUPS, resources: [...WORKLOADS, 'events'], verbs: READ },
    ],
  ),
  builtIn('project-owner', 'project', "Everything in the project's namespaces.", [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  ]),
  builtIn('project-member', 'project', "Runs workloads in the project's namespaces.", [
    {
      apiGroups: WORKLOAD_GROUPS,
      resources: [...WORKLOADS, 'secrets', 'pods/exec', 'pods/attach', 'pods/portforward'],
      verbs: ['*'],
    },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: READ },
  ]),
  builtIn('project-read-only', 'project', "Reads the project's namespaces; no Secrets.", [
    { apiGroups: WORKLOAD_GROUPS, resources: [...WORKLOADS, 'events'], verbs: READ },
  ]),
];

/** Templates whose holders may change memberships of their cluster or project. */
export const OWNER_TEMPLATES: Readonly<Record<TemplateContext, string>> = {
  cluster: 'cluster-owner',
  project: 'project-owner',
};

/** Templates that let their holders create namespaces in their project through the gateway. */
export const NAMESPACE_CREATOR_TEMPLATES = ['project-owner', 'project-member'];

function bad(message: string): GatewayError {
  return new GatewayError('BAD_USER_INPUT', message);
}

/** A template id: a DNS label. */
export function checkTemplateId(templateId: string): void {
  if (!TEMPLATE_ID.test(templateId))
    throw bad(
      `template id ${JSON.stringify(templateId.slice(0, 64))}: 1-63 lower-case letters, digits or dashes, starting and ending alphanumeric`,
    );
}

function checkList(
  where: string,
  name: string,
  value: unknown,
  pattern: RegExp,
  required: boolean,
): string[] {
  if (value === undefined || value === null) {
    if (required) throw bad(`${where}: ${name} is required`);
    return [];
  }
  if (!Array.isArray(value)) throw bad(`${where}: ${name} must be a list of strings`);
  if (value.length > TEMPLATE_LIMITS.itemsPerList)
    throw bad(`${where}: ${name} has more than ${TEMPLATE_LIMITS.itemsPerList} items`);
  if (required && value.length === 0) throw bad(`${where}: ${name} must not be empty`);
  for (const item of value) {
    if (typeof item !== 'string' || item.length > TEMPLATE_LIMITS.itemChars || !pattern.test(item))
      throw bad(
        `${where}: ${name} holds ${JSON.stringify(String(item).slice(0, 64))}, which is not valid there`,
      );
  }
  return value as string[];
}

/**
 * One rule from outside, checked: Kubernetes verbs, either API groups with resources or
 * non-resource URLs (never both), bounded lists. Empty lists are dropped.
 */
export function parseRule(value: unknown, where: string): PolicyRule {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw bad(`${where}: a rule must be an object`);
  const given = value as Record<string, unknown>;
  const unknownField = Object.keys(given).find(
    (key) => !['apiGroups', 'resources', 'resourceNames', 'nonResourceURLs', 'verbs'].includes(key),
  );
  if (unknownField) throw bad(`${where}: unknown field ${JSON.stringify(unknownField.slice(0, 64))}`);
  const verbs = checkList(where, 'verbs', given.verbs, /^[a-z*]+$/, true);
  const unknownVerb = verbs.find((verb) => verb !== '*' && !KNOWN_VERBS.has(verb));
  if (unknownVerb) throw bad(`${where}: ${JSON.stringify(unknownVerb)} is not a Kubernetes verb`);
  const urls = checkList(where, 'nonResourceURLs', given.nonResourceURLs, NON_RESOURCE_URL, false);
  const groups = checkList(where, 'apiGroups', given.apiGroups, API_GROUP, false);
  const resources = checkList(where, 'resources', given.resources, RESOURCE, false);
  const names = checkList(where, 'resourceNames', given.resourceNames, RESOURCE_NAME, false);
  if (urls.length > 0) {
    if (groups.length || resources.length || names.length)
      throw bad(`${where}: a rule names either non-resource URLs or API groups and resources, not both`);
    return { nonResourceURLs: urls, verbs };
  }
  if (groups.length === 0 || resources.length === 0)
    throw bad(`${where}: a rule needs apiGroups and resources (or nonResourceURLs)`);
  return names.length
    ? { apiGroups: groups, resources, resourceNames: names, verbs }
    : { apiGroups: groups, resources, verbs };
}

/** A template's rules from outside, checked. */
export function parseRules(value: unknown, templateId: string): PolicyRule[] {
  if (!Array.isArray(value)) throw bad(`template ${templateId}: rules must be a list`);
  if (value.length > TEMPLATE_LIMITS.rules)
    throw bad(`template ${templateId}: more than ${TEMPLATE_LIMITS.rules} rules`);
  return value.map((rule, index) => parseRule(rule, `template ${templateId}, rule ${index + 1}`));
}

/**
 * Checks a template (new or changed) against the others: its inclusions exist, form no
 * cycle, and suit its context (a project template includes only project templates and
 * grants no non-resource URL). `templates` holds every template, the checked one included
 * as it will be.
 */
export function checkTemplateGraph(
  template: RoleTemplate,
  templates: ReadonlyMap<string, RoleTemplate>,
): void {
  if (template.includes.length > TEMPLATE_LIMITS.includes)
    throw bad(`template ${template.templateId}: more than ${TEMPLATE_LIMITS.includes} included templates`);
  for (const included of template.includes) {
    const other = templates.get(included);
    if (!other) throw bad(`template ${template.templateId} includes ${included}, which does not exist`);
    if (template.context === 'project' && other.context === 'cluster')
      throw bad(`project template ${template.templateId} cannot include cluster template ${included}`);
  }
  const cycle = findCycle(template.templateId, templates);
  if (cycle) throw bad(`templates include each other in a cycle: ${cycle.join(' -> ')}`);
  if (
    template.context === 'project' &&
    effectiveRules(template.templateId, templates).some((r) => r.nonResourceURLs)
  )
    throw bad(`project template ${template.templateId} cannot grant non-resource URLs`);
}

/** A chain of inclusions from `start` back to itself, if there is one. */
export function findCycle(start: string, templates: ReadonlyMap<string, RoleTemplate>): string[] | undefined {
  const path: string[] = [];
  const done = new Set<string>();
  const visit = (templateId: string): string[] | undefined => {
    if (path.includes(templateId)) return [...path.slice(path.indexOf(templateId)), templateId];
    if (done.has(templateId)) return undefined;
    path.push(templateId);
    for (const included of templates.get(templateId)?.includes ?? []) {
      const cycle = visit(included);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(templateId);
    return undefined;
  };
  return visit(start);
}

/** A template's rules and those of everything it includes, transitively (each template once). */
export function effectiveRules(
  templateId: string,
  templates: ReadonlyMap<string, RoleTemplate>,
): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const template = templates.get(id);
    if (!template) return;
    rules.push(...template.rules);
    for (const included of template.includes) visit(included);
  };
  visit(templateId);
  return rules;
}

/** Whether a template is `ancestor` or includes it, transitively. */
export function includesTemplate(
  templateId: string,
  ancestor: string,
  templates: ReadonlyMap<string, RoleTemplate>,
): boolean {
  const seen = new Set<string>();
  const visit = (id: string): boolean => {
    if (id === ancestor) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return (templates.get(id)?.includes ?? []).some(visit);
  };
  return visit(templateId);
}

/** Whether a set of rules allows a verb on a resource (RBAC's own matching, for explanations). */
export function rulesAllow(
  rules: readonly PolicyRule[],
  request: {
    readonly verb: string;
    readonly group: string;
    readonly resource: string;
    readonly name?: string;
  },
): boolean {
  const has = (list: readonly string[] | undefined, value: string) =>
    (list ?? []).some((item) => item === '*' || item === value);
  return rules.some(
    (rule) =>
      has(rule.verbs, request.verb) &&
      has(rule.apiGroups, request.group) &&
      has(rule.resources, request.resource) &&
      (!rule.resourceNames?.length ||
        (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}
