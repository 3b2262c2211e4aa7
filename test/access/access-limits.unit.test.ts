// Every bound of the access policy's records, tested at the bound and one past it: the write
// at the bound goes through, the one past it is a BAD_USER_INPUT naming the bound. The
// policy is the real service on the real SQLite store in a temporary directory; the records
// below the bound are written straight into the store, which is what makes 10,000 cheap.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ACCESS_INPUT_LIMITS } from '../../src/access/access-input.ts';
import type { Project, RoleTemplate } from '../../src/access/access-model.ts';
import type { AccessRepository } from '../../src/access/access-repository.ts';
import type { AccessService } from '../../src/access/access-service.ts';
import { TEMPLATE_LIMITS } from '../../src/access/role-templates.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { freshPolicy, refusedWith } from './access-fixtures.ts';

const admin: Principal = {
  principalId: 'local:u-admin',
  provider: 'local',
  name: 'admin',
  groups: [],
  isAdmin: true,
};
const AT = '2026-01-01T00:00:00.000Z';

/** Asserts that `work` is refused with BAD_USER_INPUT and a message matching `message`. */
const refusedAsBadInput = (work: Promise<unknown>, message: RegExp) =>
  refusedWith(work, 'BAD_USER_INPUT', message);

const namespaces = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

const rule = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };

describe('the bounds of projects', () => {
  let service: AccessService;
  let store: AccessRepository;
  let clusterId: string;
  before(async () => ({ service, store, clusterId } = await freshPolicy()));

  test(`a cluster holds ${ACCESS_INPUT_LIMITS.projectsPerCluster} projects; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.projectsPerCluster;
    const existing: Project[] = Array.from({ length: limit - 1 }, (_, i) => ({
      projectId: `p-fill${i}`,
      clusterId,
      name: `filled-${i}`,
      namespaces: [],
      createdAt: AT,
    }));
    await store.changeProjects(clusterId, () => existing);
    const last = await service.createProject(admin, { clusterId, name: 'the-last-one' });
    assert.equal(service.visibleProjects(admin, clusterId).length, limit);
    assert.equal(last.name, 'the-last-one');
    await refusedAsBadInput(
      service.createProject(admin, { clusterId, name: 'one-too-many' }),
      new RegExp(`at most ${limit} projects in a cluster`),
    );
    assert.equal(service.visibleProjects(admin, clusterId).length, limit);
  });

  test(`a call names ${ACCESS_INPUT_LIMITS.namespacesPerCall} namespaces at most`, async () => {
    const limit = ACCESS_INPUT_LIMITS.namespacesPerCall;
    await store.changeProjects(clusterId, () => []);
    const made = await service.createProject(admin, {
      clusterId,
      name: 'wide',
      namespaces: namespaces('call', limit),
    });
    assert.equal(made.namespaces.length, limit);
    await refusedAsBadInput(
      service.createProject(admin, { clusterId, name: 'wider', namespaces: namespaces('over', limit + 1) }),
      new RegExp(`at most ${limit} namespaces at a time`),
    );
    await refusedAsBadInput(
      service.addProjectNamespaces(admin, made.projectId, namespaces('more', limit + 1)),
      new RegExp(`at most ${limit} namespaces at a time`),
    );
  });

  test(`a project holds ${ACCESS_INPUT_LIMITS.namespacesPerProject} namespaces; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.namespacesPerProject;
    const perCall = ACCESS_INPUT_LIMITS.namespacesPerCall;
    await store.changeProjects(clusterId, () => []);
    const project = await service.createProject(admin, { clusterId, name: 'full' });
    const all = namespaces('ns', limit);
    for (let i = 0; i < limit; i += perCall)
      await service.addProjectNamespaces(admin, project.projectId, all.slice(i, i + perCall));
    assert.equal(service.project(project.projectId).namespaces.length, limit);
    // Namespaces it holds already take no more room.
    await service.addProjectNamespaces(admin, project.projectId, all.slice(0, 3));
    await refusedAsBadInput(
      service.addProjectNamespaces(admin, project.projectId, ['one-past']),
      new RegExp(`a project holds at most ${limit} namespaces`),
    );
    assert.equal(service.project(project.projectId).namespaces.length, limit);
  });
});

describe('the bounds of memberships and grants', () => {
  let service: AccessService;
  let store: AccessRepository;
  let clusterId: string;
  let fill: (write: () => Promise<void>) => Promise<void>;
  before(async () => ({ service, store, clusterId, fill } = await freshPolicy()));

  test(`a cluster holds ${ACCESS_INPUT_LIMITS.membershipsPerCluster} memberships; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.membershipsPerCluster;
    await fill(async () => {
      for (let i = 0; i < limit - 1; i++)
        await store.insertMembership({
          membershipId: `m-fill${i}`,
          clusterId,
          projectId: null,
          subject: { kind: 'Group', name: `local:team-${i}` },
          templateId: 'cluster-member',
          createdAt: AT,
          status: { state: 'Pending', message: '', at: AT },
        });
    });
    const add = (group: string) =>
      service.addMembership(admin, {
        clusterId,
        subjectKind: 'Group',
        subjectName: group,
        templateId: 'cluster-member',
      });
    await add('local:the-last-team');
    assert.equal(service.memberships({ clusterId }).length, limit);
    await refusedAsBadInput(
      add('local:one-team-too-many'),
      new RegExp(`at most ${limit} memberships in a cluster`),
    );
    assert.equal(service.memberships({ clusterId }).length, limit);
  });

  test(`the gateway holds ${ACCESS_INPUT_LIMITS.globalRoleGrants} global role grants; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.globalRoleGrants;
    await fill(async () => {
      for (let i = 0; i < limit - 1; i++)
        await store.insertGrant({
          grantId: `g-fill${i}`,
          globalRoleId: 'standard-user',
          subject: { kind: 'Group', name: `local:crew-${i}` },
          createdAt: AT,
        });
    });
    const grant = (group: string) =>
      service.definitions.grantGlobalRole(admin, {
        globalRoleId: 'standard-user',
        subjectKind: 'Group',
        subjectName: group,
      });
    await grant('local:the-last-crew');
    assert.equal(service.visibleGrants(admin).length, limit);
    await refusedAsBadInput(
      grant('local:one-crew-too-many'),
      new RegExp(`at most ${limit} global role grants`),
    );
    assert.equal(service.visibleGrants(admin).length, limit);
  });
});

describe('the bounds of global roles', () => {
  let service: AccessService;
  let store: AccessRepository;
  let fill: (write: () => Promise<void>) => Promise<void>;
  before(async () => ({ service, store, fill } = await freshPolicy()));

  test(`a global role lists ${ACCESS_INPUT_LIMITS.permissions} permissions at most`, async () => {
    const limit = ACCESS_INPUT_LIMITS.permissions;
    const role = await service.definitions.createGlobalRole(admin, {
      globalRoleId: 'many-words',
      permissions: Array(limit).fill('clusters:use'),
    });
    assert.deepEqual(role.permissions, ['clusters:use']);
    await refusedAsBadInput(
      service.definitions.createGlobalRole(admin, {
        globalRoleId: 'too-many-words',
        permissions: Array(limit + 1).fill('clusters:use'),
      }),
      /too many permissions/,
    );
  });

  test('a description holds 512 characters; one more is refused', async () => {
    await service.definitions.createGlobalRole(admin, {
      globalRoleId: 'described',
      description: 'd'.repeat(512),
      permissions: [],
    });
    await refusedAsBadInput(
      service.definitions.createGlobalRole(admin, {
        globalRoleId: 'over-described',
        description: 'd'.repeat(513),
        permissions: [],
      }),
      /descriptions are at most 512 characters/,
    );
  });

  test(`the gateway holds ${ACCESS_INPUT_LIMITS.customGlobalRoles} custom global roles; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.customGlobalRoles;
    const existing = store.customGlobalRoles().length;
    await fill(async () => {
      for (let i = existing; i < limit - 1; i++)
        await store.putGlobalRole(
          { globalRoleId: `filled-${i}`, description: '', permissions: [], builtIn: false },
          AT,
        );
    });
    const create = (globalRoleId: string) =>
      service.definitions.createGlobalRole(admin, { globalRoleId, permissions: ['clusters:use'] });
    await create('the-last-role');
    assert.equal(store.customGlobalRoles().length, limit);
    await refusedAsBadInput(create('one-role-too-many'), new RegExp(`at most ${limit} custom global roles`));
    assert.equal(store.customGlobalRoles().length, limit);
  });
});

describe('the bounds of role templates', () => {
  let service: AccessService;
  let store: AccessRepository;
  let fill: (write: () => Promise<void>) => Promise<void>;
  before(async () => ({ service, store, fill } = await freshPolicy()));

  const template = (templateId: string, overrides: Record<string, unknown> = {}) => ({
    templateId,
    context: 'project',
    rules: [rule],
    ...overrides,
  });

  test(`a template holds ${TEMPLATE_LIMITS.rules} rules; one more is refused`, async () => {
    const limit = TEMPLATE_LIMITS.rules;
    const made = await service.definitions.createTemplate(
      admin,
      template('many-rules', { rules: Array(limit).fill(rule) }),
    );
    assert.equal(made.rules.length, limit);
    await refusedAsBadInput(
      service.definitions.createTemplate(
        admin,
        template('too-many-rules', { rules: Array(limit + 1).fill(rule) }),
      ),
      new RegExp(`more than ${limit} rules`),
    );
  });

  test(`a rule's list holds ${TEMPLATE_LIMITS.itemsPerList} items of ${TEMPLATE_LIMITS.itemChars} characters; more of either is refused`, async () => {
    const items = TEMPLATE_LIMITS.itemsPerList;
    const chars = TEMPLATE_LIMITS.itemChars;
    const withNames = (resourceNames: string[]) => [{ ...rule, resourceNames }];
    const made = await service.definitions.createTemplate(
      admin,
      template('long-lists', {
        rules: withNames(Array.from({ length: items }, (_, i) => `${i}`.padEnd(chars, 'n'))),
      }),
    );
    assert.equal(made.rules[0]?.resourceNames?.length, items);
    await refusedAsBadInput(
      service.definitions.createTemplate(
        admin,
        template('too-long-list', { rules: withNames(Array(items + 1).fill('web')) }),
      ),
      new RegExp(`resourceNames has more than ${items} items`),
    );
    await refusedAsBadInput(
      service.definitions.createTemplate(
        admin,
        template('too-long-item', { rules: withNames(['n'.repeat(chars + 1)]) }),
      ),
      /resourceNames holds .*, which is not valid there/,
    );
  });

  test(`a template includes ${TEMPLATE_LIMITS.includes} templates; one more is refused`, async () => {
    const limit = TEMPLATE_LIMITS.includes;
    const parts: RoleTemplate[] = Array.from({ length: limit + 1 }, (_, i) => ({
      templateId: `part-${i}`,
      context: 'project',
      description: '',
      rules: [rule],
      includes: [],
      builtIn: false,
    }));
    for (const part of parts) await store.putTemplate(part, AT);
    const ids = parts.map((p) => p.templateId);
    const made = await service.definitions.createTemplate(
      admin,
      template('includes-many', { includes: ids.slice(0, limit) }),
    );
    assert.equal(made.includes.length, limit);
    await refusedAsBadInput(
      service.definitions.createTemplate(admin, template('includes-too-many', { includes: ids })),
      new RegExp(`more than ${limit} included templates`),
    );
  });

  test(`the gateway holds ${ACCESS_INPUT_LIMITS.customTemplates} custom templates; one more is refused`, async () => {
    const limit = ACCESS_INPUT_LIMITS.customTemplates;
    await fill(async () => {
      for (let i = store.customTemplates().length; i < limit - 1; i++)
        await store.putTemplate(
          {
            templateId: `filled-${i}`,
            context: 'cluster',
            description: '',
            rules: [rule],
            includes: [],
            builtIn: false,
          },
          AT,
        );
    });
    await service.definitions.createTemplate(admin, template('the-last-template'));
    assert.equal(store.customTemplates().length, limit);
    await refusedAsBadInput(
      service.definitions.createTemplate(admin, template('one-template-too-many')),
      new RegExp(`at most ${limit} custom templates`),
    );
    assert.equal(store.customTemplates().length, limit);
  });
});
