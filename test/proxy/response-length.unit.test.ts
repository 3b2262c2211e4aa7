import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyFraming, framedHeaders } from '../../src/proxy/response-length.ts';

describe("how an agent's answer is framed for the client", () => {
  const cases: [string, string, number, [string, string][], ReturnType<typeof bodyFraming>][] = [
    ['one Content-Length is held to', 'GET', 200, [['Content-Length', '12']], { kind: 'length', bytes: 12 }],
    [
      'the same value twice is one length',
      'GET',
      200,
      [
        ['content-length', '3'],
        ['Content-Length', ' 3'],
      ],
      { kind: 'length', bytes: 3 },
    ],
    [
      'two values that disagree: chunked',
      'GET',
      200,
      [
        ['content-length', '3'],
        ['content-length', '4'],
      ],
      { kind: 'chunked' },
    ],
    ['a value that is not a number: chunked', 'GET', 200, [['content-length', '3x']], { kind: 'chunked' }],
    ['a negative value: chunked', 'GET', 200, [['content-length', '-1']], { kind: 'chunked' }],
    ['no Content-Length: chunked', 'GET', 200, [['content-type', 'application/json']], { kind: 'chunked' }],
    ['an answer to HEAD has no body', 'HEAD', 200, [['content-length', '99']], { kind: 'none' }],
    ['204 has no body', 'DELETE', 204, [['content-length', '5']], { kind: 'none' }],
    ['304 has no body', 'GET', 304, [], { kind: 'none' }],
  ];
  for (const [name, method, status, headers, expected] of cases)
    test(name, () => assert.deepEqual(bodyFraming(method, status, headers), expected));

  test('a chunked body is sent with no Content-Length; a held length with exactly one', () => {
    const headers: [string, string][] = [
      ['content-type', 'text/plain'],
      ['content-length', '3'],
      ['Content-Length', '3'],
    ];
    assert.deepEqual(framedHeaders({ kind: 'chunked' }, headers), [['content-type', 'text/plain']]);
    assert.deepEqual(framedHeaders({ kind: 'length', bytes: 3 }, headers), [
      ['content-type', 'text/plain'],
      ['content-length', '3'],
    ]);
  });
});
