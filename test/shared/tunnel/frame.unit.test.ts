import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CloseCode, ProtocolViolation } from '../../../src/shared/tunnel/codes.ts';
import { encode, FrameType, frameTypeName, parseFrame } from '../../../src/shared/tunnel/frame.ts';
import {
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RESET_MESSAGE_BYTES,
  MAX_STREAM_ID,
  MAX_WINDOW_BYTES,
} from '../../../src/shared/tunnel/limits.ts';

/** A frame built byte by byte, as a peer that ignores our encoder might send it. */
function rawFrame(type: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header[0] = type;
  header.writeUInt32BE(streamId, 1);
  return Buffer.concat([header, payload]);
}

function u16(code: number, text = ''): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return Buffer.concat([payload, Buffer.from(text, 'utf8')]);
}

function u32(value: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(value, 0);
  return payload;
}

/** Asserts that parsing fails with MALFORMED_FRAME and a message matching `message`. */
function assertMalformed(frame: Buffer, message: RegExp): void {
  assert.throws(
    () => parseFrame(frame),
    (error: unknown) => {
      assert.ok(error instanceof ProtocolViolation, `expected a ProtocolViolation, got ${error}`);
      assert.equal(error.closeCode, CloseCode.MALFORMED_FRAME);
      assert.match(error.message, message);
      return true;
    },
  );
}

const hello = {
  sessionId: 's-1',
  clusterId: 'c-abcdefghij',
  heartbeatIntervalMs: 2000,
  livenessTimeoutMs: 8000,
};
const requestHead = {
  method: 'GET',
  path: '/api/v1/pods?watch=1',
  headers: [
    ['Impersonate-Group', 'a'],
    ['Impersonate-Group', 'b'],
  ] as [string, string][],
};

describe('every frame type survives encoding and decoding unchanged', () => {
  const cases: [string, Buffer, unknown][] = [
    ['HELLO on stream 0', encode.hello(hello), { type: 'HELLO', streamId: 0, hello }],
    [
      'OPEN with repeated header names',
      encode.open(7, requestHead),
      { type: 'OPEN', streamId: 7, head: requestHead },
    ],
    [
      'RESPONSE',
      encode.response(7, { status: 101, headers: [['upgrade', 'SPDY/3.1']] }),
      { type: 'RESPONSE', streamId: 7, head: { status: 101, headers: [['upgrade', 'SPDY/3.1']] } },
    ],
    [
      'DATA of one byte',
      encode.data(1, Buffer.from('x')),
      { type: 'DATA', streamId: 1, data: Buffer.from('x') },
    ],
    [
      'DATA of the largest payload',
      encode.data(1, Buffer.alloc(MAX_PAYLOAD_BYTES, 7)),
      { type: 'DATA', streamId: 1, data: Buffer.alloc(MAX_PAYLOAD_BYTES, 7) },
    ],
    ['END', encode.end(MAX_STREAM_ID), { type: 'END', streamId: MAX_STREAM_ID }],
    [
      'RESET with a message',
      encode.reset(3, 2, 'refused: not my apiserver'),
      { type: 'RESET', streamId: 3, code: 2, message: 'refused: not my apiserver' },
    ],
    ['RESET without a message', encode.reset(3, 6, ''), { type: 'RESET', streamId: 3, code: 6, message: '' }],
    ['WINDOW of 1', encode.window(5, 1), { type: 'WINDOW', streamId: 5, increment: 1 }],
    [
      'WINDOW of 2^31-1',
      encode.window(5, MAX_WINDOW_BYTES),
      { type: 'WINDOW', streamId: 5, increment: MAX_WINDOW_BYTES },
    ],
    [
      'HELLO handing over an agent credential',
      encode.hello({ ...hello, agentCredential: `c-abcdefghij.agent.${'A'.repeat(43)}` }),
      {
        type: 'HELLO',
        streamId: 0,
        hello: { ...hello, agentCredential: `c-abcdefghij.agent.${'A'.repeat(43)}` },
      },
    ],
    [
      'CREDENTIAL on stream 0',
      encode.credential(`c-abcdefghij.agent.${'B'.repeat(43)}`),
      { type: 'CREDENTIAL', streamId: 0, agentCredential: `c-abcdefghij.agent.${'B'.repeat(43)}` },
    ],
  ];
  for (const [name, frame, expected] of cases) {
    test(name, () => {
      assert.deepEqual(parseFrame(frame), expected);
    });
  }

  test('the type byte and the big-endian stream id are where the protocol says', () => {
    const frame = encode.end(0x01020304);
    assert.deepEqual([...frame], [FrameType.END, 1, 2, 3, 4]);
  });

  test('a DATA frame built from several pieces carries them joined, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 8 }),
        (arrays) => {
          const pieces = arrays.map((a) => Buffer.from(a));
          const total = pieces.reduce((sum, p) => sum + p.length, 0);
          fc.pre(total > 0);
          const frame = parseFrame(encode.dataOf(9, pieces, total));
          assert.equal(frame.type, 'DATA');
          assert.equal(frame.streamId, 9);
          assert.deepEqual(frame.type === 'DATA' && frame.data, Buffer.concat(pieces));
        },
      ),
    );
  });

  test('a DATA payload is a view of the message, not a copy', () => {
    const frame = encode.data(1, Buffer.from('abc'));
    const parsed = parseFrame(frame);
    assert.equal(parsed.type, 'DATA');
    frame[FRAME_HEADER_BYTES] = 'z'.charCodeAt(0);
    assert.equal(parsed.type === 'DATA' && parsed.data.toString(), 'zbc');
  });
});

describe('a malformed frame is refused with MALFORMED_FRAME and says why', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['an empty message', Buffer.alloc(0), /frame of 0 bytes is shorter than its 5-byte header/],
    ['a message of 4 bytes', Buffer.from([FrameType.END, 0, 0, 1]), /frame of 4 bytes is shorter/],
    ['an unknown type byte', rawFrame(0x08, 1), /unknown frame type 0x08/],
    ['the type byte 0xff', rawFrame(0xff, 1), /unknown frame type 0xff/],
    [
      'a payload one byte over the limit',
      rawFrame(FrameType.DATA, 1, Buffer.alloc(MAX_PAYLOAD_BYTES + 1)),
      new RegExp(`DATA payload of ${MAX_PAYLOAD_BYTES + 1} bytes exceeds ${MAX_PAYLOAD_BYTES}`),
    ],
    ['an empty DATA', rawFrame(FrameType.DATA, 1), /DATA frame with an empty payload/],
    [
      'an END with a payload',
      rawFrame(FrameType.END, 1, Buffer.from('x')),
      /END frame with a 1-byte payload/,
    ],
    ['a RESET without a code', rawFrame(FrameType.RESET, 1), /RESET payload of 0 bytes has no code/],
    ['a RESET with half a code', rawFrame(FrameType.RESET, 1, Buffer.from([0])), /RESET payload of 1 bytes/],
    [
      'a RESET message one byte over its limit',
      rawFrame(FrameType.RESET, 1, u16(1, 'm'.repeat(MAX_RESET_MESSAGE_BYTES + 1))),
      /RESET message longer than 1024 bytes/,
    ],
    [
      'a WINDOW of 3 bytes',
      rawFrame(FrameType.WINDOW, 1, Buffer.alloc(3)),
      /WINDOW payload must be 4 bytes, got 3/,
    ],
    [
      'a WINDOW of 5 bytes',
      rawFrame(FrameType.WINDOW, 1, Buffer.alloc(5)),
      /WINDOW payload must be 4 bytes, got 5/,
    ],
    [
      'a WINDOW granting 0',
      rawFrame(FrameType.WINDOW, 1, u32(0)),
      /WINDOW increment 0 is outside 1\.\.2147483647/,
    ],
    [
      'a WINDOW granting 2^31',
      rawFrame(FrameType.WINDOW, 1, u32(MAX_WINDOW_BYTES + 1)),
      /WINDOW increment 2147483648 is outside/,
    ],
    [
      'a CREDENTIAL without its credential',
      rawFrame(FrameType.CREDENTIAL, 0, Buffer.from('{}')),
      /CREDENTIAL: field 'agentCredential' must be a string matching/,
    ],
    [
      'a CREDENTIAL whose credential could break a header',
      rawFrame(FrameType.CREDENTIAL, 0, Buffer.from(JSON.stringify({ agentCredential: 'a\r\nb' }))),
      /CREDENTIAL: field 'agentCredential'/,
    ],
    [
      'a HELLO that is not JSON',
      rawFrame(FrameType.HELLO, 0, Buffer.from('{')),
      /HELLO: payload is not JSON/,
    ],
    [
      'an OPEN that is a JSON array',
      rawFrame(FrameType.OPEN, 1, Buffer.from('[]')),
      /OPEN: payload is not a JSON object/,
    ],
    [
      'a RESPONSE that is JSON null',
      rawFrame(FrameType.RESPONSE, 1, Buffer.from('null')),
      /RESPONSE: payload is not a JSON object/,
    ],
  ];
  for (const [name, frame, message] of cases) {
    test(name, () => assertMalformed(frame, message));
  }
});

describe('limits are inclusive', () => {
  test('a payload of exactly 64 KiB is accepted', () => {
    const parsed = parseFrame(rawFrame(FrameType.DATA, 1, Buffer.alloc(MAX_PAYLOAD_BYTES)));
    assert.equal(parsed.type === 'DATA' && parsed.data.length, MAX_PAYLOAD_BYTES);
  });

  test('a RESET message of exactly 1024 bytes is accepted', () => {
    const text = 'm'.repeat(MAX_RESET_MESSAGE_BYTES);
    const parsed = parseFrame(rawFrame(FrameType.RESET, 1, u16(4, text)));
    assert.deepEqual(parsed, { type: 'RESET', streamId: 1, code: 4, message: text });
  });

  test('the encoder cuts a long RESET message to 1024 bytes, so its frame is never refused', () => {
    const parsed = parseFrame(encode.reset(1, 6, 'm'.repeat(5000)));
    assert.equal(parsed.type === 'RESET' && parsed.message, 'm'.repeat(MAX_RESET_MESSAGE_BYTES));
  });

  test('the encoder cuts a RESET message between characters, never inside one', () => {
    // 1023 ASCII bytes then a 3-byte euro sign: the cut at 1024 bytes would split it.
    const parsed = parseFrame(encode.reset(1, 6, `${'m'.repeat(MAX_RESET_MESSAGE_BYTES - 1)}€`));
    assert.equal(parsed.type, 'RESET');
    const message = parsed.type === 'RESET' ? parsed.message : '';
    assert.ok(!message.includes('\uFFFD'), 'no replacement character from a cut sequence');
    assert.equal(message.length, MAX_RESET_MESSAGE_BYTES - 1);
  });
});

describe('frame type names for tracing', () => {
  test('a known type is named, an unknown one shown as its byte', () => {
    assert.equal(frameTypeName(encode.window(1, 1)), 'WINDOW');
    assert.equal(frameTypeName(rawFrame(0x2a, 1)), '0x2a');
    assert.equal(frameTypeName(Buffer.alloc(0)), '0x0');
  });
});

describe('frame parser properties (fast-check)', () => {
  /** Parses, and fails the property on any error other than a MALFORMED_FRAME violation. */
  const parsesOrRefuses = (message: Buffer) => {
    try {
      parseFrame(message);
    } catch (error) {
      assert.ok(error instanceof ProtocolViolation, `not a ProtocolViolation: ${error}`);
      assert.equal(error.closeCode, CloseCode.MALFORMED_FRAME);
    }
  };
  const streamId = fc.integer({ min: 0, max: MAX_STREAM_ID });
  // Parsed JSON objects have Object.prototype; so must what they are compared with.
  const plain = { noNullPrototype: true } as const;
  const json = fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null'));

  test('any bytes either parse or throw a MALFORMED_FRAME violation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => parsesOrRefuses(Buffer.from(bytes))),
      { numRuns: 2_000 },
    );
  });

  test('any payload behind any type byte, JSON or not, parses or throws a MALFORMED_FRAME violation', () => {
    const payload = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      json,
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), streamId, payload, (type, id, body) =>
        parsesOrRefuses(rawFrame(type % 9, id, body)),
      ),
      { numRuns: 2_000 },
    );
  });

  test('every frame the encoders make parses back to what was encoded', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const pairs = fc.array(fc.tuple(text, text), { maxLength: 8 });
    const frame = fc.oneof(
      fc
        .record(
          {
            sessionId: text,
            clusterId: text,
            heartbeatIntervalMs: fc.integer({ min: 100, max: 2 ** 31 }),
            livenessTimeoutMs: fc.integer({ min: 100, max: 2 ** 31 }),
          },
          plain,
        )
        .map((hello) => ({ frame: encode.hello(hello), expected: { type: 'HELLO', streamId: 0, hello } })),
      fc
        .tuple(streamId, fc.record({ method: text, path: text, headers: pairs }, plain))
        .map(([id, head]) => ({
          frame: encode.open(id, head),
          expected: { type: 'OPEN', streamId: id, head },
        })),
      fc
        .tuple(streamId, fc.record({ status: fc.integer({ min: 100, max: 599 }), headers: pairs }, plain))
        .map(([id, head]) => ({
          frame: encode.response(id, head),
          expected: { type: 'RESPONSE', streamId: id, head },
        })),
      fc.tuple(streamId, fc.uint8Array({ minLength: 1, maxLength: 2_000 })).map(([id, bytes]) => ({
        frame: encode.data(id, Buffer.from(bytes)),
        expected: { type: 'DATA', streamId: id, data: Buffer.from(bytes) },
      })),
      streamId.map((id) => ({ frame: encode.end(id), expected: { type: 'END', streamId: id } })),
      fc.tuple(streamId, fc.integer({ min: 0, max: 0xffff }), text).map(([id, code, message]) => ({
        frame: encode.reset(id, code, message),
        expected: { type: 'RESET', streamId: id, code, message: Buffer.from(message).toString('utf8') },
      })),
      fc.tuple(streamId, fc.integer({ min: 1, max: MAX_WINDOW_BYTES })).map(([id, increment]) => ({
        frame: encode.window(id, increment),
        expected: { type: 'WINDOW', streamId: id, increment },
      })),
    );
    fc.assert(
      fc.property(frame, ({ frame: encoded, expected }) => assert.deepEqual(parseFrame(encoded), expected)),
      { numRuns: 400 },
    );
  });

  test('a RESET message of any length is cut to at most 1 024 bytes of whole UTF-8 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 1_200 }), (message) => {
        const parsed = parseFrame(encode.reset(1, 6, message));
        assert.equal(parsed.type, 'RESET');
        if (parsed.type !== 'RESET') return;
        assert.ok(Buffer.byteLength(parsed.message) <= MAX_RESET_MESSAGE_BYTES);
        assert.ok(message.startsWith(parsed.message), 'the message is a prefix of what was sent');
      }),
      { numRuns: 500 },
    );
  });
});
