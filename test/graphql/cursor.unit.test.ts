import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { type CursorKey, compareKeys, decodeCursor, encodeCursor } from '../../src/graphql/cursor.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Asserts a BAD_USER_INPUT GatewayError that tells the client what to pass instead. */
function assertMalformedCursor(cursor: string): void {
  assert.throws(
    () => decodeCursor(cursor),
    (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.message, 'malformed cursor: pass endCursor from a previous page');
      return true;
    },
  );
}

describe('page cursors', () => {
  const keys: [string, CursorKey][] = [
    ['a namespaced object', ['c-abcdefghij', 'team-a', 'web-0']],
    ['a cluster-scoped object (empty namespace)', ['c-abcdefghij', '', 'node-1']],
    ['names with quotes, commas and non-ASCII', ['c-1', 'a"b', 'ñ,\u2028']],
  ];
  for (const [name, key] of keys) {
    test(`the key of ${name} survives a round trip`, () => {
      assert.deepEqual(decodeCursor(encodeCursor(key)), key);
    });
  }

  test('a cursor is URL-safe base64 without padding', () => {
    assert.match(encodeCursor(['c-abcdefghij', 'ns', 'n?']), /^[A-Za-z0-9_-]+$/);
  });

  test('a cursor of 2048 characters is read, one of 2049 is refused unread', () => {
    const at = (length: number) => {
      const prefix = '["c","n","';
      const suffix = '"]';
      const nameLength = Math.floor((length * 3) / 4) - prefix.length - suffix.length;
      return b64(`${prefix}${'x'.repeat(nameLength)}${suffix}`);
    };
    assert.equal(at(2048).length, 2048);
    assert.equal((decodeCursor(at(2048))[2] as string).length, 1536 - 12);
    const tooLong = `${at(2048)}A`;
    assert.equal(tooLong.length, 2049);
    assertMalformedCursor(tooLong);
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['base64 of something that is not JSON', b64('not json')],
    ['an object', b64('{"a":1}')],
    ['a key of two parts', b64('["c","n"]')],
    ['a key of four parts', b64('["c","n","x","y"]')],
    ['a key with a number', b64('["c","n",1]')],
    ['a key with null', b64('["c",null,"x"]')],
    ['characters outside base64', '!!!'],
  ];
  for (const [name, cursor] of malformed) {
    test(`${name} is refused as BAD_USER_INPUT`, () => assertMalformedCursor(cursor));
  }
});

describe('cursor keys order by cluster, then namespace, then name', () => {
  const cases: [string, CursorKey, CursorKey, number][] = [
    ['equal keys', ['c', 'n', 'x'], ['c', 'n', 'x'], 0],
    ['the cluster decides first', ['a', 'z', 'z'], ['b', 'a', 'a'], -1],
    ['then the namespace', ['c', 'b', 'a'], ['c', 'a', 'z'], 1],
    ['then the name', ['c', 'n', 'a'], ['c', 'n', 'b'], -1],
    ['the empty namespace of cluster-scoped objects sorts first', ['c', '', 'z'], ['c', 'a', 'a'], -1],
    ['by UTF-16 code units, so upper case before lower case', ['c', 'n', 'Z'], ['c', 'n', 'a'], -1],
  ];
  for (const [name, a, b, expected] of cases) {
    test(name, () => {
      assert.equal(compareKeys(a, b), expected);
      assert.equal(compareKeys(b, a), -expected || 0);
    });
  }
});
