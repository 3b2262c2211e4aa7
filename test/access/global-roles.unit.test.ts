import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSubject } from '../../src/access/access-input.ts';
import type { GlobalRole, GlobalRoleGrant } from '../../src/access/access-model.ts';
import { BUILT_IN_GLOBAL_ROLES, GATEWAY_PERMISSIONS, permissionsOf } from '../../src/access/global-roles.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';

const alice: Principal = {
  principalId: 'local:alice',
  provider: 'local',
  name: 'alice',
  groups: ['ops'],
  isAdmin: false,
};
const managers: GlobalRole = {
  globalRoleId: 'managers',
  description: '',
  permissions: ['memberships:manage'],
  builtIn: false,
};
const roles = new Map([...BUILT_IN_GLOBAL_ROLES, managers].map((r) => [r.globalRoleId, r]));
const grant = (kind: 'User' | 'Group', name: string): GlobalRoleGrant => ({
  grantId: 'g-1',
  globalRoleId: 'managers',
  subject: { kind, name },
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('global roles give gateway permissions', () => {
  test('everyone signed in is a standard user: clusters:use and nothing else', () => {
    assert.deepEqual([...permissionsOf(alice, [], roles)], ['clusters:use']);
  });

  test('a gateway administrator holds every permission', () => {
    assert.deepEqual(
      [...permissionsOf({ ...alice, isAdmin: true }, [], roles)].sort(),
      [...GATEWAY_PERMISSIONS].sort(),
    );
  });

  test('a role granted to the person, or to one of their groups by downstream name, adds its permissions', () => {
    assert.ok(permissionsOf(alice, [grant('User', 'local:alice')], roles).has('memberships:manage'));
    assert.ok(permissionsOf(alice, [grant('Group', 'local:ops')], roles).has('memberships:manage'));
  });

  test('a grant to a same-named person or group of another provider gives nothing', () => {
    assert.ok(
      !permissionsOf(alice, [grant('User', 'oidc:alice'), grant('Group', 'oidc:ops')], roles).has(
        'memberships:manage',
      ),
    );
  });
});

describe('subjects are named as downstream, with their provider', () => {
  test('local and OIDC users and groups are accepted', () => {
    assert.equal(parseSubject('User', 'local:alice').bareName, 'alice');
    assert.equal(parseSubject('User', 'oidc:alice@example.com').provider, 'oidc');
    assert.equal(parseSubject('Group', 'local:developers').kind, 'Group');
  });

  test('a name without a provider, a system: name or a bad kind is refused', () => {
    const refused = (error: unknown) => error instanceof GatewayError && error.code === 'BAD_USER_INPUT';
    assert.throws(() => parseSubject('User', 'alice'), refused);
    assert.throws(() => parseSubject('Group', 'system:masters'), refused);
    assert.throws(() => parseSubject('User', 'local:Alice Smith'), refused);
    assert.throws(() => parseSubject('ServiceAccount', 'local:x'), refused);
  });
});
