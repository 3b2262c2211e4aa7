// The fence's names agree with what the access controllers write and with the install manifest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseSubject } from '../../src/access/access-input.ts';
import { membershipBindingName, templateRoleName } from '../../src/access/access-model.ts';
import { AGENT_FENCE_NAME } from '../../src/clusters/agent-admission-policy.ts';
import { AGENT_NAME, AGENT_NAMESPACE, renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import {
  BOUND_SUBJECT_PREFIXES,
  RBAC_NAME_PREFIX,
  TEMPLATE_ROLE_PREFIX,
} from '../../src/kube/agent-rights.ts';

const manifest = parseAllDocuments(
  renderInstallManifest({
    clusterId: 'c-1',
    gatewayUrl: 'https://gateway.example',
    registrationToken: 'token',
    agentImage: 'fleetgate/agent:test',
  }),
).map(
  (document) =>
    document.toJS() as { kind: string; metadata: { name: string }; spec?: Record<string, unknown> },
);

test("the install manifest holds the fence and its binding, matching only the agent's ServiceAccount", () => {
  const policy = manifest.find(
    (doc) => doc.kind === 'ValidatingAdmissionPolicy' && doc.metadata.name === AGENT_FENCE_NAME,
  );
  const binding = manifest.find(
    (doc) => doc.kind === 'ValidatingAdmissionPolicyBinding' && doc.metadata.name === AGENT_FENCE_NAME,
  );
  assert.equal(policy?.metadata.name, AGENT_FENCE_NAME);
  assert.deepEqual(binding?.spec, { policyName: AGENT_FENCE_NAME, validationActions: ['Deny'] });
  assert.equal(policy?.spec?.failurePolicy, 'Fail');
  assert.deepEqual(policy?.spec?.matchConditions, [
    {
      name: 'the-agent',
      expression: `request.userInfo.username == 'system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_NAME}'`,
    },
  ]);
});

test("the agent's ClusterRole may write nothing on admission policies", () => {
  const role = manifest.find((doc) => doc.kind === 'ClusterRole') as unknown as {
    rules: { apiGroups?: string[]; verbs: string[] }[];
  };
  const reading = new Set(['get', 'list', 'watch']);
  assert.ok(
    role.rules.some((rule) => rule.verbs.includes('escalate')),
    'the agent ClusterRole, found',
  );
  for (const rule of role.rules)
    if ((rule.apiGroups ?? []).some((group) => group === '*' || group === 'admissionregistration.k8s.io'))
      assert.ok(
        rule.verbs.every((verb) => reading.has(verb)),
        JSON.stringify(rule),
      );
});

test('what the controllers name and bind is what the fence allows', () => {
  assert.ok(templateRoleName('cluster-owner').startsWith(TEMPLATE_ROLE_PREFIX));
  assert.ok(TEMPLATE_ROLE_PREFIX.startsWith(RBAC_NAME_PREFIX));
  assert.ok(membershipBindingName('m-1').startsWith(RBAC_NAME_PREFIX));
  for (const name of ['local:alice', 'oidc:platform'])
    assert.ok(BOUND_SUBJECT_PREFIXES.some((prefix) => parseSubject('Group', name).name.startsWith(prefix)));
  for (const name of ['system:masters', 'system:serviceaccount:fleetgate-system:fleetgate-agent', 'alice'])
    assert.throws(() => parseSubject('User', name), /local:<name> or oidc:<name>/);
});
