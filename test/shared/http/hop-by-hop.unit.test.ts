import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  headersObject,
  isUpgradeRequest,
  namedInConnection,
  pairsFromRaw,
  withoutHopByHop,
} from '../../../src/shared/http/hop-by-hop.ts';
import type { HeaderPairs } from '../../../src/shared/tunnel/heads.ts';
import { anyText, headerPair } from './header-arbitraries.ts';

describe('hop-by-hop headers are dropped, end-to-end headers kept in order', () => {
  const cases: [string, HeaderPairs, [string, string][]][] = [
    [
      'every hop-by-hop header of RFC 9110 and the legacy ones, in any case',
      [
        ['Connection', 'keep-alive'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Connection', 'keep-alive'],
        ['Proxy-Authenticate', 'Basic'],
        ['PROXY-AUTHORIZATION', 'Basic eA=='],
        ['TE', 'trailers'],
        ['Trailer', 'x-checksum'],
        ['Transfer-Encoding', 'chunked'],
        ['Upgrade', 'websocket'],
        ['Accept', 'application/json'],
      ],
      [['Accept', 'application/json']],
    ],
    [
      'headers that Connection names, however it lists them',
      [
        ['Connection', 'close, Impersonate-User ,x-a'],
        ['connection', 'X-B'],
        ['Impersonate-User', 'alice'],
        ['x-a', '1'],
        ['X-b', '2'],
        ['x-c', '3'],
      ],
      [['x-c', '3']],
    ],
    [
      'repeated end-to-end headers, as they came',
      [
        ['Impersonate-Group', 'b'],
        ['Content-Type', 'application/json'],
        ['Impersonate-Group', 'a'],
      ],
      [
        ['Impersonate-Group', 'b'],
        ['Content-Type', 'application/json'],
        ['Impersonate-Group', 'a'],
      ],
    ],
    [
      'an empty Connection list names nothing',
      [
        ['Connection', ' , '],
        ['x-a', '1'],
      ],
      [['x-a', '1']],
    ],
  ];
  for (const [name, headers, expected] of cases) {
    test(name, () => assert.deepEqual(withoutHopByHop(headers), expected));
  }

  test('the pairs returned are copies: changing them leaves the input alone', () => {
    const headers: [string, string][] = [['x-a', '1']];
    const out = withoutHopByHop(headers);
    (out[0] as [string, string])[1] = 'changed';
    assert.deepEqual(headers, [['x-a', '1']]);
  });
});

describe('Connection tokens and upgrades', () => {
  test('every Connection header contributes its tokens, lower-cased and trimmed', () => {
    assert.deepEqual(
      namedInConnection([
        ['Connection', 'Upgrade, X-A'],
        ['CONNECTION', ' keep-alive '],
        ['x-connection', 'no'],
      ]),
      new Set(['upgrade', 'x-a', 'keep-alive']),
    );
  });

  const cases: [string, HeaderPairs, boolean][] = [
    [
      'Connection: Upgrade with an Upgrade header',
      [
        ['Connection', 'Upgrade'],
        ['Upgrade', 'SPDY/3.1'],
      ],
      true,
    ],
    [
      'upgrade listed among other tokens',
      [
        ['connection', 'keep-alive, upgrade'],
        ['upgrade', 'websocket'],
      ],
      true,
    ],
    ['an Upgrade header alone', [['Upgrade', 'websocket']], false],
    ['Connection: Upgrade alone', [['Connection', 'Upgrade']], false],
    [
      'a token that only contains upgrade',
      [
        ['Connection', 'upgrade-insecure'],
        ['Upgrade', 'x'],
      ],
      false,
    ],
  ];
  for (const [name, headers, expected] of cases) {
    test(`${name} ${expected ? 'is' : 'is not'} an upgrade`, () =>
      assert.equal(isUpgradeRequest(headers), expected));
  }
});

describe('header shapes', () => {
  test("Node's rawHeaders become pairs; a dangling name is dropped", () => {
    assert.deepEqual(pairsFromRaw(['A', '1', 'b', '2', 'lonely']), [
      ['A', '1'],
      ['b', '2'],
    ]);
  });

  test('pairs become an object with lower-case names, repeated names as arrays in order', () => {
    assert.deepEqual(
      headersObject([
        ['Impersonate-Group', 'a'],
        ['Accept', 'x'],
        ['impersonate-group', 'b'],
        ['IMPERSONATE-GROUP', 'c'],
      ]),
      { 'impersonate-group': ['a', 'b', 'c'], accept: 'x' },
    );
  });
});

describe('withoutHopByHop properties (fast-check)', () => {
  const HOP_BY_HOP = [
    'connection',
    'keep-alive',
    'proxy-connection',
    'proxy-authenticate',
    'proxy-authorization',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
  ];
  const headerList = fc.array(headerPair, { maxLength: 12 });

  test('no hop-by-hop header and no header any Connection lists survives, whatever case or listing trick', () => {
    fc.assert(
      fc.property(headerList, (headers) => {
        const listed = new Set(
          headers
            .filter(([name]) => name.toLowerCase() === 'connection')
            .flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())),
        );
        for (const [name] of withoutHopByHop(headers)) {
          assert.ok(!HOP_BY_HOP.includes(name.toLowerCase()), `${name} survived`);
          assert.ok(!listed.has(name.toLowerCase()), `${name} is listed in Connection and survived`);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  test('every other header survives, in its order, name and value untouched', () => {
    fc.assert(
      fc.property(headerList, (headers) => {
        const dropped = namedInConnection(headers);
        const kept = headers.filter(
          ([name]) => !HOP_BY_HOP.includes(name.toLowerCase()) && !dropped.has(name.toLowerCase()),
        );
        assert.deepEqual(withoutHopByHop(headers), kept);
      }),
      { numRuns: 2_000 },
    );
  });

  test('any strings at all are filtered without an exception', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyText, anyText), { maxLength: 8 }), (headers) => {
        withoutHopByHop(headers);
      }),
      { numRuns: 1_000 },
    );
  });
});
