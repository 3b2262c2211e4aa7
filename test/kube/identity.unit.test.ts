import assert from 'node:assert/strict';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import {
  AGENT_IDENTITY,
  encodeExtraKey,
  identityKey,
  identityProblem,
  impersonationHeaders,
  type PersonIdentity,
} from '../../src/kube/identity.ts';

const person = (overrides: Partial<PersonIdentity> = {}): PersonIdentity => ({
  kind: 'person',
  user: 'local:alice',
  groups: ['local:ops', 'system:authenticated'],
  uid: 'local:alice',
  extra: { 'fleetgate.io/provider': ['local'] },
  ...overrides,
});

/** Node's own checks of what may be sent as a header: what the agent would run into. */
function sendable([name, value]: readonly [string, string]): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}

describe('an identity becomes Impersonate-* headers only at the wire', () => {
  test("a person's headers name the user, each group, the uid and each extra value", () => {
    assert.deepEqual(impersonationHeaders(person()), [
      ['Impersonate-User', 'local:alice'],
      ['Impersonate-Group', 'local:ops'],
      ['Impersonate-Group', 'system:authenticated'],
      ['Impersonate-Uid', 'local:alice'],
      ['Impersonate-Extra-fleetgate.io%2Fprovider', 'local'],
    ]);
  });

  test('the agent itself is sent with no impersonation at all', () => {
    assert.deepEqual(impersonationHeaders(AGENT_IDENTITY), []);
  });

  test('the headers and the cache key are made once per identity value', () => {
    const alice = person();
    assert.equal(impersonationHeaders(alice), impersonationHeaders(alice));
    assert.equal(identityKey(alice), identityKey(alice));
    assert.equal(identityKey(alice), identityKey(person()), 'equal identities share a key');
    assert.notEqual(identityKey(alice), identityKey(person({ groups: ['local:ops'] })));
  });
});

describe('identities the gateway never impersonates', () => {
  const refused: [string, PersonIdentity, RegExp][] = [
    ['a system: user', person({ user: 'system:admin' }), /impersonating the user/],
    ['system:masters', person({ groups: ['system:masters'] }), /impersonating the group/],
    ['a system: group in another case', person({ groups: ['System:Masters'] }), /the group/],
    ['an empty user', person({ user: ' ' }), /empty/],
    ['a newline in a group', person({ groups: ['ops\r\nImpersonate-Group: system:masters'] }), /no header/],
    ['a character above 0xff', person({ user: 'oidc:日本' }), /no header/],
    ['an over-long value', person({ extra: { k: ['x'.repeat(1025)] } }), /longer than 1024/],
  ];
  for (const [name, identity, message] of refused) {
    test(`${name} is refused, and no header is made for it`, () => {
      assert.match(identityProblem(identity) ?? '', message);
      assert.throws(
        () => impersonationHeaders(identity),
        (error: unknown) => error instanceof GatewayError && error.code === 'FORBIDDEN',
      );
    });
  }

  test("system:authenticated, every person's group, is allowed", () => {
    assert.equal(identityProblem(person({ groups: ['system:authenticated'] })), undefined);
  });
});

describe('every byte in every attribute: refused, or sent as a valid header', () => {
  const bytes = Array.from({ length: 256 }, (_, byte) => String.fromCharCode(byte));

  test('in a user name, a group, a uid and an extra value', () => {
    for (const char of bytes) {
      for (const identity of [
        person({ user: `local:a${char}b` }),
        person({ groups: [`local:a${char}b`] }),
        person({ uid: `a${char}b` }),
        person({ extra: { k: [`a${char}b`] } }),
      ]) {
        if (identityProblem(identity)) continue;
        const headers = impersonationHeaders(identity);
        for (const header of headers)
          assert.ok(sendable(header), `byte 0x${char.charCodeAt(0).toString(16)}: ${JSON.stringify(header)}`);
      }
    }
  });

  test('in an extra key, which is percent-encoded into the header name', () => {
    for (const char of [...bytes, '日', '(', ')', '%', ' ']) {
      const identity = person({ extra: { [`a${char}b`]: ['v'] } });
      if (identityProblem(identity)) continue;
      for (const header of impersonationHeaders(identity))
        assert.ok(sendable(header), `${JSON.stringify(char)}: ${JSON.stringify(header)}`);
    }
  });

  test('an encoded extra key decodes back to the key, as the apiserver reads it', () => {
    for (const key of ['fleetgate.io/provider', '(', 'a%b', 'scopes', 'é', 'k e y', '日本', 'Team', 'ABC']) {
      const encoded = encodeExtraKey(key);
      assert.match(encoded, /^[A-Za-z0-9!#$&'*+.^_`|~%-]+$/);
      // The apiserver lower-cases the header name, then percent-decodes the key.
      assert.equal(decodeURIComponent(encoded.toLowerCase()), key);
    }
  });
});
