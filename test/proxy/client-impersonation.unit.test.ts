import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { impersonationHeaders, type PersonIdentity } from '../../src/kube/identity.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { authorizeImpersonation, requestedImpersonation } from '../../src/proxy/client-impersonation.ts';
import type { HeaderPairs } from '../../src/shared/tunnel/heads.ts';

describe('what a client asks to act as (kubectl --as, --as-group, --as-uid)', () => {
  const cases: [string, HeaderPairs, PersonIdentity | undefined][] = [
    [
      'no Impersonate-* header: nothing',
      [
        ['Authorization', 'Bearer x'],
        ['Accept', '*/*'],
      ],
      undefined,
    ],
    [
      'a user alone',
      [['Impersonate-User', 'bob']],
      { kind: 'person', user: 'bob', groups: [], uid: undefined, extra: {} },
    ],
    [
      'a user with groups in order, a uid, and extras',
      [
        ['impersonate-user', 'bob'],
        ['Impersonate-Group', 'team-b'],
        ['Impersonate-Group', 'developers'],
        ['Impersonate-Uid', '1234'],
        ['Impersonate-Extra-Scopes', 'view'],
        ['impersonate-extra-scopes', 'edit'],
      ],
      {
        kind: 'person',
        user: 'bob',
        groups: ['team-b', 'developers'],
        uid: '1234',
        extra: { scopes: ['view', 'edit'] },
      },
    ],
    [
      'an extra key is lower-cased and percent-decoded',
      [
        ['Impersonate-User', 'bob'],
        ['Impersonate-Extra-Example.com%2FTeam', 'a'],
      ],
      { kind: 'person', user: 'bob', groups: [], uid: undefined, extra: { 'example.com/team': ['a'] } },
    ],
  ];
  for (const [name, headers, expected] of cases) {
    test(name, () => assert.deepEqual(requestedImpersonation(headers), expected));
  }

  test('extra keys named like properties of every object (__proto__, constructor) are keys like any other, asked about and sent', () => {
    const requested = requestedImpersonation([
      ['Impersonate-User', 'bob'],
      ['Impersonate-Extra-__proto__', 'a'],
      ['Impersonate-Extra-constructor', 'b'],
      ['Impersonate-Extra-constructor', 'c'],
    ]);
    assert.ok(requested);
    assert.deepEqual(Object.entries(requested.extra), [
      ['__proto__', ['a']],
      ['constructor', ['b', 'c']],
    ]);
    assert.deepEqual(
      impersonationHeaders(requested).filter(([name]) => name.startsWith('Impersonate-Extra-')),
      [
        ['Impersonate-Extra-__proto__', 'a'],
        ['Impersonate-Extra-constructor', 'b'],
        ['Impersonate-Extra-constructor', 'c'],
      ],
    );
  });

  test('64 Impersonate-* headers are accepted', () => {
    const groups = Array.from({ length: 63 }, (_, i): [string, string] => ['Impersonate-Group', `g${i}`]);
    assert.equal(requestedImpersonation([['Impersonate-User', 'bob'], ...groups])?.groups.length, 63);
  });
});

describe('impersonation headers that cannot be honoured are a 400', () => {
  const groups = (n: number) =>
    Array.from({ length: n }, (_, i): [string, string] => ['Impersonate-Group', `g${i}`]);
  const cases: [string, HeaderPairs, string][] = [
    [
      'a second Impersonate-User',
      [
        ['Impersonate-User', 'a'],
        ['impersonate-user', 'b'],
      ],
      'Impersonate-User given twice',
    ],
    [
      'a second Impersonate-Uid',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Uid', '1'],
        ['Impersonate-Uid', '2'],
      ],
      'Impersonate-Uid given twice',
    ],
    [
      'groups without a user',
      [['Impersonate-Group', 'g']],
      'impersonating groups, a uid or extras requires Impersonate-User',
    ],
    [
      'a uid without a user',
      [['Impersonate-Uid', '1']],
      'impersonating groups, a uid or extras requires Impersonate-User',
    ],
    [
      'an empty user',
      [
        ['Impersonate-User', ''],
        ['Impersonate-Group', 'g'],
      ],
      'impersonating groups, a uid or extras requires Impersonate-User',
    ],
    [
      'an unknown Impersonate-* header',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Role', 'admin'],
      ],
      'unknown impersonation header Impersonate-Role',
    ],
    [
      'an extra key that is not valid percent-encoding',
      [
        ['Impersonate-User', 'a'],
        ['Impersonate-Extra-%E0%A4%A', 'x'],
      ],
      'malformed header Impersonate-Extra-%E0%A4%A',
    ],
    [
      '65 Impersonate-* headers',
      [['Impersonate-User', 'a'], ...groups(64)],
      'at most 64 Impersonate-* headers',
    ],
  ];
  for (const [name, headers, message] of cases) {
    test(name, () => {
      assert.throws(
        () => requestedImpersonation(headers),
        (error: unknown) =>
          error instanceof GatewayError &&
          error.code === 'BAD_USER_INPUT' &&
          error.httpStatus === 400 &&
          error.reason === 'BadRequest' &&
          error.message === message,
      );
    });
  }
});

describe('the headers sent on for a requested identity', () => {
  test('read back, they ask for the same identity', () => {
    const requested: PersonIdentity = {
      kind: 'person',
      user: 'bob',
      groups: ['team-b', 'developers'],
      uid: '1234',
      extra: { 'example.com/team': ['a', 'b'], scopes: ['view'] },
    };
    const headers = impersonationHeaders(requested);
    assert.deepEqual(headers, [
      ['Impersonate-User', 'bob'],
      ['Impersonate-Group', 'team-b'],
      ['Impersonate-Group', 'developers'],
      ['Impersonate-Uid', '1234'],
      ['Impersonate-Extra-example.com%2Fteam', 'a'],
      ['Impersonate-Extra-example.com%2Fteam', 'b'],
      ['Impersonate-Extra-scopes', 'view'],
    ]);
    assert.deepEqual(requestedImpersonation(headers), requested);
  });
});

describe('row 4: a requested identity no request could carry is a 400, asked of no cluster', () => {
  const nobodyAsked = {
    mayI: () => assert.fail('no access review may be sent for an identity that is refused'),
  } as unknown as KubeClient;
  const caller: PersonIdentity = { kind: 'person', user: 'local:admin', groups: [], extra: {} };
  const cases: [string, HeaderPairs][] = [
    ['a user longer than 1024 characters', [['Impersonate-User', 'u'.repeat(1025)]]],
    [
      'an extra key holding a control character',
      [
        ['Impersonate-User', 'bob'],
        ['Impersonate-Extra-%01', 'x'],
      ],
    ],
    [
      'an extra key holding a line break',
      [
        ['Impersonate-User', 'bob'],
        ['Impersonate-Extra-a%0D%0Ab', 'x'],
      ],
    ],
    [
      'a group longer than 1024 characters',
      [
        ['Impersonate-User', 'bob'],
        ['Impersonate-Group', 'g'.repeat(1025)],
      ],
    ],
  ];
  for (const [name, headers] of cases) {
    test(name, async () => {
      const requested = requestedImpersonation(headers);
      assert.ok(requested);
      await assert.rejects(
        authorizeImpersonation(nobodyAsked, 'c-aaaaaaaaaa', caller, requested),
        (error: unknown) =>
          error instanceof GatewayError && error.code === 'BAD_USER_INPUT' && error.httpStatus === 400,
      );
    });
  }

  test('an extra key no header name may hold, such as "(", is asked about and sent percent-encoded', async () => {
    const requested = requestedImpersonation([
      ['Impersonate-User', 'local:admin'],
      ['Impersonate-Extra-%28', 'x'],
    ]);
    assert.ok(requested);
    const asked: string[] = [];
    const kube = {
      mayI: async (_on: unknown, question: { resource: string; subresource?: string }) => {
        asked.push(question.subresource ? `${question.resource}/${question.subresource}` : question.resource);
        return true;
      },
    } as unknown as KubeClient;
    await authorizeImpersonation(kube, 'c-aaaaaaaaaa', caller, requested);
    assert.deepEqual(asked, ['users', 'userextras/(']);
    assert.deepEqual(impersonationHeaders(requested), [
      ['Impersonate-User', 'local:admin'],
      ['Impersonate-Extra-%28', 'x'],
    ]);
  });
});
