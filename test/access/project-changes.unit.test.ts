// Who may change a cluster's projects: projects:manage, or ownership of the cluster; removing
// namespaces also a project's owner. The real service on a real SQLite store; the owners'
// memberships are written straight into the store.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { AccessRepository } from '../../src/access/access-repository.ts';
import type { AccessService } from '../../src/access/access-service.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { freshPolicy, refusedWith } from './access-fixtures.ts';

const AT = '2026-01-01T00:00:00.000Z';
const person = (name: string, groups: string[] = []): Principal => ({
  principalId: `local:u-${name}`,
  provider: 'local',
  name,
  groups,
  isAdmin: false,
});
const admin: Principal = { ...person('admin'), isAdmin: true };
const stranger = person('stranger');
const clusterOwner = person('carol', ['cluster-owners']);
const projectOwner = person('pat', ['project-owners']);

const refusedAsForbidden = (work: Promise<unknown>, message: RegExp) =>
  refusedWith(work, 'FORBIDDEN', message);

describe('who may change projects', () => {
  let service: AccessService;
  let clusterId: string;
  let projectId: string;

  beforeEach(async () => {
    let store: AccessRepository;
    ({ service, store, clusterId } = await freshPolicy());
    projectId = (await service.createProject(admin, { clusterId, name: 'shop', namespaces: ['shop-a'] }))
      .projectId;
    const status = { state: 'Pending', message: '', at: AT } as const;
    await store.insertMembership({
      membershipId: 'm-cluster-owner',
      clusterId,
      projectId: null,
      subject: { kind: 'Group', name: 'local:cluster-owners' },
      templateId: 'cluster-owner',
      createdAt: AT,
      status,
    });
    await store.insertMembership({
      membershipId: 'm-project-owner',
      clusterId,
      projectId,
      subject: { kind: 'Group', name: 'local:project-owners' },
      templateId: 'project-owner',
      createdAt: AT,
      status,
    });
  });

  test('a person with neither projects:manage nor any ownership is refused every change, naming it', async () => {
    await refusedAsForbidden(
      service.createProject(stranger, { clusterId, name: 'web' }),
      /^creating a project needs projects:manage or ownership of the project's cluster$/,
    );
    await refusedAsForbidden(
      service.addProjectNamespaces(stranger, projectId, ['shop-b']),
      /^adding namespaces needs projects:manage or ownership of the project's cluster$/,
    );
    await refusedAsForbidden(
      service.removeProjectNamespaces(stranger, projectId, ['shop-a']),
      /^removing namespaces needs projects:manage or ownership of the project$/,
    );
    await refusedAsForbidden(
      service.deleteProject(stranger, projectId),
      /^deleting a project needs projects:manage or ownership of the project's cluster$/,
    );
    assert.deepEqual(service.project(projectId).namespaces, ['shop-a']);
  });

  test("a project's owner may remove its namespaces but not add any, delete it or create another", async () => {
    await refusedAsForbidden(
      service.createProject(projectOwner, { clusterId, name: 'web' }),
      /creating a project/,
    );
    await refusedAsForbidden(service.addProjectNamespaces(projectOwner, projectId, ['shop-b']), /adding/);
    await refusedAsForbidden(service.deleteProject(projectOwner, projectId), /deleting/);
    const after = await service.removeProjectNamespaces(projectOwner, projectId, ['shop-a']);
    assert.deepEqual(after.namespaces, []);
  });

  test("the cluster's owner may create, add to, remove from and delete its projects", async () => {
    const web = await service.createProject(clusterOwner, { clusterId, name: 'web' });
    assert.deepEqual((await service.addProjectNamespaces(clusterOwner, projectId, ['shop-b'])).namespaces, [
      'shop-a',
      'shop-b',
    ]);
    assert.deepEqual(
      (await service.removeProjectNamespaces(clusterOwner, projectId, ['shop-a'])).namespaces,
      ['shop-b'],
    );
    assert.equal(await service.deleteProject(clusterOwner, web.projectId), true);
    assert.throws(() => service.project(web.projectId), /no project/);
  });
});
