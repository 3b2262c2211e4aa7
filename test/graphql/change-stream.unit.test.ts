import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { decodePositions, encodePositions } from '../../src/graphql/change-stream.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

function assertMalformedSince(cursor: string): void {
  assert.throws(
    () => decodePositions(cursor),
    (error: unknown) => {
      assert.ok(error instanceof GatewayError);
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.message, 'malformed since cursor: pass the cursor of a message');
      return true;
    },
  );
}

describe('change-stream cursors carry a resourceVersion per cluster', () => {
  test('positions survive a round trip', () => {
    const positions = new Map([
      ['c-aaaaaaaaaa', '1041'],
      ['c-bbbbbbbbbb', '7'],
    ]);
    assert.deepEqual(decodePositions(encodePositions(positions)), {
      'c-aaaaaaaaaa': '1041',
      'c-bbbbbbbbbb': '7',
    });
  });

  test('no positions yet is a cursor too', () => {
    assert.deepEqual(decodePositions(encodePositions(new Map())), {});
  });

  test('a cursor is URL-safe base64 without padding', () => {
    assert.match(encodePositions(new Map([['c-1', '1?>']])), /^[A-Za-z0-9_-]+$/);
  });

  test('a cursor of 64 KiB is read, a longer one is refused unread', () => {
    const limit = 64 * 1024;
    const json = (length: number) => `{"c":"${'9'.repeat(length - 8)}"}`;
    const atLimit = b64(json((limit * 3) / 4));
    assert.equal(atLimit.length, limit);
    assert.equal(Object.keys(decodePositions(atLimit)).length, 1);
    assertMalformedSince(`${atLimit}A`);
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['not JSON', b64('{')],
    ['an array', b64('["1"]')],
    ['JSON null', b64('null')],
    ['a string', b64('"1041"')],
    ['a resourceVersion that is a number', b64('{"c-1":1041}')],
    ['a resourceVersion that is null', b64('{"c-1":null}')],
    ['a page cursor', b64('["c","n","x"]')],
  ];
  for (const [name, cursor] of malformed) {
    test(`${name} is refused as BAD_USER_INPUT`, () => assertMalformedSince(cursor));
  }
});
