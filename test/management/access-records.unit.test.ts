import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Membership, Project, RoleTemplate } from '../../src/access/access-model.ts';
import type { KubeObject } from '../../src/kube/objects.ts';
import {
  decodeClusterProjects,
  decodeMembership,
  decodeTemplate,
  encodeClusterProjects,
  encodeMembership,
  encodeTemplate,
} from '../../src/management/access-records.ts';

const membership: Membership = {
  membershipId: 'm-0123456789ab',
  clusterId: 'c-one',
  projectId: 'p-0123456789ab',
  subject: { kind: 'Group', name: 'oidc:platform' },
  templateId: 'project-member',
  createdAt: '2026-01-01T00:00:00.000Z',
  status: { state: 'Applied', message: '', at: '2026-01-01T00:00:01.000Z' },
};
const projects: Project[] = [
  { projectId: 'p-1', clusterId: 'c-one', name: 'payments', namespaces: ['a', 'b'], createdAt: 't1' },
  { projectId: 'p-2', clusterId: 'c-one', name: 'search', namespaces: [], createdAt: 't2' },
];
const template: RoleTemplate = {
  templateId: 'deployer',
  context: 'project',
  description: 'deploys',
  rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] }],
  includes: ['project-read-only'],
  builtIn: false,
};

describe('access policy records as custom resources', () => {
  test('a membership, a cluster’s projects and a template come back as they were written', () => {
    assert.deepEqual(decodeMembership(encodeMembership(membership)), membership);
    assert.deepEqual(decodeClusterProjects(encodeClusterProjects('c-one', projects)), {
      clusterId: 'c-one',
      projects,
    });
    assert.deepEqual(decodeTemplate(encodeTemplate(template, 't')), template);
  });

  test('a cluster’s projects object is named after the cluster, so there is one per cluster', () => {
    assert.equal(encodeClusterProjects('c-one', projects).metadata?.name, 'c-one');
  });

  test('a malformed object is not a record (the view ignores it)', () => {
    const broken = (spec: unknown) =>
      ({ apiVersion: 'x', kind: 'y', metadata: { name: 'n' }, spec }) as KubeObject;
    assert.equal(
      decodeMembership(broken({ ...encodeMembership(membership).spec, subject: { kind: 'Robot' } })),
      undefined,
    );
    assert.equal(
      decodeClusterProjects(broken({ clusterId: 'c', projects: [{ projectId: 'p' }] })),
      undefined,
    );
    assert.equal(
      decodeTemplate(broken({ templateId: 't', context: 'galaxy', rules: [], includes: [] })),
      undefined,
    );
  });

  test('a membership without a status yet reads as Pending', () => {
    const { status: _status, ...withoutStatus } = encodeMembership(membership) as KubeObject & {
      status?: unknown;
    };
    assert.equal(decodeMembership(withoutStatus as KubeObject)?.status.state, 'Pending');
  });
});
