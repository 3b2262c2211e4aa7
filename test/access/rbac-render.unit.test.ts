import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Membership, Project } from '../../src/access/access-model.ts';
import { fingerprintOf, renderCluster } from '../../src/access/rbac-render.ts';
import { BUILT_IN_TEMPLATES } from '../../src/access/role-templates.ts';
import type { KubeObject } from '../../src/kube/objects.ts';

const templates = new Map(BUILT_IN_TEMPLATES.map((t) => [t.templateId, t]));
/** A rendered object, as a test edits it. */
interface Editable {
  metadata: { labels: Record<string, string> } & Record<string, unknown>;
  subjects: { name: string }[];
  roleRef: { name: string };
  rules: { verbs: string[]; resourceNames?: string[] }[];
}
const at = '2026-01-01T00:00:00.000Z';
const membership = (membershipId: string, overrides: Partial<Membership>): Membership => ({
  membershipId,
  clusterId: 'c1',
  projectId: null,
  subject: { kind: 'User', name: 'local:alice' },
  templateId: 'cluster-read-only',
  createdAt: at,
  status: { state: 'Pending', message: '', at },
  ...overrides,
});
const project: Project = {
  projectId: 'p-1',
  clusterId: 'c1',
  name: 'shop',
  namespaces: ['a', 'b'],
  createdAt: at,
};

describe('memberships render into RBAC objects for downstream identities', () => {
  const rendered = renderCluster({
    memberships: [
      membership('m-1', {}),
      membership('m-2', {
        projectId: 'p-1',
        templateId: 'project-member',
        subject: { kind: 'Group', name: 'oidc:platform' },
      }),
    ],
    projects: [project],
    templates,
  });

  test("a cluster membership is a ClusterRoleBinding of its template's ClusterRole to the person", () => {
    const binding = rendered.get('ClusterRoleBinding//fleetgate:membership:m-1')?.object as KubeObject & {
      roleRef: object;
      subjects: object[];
    };
    assert.deepEqual(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'fleetgate:template:cluster-read-only',
    });
    assert.deepEqual(binding.subjects, [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'local:alice' },
    ]);
    assert.equal(binding.metadata?.labels?.['fleetgate.io/membership'], 'm-1');
  });

  test('a project membership is a RoleBinding in each namespace of the project, for a group as well', () => {
    for (const namespace of ['a', 'b']) {
      const binding = rendered.get(`RoleBinding/${namespace}/fleetgate:membership:m-2`)
        ?.object as KubeObject & { subjects: { kind: string; name: string }[] };
      assert.equal(binding.metadata?.namespace, namespace);
      assert.deepEqual(
        binding.subjects.map((s) => `${s.kind}:${s.name}`),
        ['Group:oidc:platform'],
      );
    }
  });

  test('only templates in use become ClusterRoles, and each project namespace carries its label', () => {
    const roles = [...rendered.values()]
      .filter((d) => d.kind === 'ClusterRole')
      .map((d) => d.object.metadata?.name);
    assert.deepEqual(roles.sort(), [
      'fleetgate:template:cluster-read-only',
      'fleetgate:template:project-member',
    ]);
    assert.equal(rendered.get('Namespace//a')?.object.metadata?.labels?.['fleetgate.io/project'], 'p-1');
    assert.equal([...rendered.values()].length, 2 + 2 + 1 + 2);
  });

  test("every object names the memberships it serves (a template's role serves all that use it)", () => {
    assert.deepEqual(rendered.get('ClusterRole//fleetgate:template:project-member')?.membershipIds, ['m-2']);
  });
});

describe('fingerprints compare only what the controller owns', () => {
  const desired = renderCluster({ memberships: [membership('m-1', {})], projects: [], templates }).get(
    'ClusterRoleBinding//fleetgate:membership:m-1',
  );
  const asTheClusterAnswers = (change: (o: Editable) => void = () => {}) => {
    const object = structuredClone(desired?.object) as Editable;
    object.metadata = {
      ...object.metadata,
      uid: 'u',
      resourceVersion: '42',
      labels: { ...object.metadata.labels, extra: 'x' },
    };
    change(object);
    return fingerprintOf(object as KubeObject);
  };

  test('an object as the cluster answers it (server fields, labels of others) has the desired fingerprint', () => {
    assert.equal(asTheClusterAnswers(), desired?.fingerprint);
  });

  test('a changed subject, a changed role or a removed label of ours changes the fingerprint', () => {
    assert.notEqual(
      asTheClusterAnswers((o: Editable) => {
        o.subjects = [{ name: 'local:mallory' }];
      }),
      desired?.fingerprint,
    );
    assert.notEqual(
      asTheClusterAnswers((o: Editable) => {
        o.roleRef.name = 'cluster-admin';
      }),
      desired?.fingerprint,
    );
    assert.notEqual(
      asTheClusterAnswers((o: Editable) => {
        delete o.metadata.labels['fleetgate.io/membership'];
      }),
      desired?.fingerprint,
    );
  });

  test('a ClusterRole whose rules were edited by hand differs from the desired one', () => {
    const role = renderCluster({ memberships: [membership('m-1', {})], projects: [], templates }).get(
      'ClusterRole//fleetgate:template:cluster-read-only',
    );
    const edited = structuredClone(role?.object) as Editable;
    edited.rules = [{ ...edited.rules[0], verbs: ['*'] }, ...edited.rules.slice(1)];
    assert.notEqual(fingerprintOf(edited as unknown as KubeObject), role?.fingerprint);
    const unchanged = structuredClone(role?.object) as Editable;
    unchanged.rules = unchanged.rules.map((r) => ({ ...r, resourceNames: [] }));
    assert.equal(fingerprintOf(unchanged as unknown as KubeObject), role?.fingerprint);
  });
});
