import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { forbiddenImpersonation } from '../../src/shared/impersonation-policy.ts';
import type { HeaderPairs } from '../../src/shared/tunnel/heads.ts';

describe('no request through the gateway may act as a system: identity', () => {
  const cases: [string, HeaderPairs, string | undefined][] = [
    ['no impersonation at all', [['Accept', 'application/json']], undefined],
    [
      'an ordinary user and groups',
      [
        ['Impersonate-User', 'alice'],
        ['Impersonate-Group', 'developers'],
      ],
      undefined,
    ],
    [
      'the group system:authenticated',
      [
        ['Impersonate-User', 'alice'],
        ['Impersonate-Group', 'system:authenticated'],
      ],
      undefined,
    ],
    [
      'system:authenticated with surrounding spaces',
      [['impersonate-group', '  system:authenticated ']],
      undefined,
    ],
    ['a name that merely contains system:', [['Impersonate-User', 'not-system:admin']], undefined],
    [
      'a uid or extra that starts with system: (the apiserver authorizes those)',
      [
        ['Impersonate-Uid', 'system:x'],
        ['Impersonate-Extra-Scopes', 'system:y'],
      ],
      undefined,
    ],
    [
      'the user system:admin',
      [['Impersonate-User', 'system:admin']],
      'impersonating the user "system:admin" is not allowed',
    ],
    [
      'a service account',
      [['impersonate-user', 'system:serviceaccount:kube-system:default']],
      'impersonating the user "system:serviceaccount:kube-system:default" is not allowed',
    ],
    [
      'a system: user in upper case',
      [['IMPERSONATE-USER', 'SYSTEM:ADMIN']],
      'impersonating the user "SYSTEM:ADMIN" is not allowed',
    ],
    [
      'a system: user behind a leading space',
      [['Impersonate-User', ' system:kube-scheduler']],
      'impersonating the user "system:kube-scheduler" is not allowed',
    ],
    [
      'the group system:masters',
      [
        ['Impersonate-User', 'alice'],
        ['Impersonate-Group', 'system:masters'],
      ],
      'impersonating the group "system:masters" is not allowed',
    ],
    [
      'system:authenticated spelled in another case',
      [['Impersonate-Group', 'System:Authenticated']],
      'impersonating the group "System:Authenticated" is not allowed',
    ],
    [
      'system:unauthenticated',
      [['Impersonate-Group', 'system:unauthenticated']],
      'impersonating the group "system:unauthenticated" is not allowed',
    ],
    [
      'a forbidden group after an allowed one',
      [
        ['Impersonate-Group', 'system:authenticated'],
        ['Impersonate-Group', 'system:nodes'],
      ],
      'impersonating the group "system:nodes" is not allowed',
    ],
  ];
  for (const [name, headers, expected] of cases) {
    test(`${name}: ${expected ? 'refused' : 'allowed'}`, () =>
      assert.equal(forbiddenImpersonation(headers), expected));
  }
});
