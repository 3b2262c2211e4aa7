import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RoleTemplate } from '../../src/access/access-model.ts';
import {
  BUILT_IN_TEMPLATES,
  checkTemplateGraph,
  effectiveRules,
  findCycle,
  includesTemplate,
  parseRule,
  parseRules,
  rulesAllow,
} from '../../src/access/role-templates.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';

const custom = (
  templateId: string,
  includes: string[],
  overrides: Partial<RoleTemplate> = {},
): RoleTemplate => ({
  templateId,
  context: 'project',
  description: '',
  rules: [{ apiGroups: ['apps'], resources: [`${templateId}s`], verbs: ['get'] }],
  includes,
  builtIn: false,
  ...overrides,
});

const mapOf = (...templates: RoleTemplate[]) =>
  new Map([...BUILT_IN_TEMPLATES, ...templates].map((t) => [t.templateId, t]));

const refusedWith = (pattern: RegExp) => (error: unknown) =>
  error instanceof GatewayError && error.code === 'BAD_USER_INPUT' && pattern.test(error.message);

describe('rules are checked when written', () => {
  test('a rule with Kubernetes verbs, groups and resources is kept, empty lists dropped', () => {
    assert.deepEqual(
      parseRule({ apiGroups: ['apps'], resources: ['deployments'], resourceNames: [], verbs: ['get'] }, 'r'),
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get'],
      },
    );
  });

  test('a verb that Kubernetes does not know is refused, naming it', () => {
    assert.throws(
      () => parseRule({ apiGroups: [''], resources: ['pods'], verbs: ['fly'] }, 'r'),
      refusedWith(/"fly" is not a Kubernetes verb/),
    );
  });

  test('a rule with both resources and non-resource URLs is refused', () => {
    assert.throws(
      () =>
        parseRule(
          { apiGroups: [''], resources: ['pods'], nonResourceURLs: ['/healthz'], verbs: ['get'] },
          'r',
        ),
      refusedWith(/not both/),
    );
  });

  test('a rule without resources or URLs, an unknown field, or a malformed resource is refused', () => {
    assert.throws(() => parseRule({ verbs: ['get'] }, 'r'), refusedWith(/needs apiGroups and resources/));
    assert.throws(
      () => parseRule({ verbs: ['get'], apiGroup: ['x'] }, 'r'),
      refusedWith(/unknown field "apiGroup"/),
    );
    assert.throws(
      () => parseRule({ apiGroups: [''], resources: ['Pods'], verbs: ['get'] }, 'r'),
      refusedWith(/not valid/),
    );
  });

  test('too many rules or too long a list is refused', () => {
    const rule = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
    assert.throws(() => parseRules(Array(65).fill(rule), 't'), refusedWith(/more than 64 rules/));
    assert.throws(
      () => parseRule({ ...rule, resources: Array(33).fill('pods') }, 'r'),
      refusedWith(/more than 32 items/),
    );
  });
});

describe('templates include other templates', () => {
  test("effective rules hold the template's own and every included template's, each once", () => {
    const templates = mapOf(custom('a', ['b', 'c']), custom('b', ['c']), custom('c', []));
    assert.deepEqual(
      effectiveRules('a', templates).map((r) => r.resources?.[0]),
      ['as', 'bs', 'cs'],
    );
  });

  test('a cycle of inclusions is found and refused, naming the chain', () => {
    const templates = mapOf(custom('a', ['b']), custom('b', ['c']), custom('c', ['a']));
    assert.deepEqual(findCycle('a', templates), ['a', 'b', 'c', 'a']);
    assert.throws(
      () => checkTemplateGraph(templates.get('a') as RoleTemplate, templates),
      refusedWith(/cycle: a -> b -> c -> a/),
    );
  });

  test('a template including itself is a cycle', () => {
    const templates = mapOf(custom('self', ['self']));
    assert.throws(
      () => checkTemplateGraph(templates.get('self') as RoleTemplate, templates),
      refusedWith(/self -> self/),
    );
  });

  test('including an unknown template, or a cluster template into a project one, is refused', () => {
    const missing = mapOf(custom('a', ['nope']));
    assert.throws(
      () => checkTemplateGraph(missing.get('a') as RoleTemplate, missing),
      refusedWith(/includes nope, which does not exist/),
    );
    const mixed = mapOf(custom('a', ['cluster-member']));
    assert.throws(
      () => checkTemplateGraph(mixed.get('a') as RoleTemplate, mixed),
      refusedWith(/cannot include cluster template/),
    );
  });

  test('a project template may not grant non-resource URLs', () => {
    const templates = mapOf(custom('a', [], { rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] }));
    assert.throws(
      () => checkTemplateGraph(templates.get('a') as RoleTemplate, templates),
      refusedWith(/non-resource URLs/),
    );
  });

  test('a template that includes project-owner through another counts as an owner', () => {
    const templates = mapOf(custom('lead', ['deputy']), custom('deputy', ['project-owner']));
    assert.equal(includesTemplate('lead', 'project-owner', templates), true);
    assert.equal(includesTemplate('deputy', 'project-member', templates), false);
  });
});

describe('rules are matched the way RBAC matches them', () => {
  const rules = effectiveRules('project-member', mapOf());
  test('project-member may create deployments and not rolebindings', () => {
    assert.equal(rulesAllow(rules, { verb: 'create', group: 'apps', resource: 'deployments' }), true);
    assert.equal(
      rulesAllow(rules, { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }),
      false,
    );
  });
  test('a rule with resource names allows only those names', () => {
    const named = [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'], verbs: ['get'] },
    ];
    assert.equal(
      rulesAllow(named, { verb: 'get', group: '', resource: 'configmaps', name: 'settings' }),
      true,
    );
    assert.equal(rulesAllow(named, { verb: 'get', group: '', resource: 'configmaps', name: 'other' }), false);
    assert.equal(rulesAllow(named, { verb: 'get', group: '', resource: 'configmaps' }), false);
  });
});
