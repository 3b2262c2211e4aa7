import assert from 'node:assert/strict';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CloseCode, ProtocolViolation } from '../../../src/shared/tunnel/codes.ts';
import {
  type HeaderPairs,
  headerValues,
  parseHello,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  requestHeadProblem,
} from '../../../src/shared/tunnel/heads.ts';
import { MAX_HEADER_PAIRS, MAX_PATH_CHARS } from '../../../src/shared/tunnel/limits.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function assertMalformed(parse: () => unknown, message: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof ProtocolViolation, `expected a ProtocolViolation, got ${error}`);
    assert.equal(error.closeCode, CloseCode.MALFORMED_FRAME);
    assert.match(error.message, message);
    return true;
  });
}

const pairs = (n: number): HeaderPairs => Array.from({ length: n }, (_, i) => [`x-${i}`, 'v'] as const);

describe('an OPEN payload must have the shape of a request head', () => {
  test('a well-formed head is returned as sent, repeated names kept in order', () => {
    const head = {
      method: 'POST',
      path: '/api/v1/namespaces/a/pods',
      headers: [
        ['Impersonate-Group', 'b'],
        ['Impersonate-Group', 'a'],
      ],
    };
    assert.deepEqual(parseRequestHead(json(head)), head);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'a method that is not a string',
      { method: 1, path: '/', headers: [] },
      /OPEN: field 'method' must be a string, got number/,
    ],
    ['a missing path', { method: 'GET', headers: [] }, /field 'path' must be a string, got undefined/],
    [
      'headers that are an object',
      { method: 'GET', path: '/', headers: { a: 'b' } },
      /field 'headers' must be an array of \[name, value\] pairs/,
    ],
    [
      'a header pair of three',
      { method: 'GET', path: '/', headers: [['a', 'b', 'c']] },
      /field 'headers' must be an array of \[name, value\] string pairs, got object/,
    ],
    ['a header value that is a number', { method: 'GET', path: '/', headers: [['a', 1]] }, /string pairs/],
    [
      'a header that is a string',
      { method: 'GET', path: '/', headers: ['a: b'] },
      /string pairs, got "a: b"/,
    ],
  ];
  for (const [name, payload, message] of cases) {
    test(`${name} is refused`, () => assertMalformed(() => parseRequestHead(json(payload)), message));
  }

  test('a received string is shown cut to 40 characters', () => {
    assertMalformed(
      () => parseRequestHead(json({ method: 'GET', path: '/', headers: ['h'.repeat(100)] })),
      new RegExp(`got "${'h'.repeat(40)}"$`),
    );
  });
});

describe('a well-formed request head may still be unacceptable (BAD_REQUEST_HEAD)', () => {
  const ok: RequestHead = { method: 'GET', path: '/api', headers: [] };
  const cases: [string, RequestHead, string | undefined][] = [
    ['a plain GET is fine', ok, undefined],
    ...['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(
      (method): [string, RequestHead, undefined] => [`${method} is fine`, { ...ok, method }, undefined],
    ),
    ['a lower-case method is refused', { ...ok, method: 'get' }, 'method "get" is not allowed'],
    ['CONNECT is refused', { ...ok, method: 'CONNECT' }, 'method "CONNECT" is not allowed'],
    [
      'a long method is shown cut',
      { ...ok, method: 'X'.repeat(50) },
      `method "${'X'.repeat(16)}" is not allowed`,
    ],
    [
      'a path of exactly 8192 characters is fine',
      { ...ok, path: `/${'a'.repeat(MAX_PATH_CHARS - 1)}` },
      undefined,
    ],
    [
      'a path of 8193 characters is refused',
      { ...ok, path: `/${'a'.repeat(MAX_PATH_CHARS)}` },
      'path longer than 8192 characters',
    ],
    [
      'an absolute URL is refused',
      { ...ok, path: 'https://evil.example/api' },
      'path must be origin-form (/...)',
    ],
    [
      'a scheme-relative path is refused',
      { ...ok, path: '//evil.example/api' },
      'path must be origin-form (/...)',
    ],
    ['an empty path is refused', { ...ok, path: '' }, 'path must be origin-form (/...)'],
    ['exactly 256 headers are fine', { ...ok, headers: pairs(MAX_HEADER_PAIRS) }, undefined],
    ['257 headers are refused', { ...ok, headers: pairs(MAX_HEADER_PAIRS + 1) }, 'more than 256 headers'],
  ];
  for (const [name, head, problem] of cases) {
    test(name, () => assert.equal(requestHeadProblem(head), problem));
  }
});

describe('a RESPONSE payload must have the shape of a response head', () => {
  test('a well-formed head is returned as sent', () => {
    const head = { status: 200, headers: [['content-type', 'application/json']] };
    assert.deepEqual(parseResponseHead(json(head)), head);
  });

  test('statuses 100 and 599 are the inclusive bounds', () => {
    assert.equal(parseResponseHead(json({ status: 100, headers: [] })).status, 100);
    assert.equal(parseResponseHead(json({ status: 599, headers: [] })).status, 599);
  });

  test('exactly 256 header pairs are accepted', () => {
    assert.equal(
      parseResponseHead(json({ status: 200, headers: pairs(MAX_HEADER_PAIRS) })).headers.length,
      256,
    );
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'status 99',
      { status: 99, headers: [] },
      /RESPONSE: field 'status' must be an integer from 100 to 599, got number/,
    ],
    ['status 600', { status: 600, headers: [] }, /field 'status' must be an integer from 100 to 599/],
    ['a fractional status', { status: 200.5, headers: [] }, /field 'status'/],
    ['a status that is a string', { status: '200', headers: [] }, /field 'status' must be .*, got "200"/],
    ['missing headers', { status: 200 }, /RESPONSE: field 'headers' must be an array/],
    [
      '257 header pairs',
      { status: 200, headers: pairs(MAX_HEADER_PAIRS + 1) },
      /field 'headers' must be at most 256 pairs, got number/,
    ],
  ];
  for (const [name, payload, message] of cases) {
    test(`${name} is refused`, () => assertMalformed(() => parseResponseHead(json(payload)), message));
  }
});

describe('a HELLO payload must name the session and cluster and give sane timings', () => {
  const hello = {
    sessionId: 's',
    clusterId: 'c-abcdefghij',
    heartbeatIntervalMs: 2000,
    livenessTimeoutMs: 8000,
  };

  test('a well-formed hello is returned as sent', () => {
    assert.deepEqual(parseHello(json(hello)), hello);
  });

  test('a hello may hand over an agent credential', () => {
    const withCredential = { ...hello, agentCredential: `c-abcdefghij.agent.${'A'.repeat(43)}` };
    assert.deepEqual(parseHello(json(withCredential)), withCredential);
  });

  test('100 ms is the smallest interval accepted', () => {
    assert.equal(parseHello(json({ ...hello, heartbeatIntervalMs: 100 })).heartbeatIntervalMs, 100);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'a missing sessionId',
      { ...hello, sessionId: undefined },
      /HELLO: field 'sessionId' must be a string, got undefined/,
    ],
    [
      'a clusterId that is a number',
      { ...hello, clusterId: 5 },
      /field 'clusterId' must be a string, got number/,
    ],
    [
      'a heartbeat of 99 ms',
      { ...hello, heartbeatIntervalMs: 99 },
      /field 'heartbeatIntervalMs' must be an integer >= 100/,
    ],
    ['a fractional liveness timeout', { ...hello, livenessTimeoutMs: 8000.5 }, /field 'livenessTimeoutMs'/],
    [
      'a liveness timeout as a string',
      { ...hello, livenessTimeoutMs: '8000' },
      /field 'livenessTimeoutMs' .*got "8000"/,
    ],
    [
      'an agent credential that is a number',
      { ...hello, agentCredential: 5 },
      /HELLO: field 'agentCredential' must be a string matching/,
    ],
    [
      'an agent credential with a space (it goes into a header)',
      { ...hello, agentCredential: 'c-abcdefghij.agent. x' },
      /field 'agentCredential'/,
    ],
    ['an empty agent credential', { ...hello, agentCredential: '' }, /field 'agentCredential'/],
    [
      'an agent credential of 129 characters',
      { ...hello, agentCredential: 'a'.repeat(129) },
      /field 'agentCredential'/,
    ],
  ];
  for (const [name, payload, message] of cases) {
    test(`${name} is refused`, () => assertMalformed(() => parseHello(json(payload)), message));
  }

  test('a payload that is not UTF-8 JSON is refused', () => {
    assertMalformed(() => parseHello(Buffer.from([0xff, 0xfe])), /HELLO: payload is not JSON/);
  });
});

describe('header values by name', () => {
  test('names match case-insensitively and every value is returned in order', () => {
    const headers: HeaderPairs = [
      ['Impersonate-Group', 'a'],
      ['accept', 'x'],
      ['impersonate-group', 'b'],
    ];
    assert.deepEqual(headerValues(headers, 'IMPERSONATE-GROUP'), ['a', 'b']);
    assert.deepEqual(headerValues(headers, 'authorization'), []);
  });
});

describe('head parser properties (fast-check)', () => {
  const parsers = { OPEN: parseRequestHead, RESPONSE: parseResponseHead, HELLO: parseHello };
  /** JSON close to a head's shape, so that the parsers get past their first checks. */
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((b) => String.fromCharCode(b)), maxLength: 12 }),
  );
  const headLike = fc.record(
    {
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'BREW'), fc.jsonValue()),
      path: fc.oneof(
        text.map((t) => `/${t}`),
        fc.jsonValue(),
      ),
      status: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.jsonValue()),
      headers: fc.oneof(fc.array(fc.tuple(text, text), { maxLength: 6 }), fc.jsonValue()),
      sessionId: fc.oneof(text, fc.jsonValue()),
      clusterId: fc.oneof(text, fc.jsonValue()),
      heartbeatIntervalMs: fc.oneof(fc.integer(), fc.jsonValue()),
      livenessTimeoutMs: fc.oneof(fc.integer(), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.jsonValue().map((v) => json(v)),
    headLike.map((v) => json(v)),
  );

  for (const [name, parse] of Object.entries(parsers)) {
    test(`any ${name} payload parses or throws a MALFORMED_FRAME violation, never anything else`, () => {
      fc.assert(
        fc.property(payload, (bytes) => {
          try {
            parse(bytes);
          } catch (error) {
            assert.ok(error instanceof ProtocolViolation, `not a ProtocolViolation: ${error}`);
            assert.equal(error.closeCode, CloseCode.MALFORMED_FRAME);
          }
        }),
        { numRuns: 800 },
      );
    });
  }

  test('every request head the agent accepts is one node:http can send', () => {
    fc.assert(
      fc.property(headLike, (raw) => {
        let head: RequestHead;
        try {
          head = parseRequestHead(json(raw));
        } catch {
          return;
        }
        if (requestHeadProblem(head) !== undefined) return;
        for (const [name, value] of head.headers) {
          validateHeaderName(name);
          validateHeaderValue(name, value);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
