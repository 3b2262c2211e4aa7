// The people's fence matches the names the gateway gives people downstream, and guards the
// label the access controllers use for projects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { type AuthProvider, downstreamIdentity } from '../../src/auth/principal.ts';
import { AGENT_FENCE_NAME } from '../../src/clusters/agent-admission-policy.ts';
import { AGENT_NAME, AGENT_NAMESPACE, renderInstallManifest } from '../../src/clusters/install-manifest.ts';
import { PEOPLE_FENCE_NAME } from '../../src/clusters/people-admission-policy.ts';
import { BOUND_SUBJECT_PREFIXES, PROJECT_LABEL } from '../../src/kube/agent-rights.ts';

interface Doc {
  kind: string;
  metadata: { name: string };
  spec?: { matchConditions?: { expression: string }[]; variables?: { name: string; expression: string }[] };
}

const manifest = parseAllDocuments(
  renderInstallManifest({
    clusterId: 'c-1',
    gatewayUrl: 'https://gateway.example',
    registrationToken: 'token',
    agentImage: 'fleetgate/agent:test',
  }),
).map((document) => document.toJS() as Doc);

const policy = manifest.find(
  (doc) => doc.kind === 'ValidatingAdmissionPolicy' && doc.metadata.name === PEOPLE_FENCE_NAME,
);

test('the install manifest holds both fences, each with its own binding', () => {
  for (const name of [AGENT_FENCE_NAME, PEOPLE_FENCE_NAME]) {
    assert.ok(manifest.some((doc) => doc.kind === 'ValidatingAdmissionPolicy' && doc.metadata.name === name));
    const binding = manifest.find(
      (doc) => doc.kind === 'ValidatingAdmissionPolicyBinding' && doc.metadata.name === name,
    );
    assert.deepEqual(binding?.spec, { policyName: name, validationActions: ['Deny'] });
  }
});

test("the people's fence matches every provider's people by user name, and not the agent", () => {
  const condition = policy?.spec?.matchConditions?.[0]?.expression ?? '';
  const providers: AuthProvider[] = ['local', 'oidc'];
  for (const provider of providers) {
    const { user } = downstreamIdentity({
      principalId: `${provider}:p-1`,
      provider,
      name: 'alice',
      groups: [],
      isAdmin: false,
    });
    const prefix = BOUND_SUBJECT_PREFIXES.find((candidate) => user.startsWith(candidate));
    assert.ok(prefix, `${user} carries a bound prefix`);
    assert.ok(condition.includes(`request.userInfo.username.startsWith('${prefix}')`), condition);
  }
  const agent = `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_NAME}`;
  assert.ok(!BOUND_SUBJECT_PREFIXES.some((prefix) => agent.startsWith(prefix)));
});

test("the people's fence guards the project label the controllers write", () => {
  const project = policy?.spec?.variables?.find((variable) => variable.name === 'project');
  assert.ok(project?.expression.includes(`k == '${PROJECT_LABEL}'`), project?.expression);
});
