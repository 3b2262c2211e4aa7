import { CloseCode, ProtocolViolation } from './codes.ts';
import {
  type Hello,
  parseCredential,
  parseHello,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from './heads.ts';
import {
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RESET_MESSAGE_BYTES,
  MAX_WINDOW_BYTES,
} from './limits.ts';

/** Frame type bytes (docs/tunnel-protocol.md §3). */
export const FrameType = {
  HELLO: 0x00,
  OPEN: 0x01,
  RESPONSE: 0x02,
  DATA: 0x03,
  END: 0x04,
  RESET: 0x05,
  WINDOW: 0x06,
  CREDENTIAL: 0x07,
} as const;
export type FrameTypeName = keyof typeof FrameType;

const typeNames: readonly FrameTypeName[] = [
  'HELLO',
  'OPEN',
  'RESPONSE',
  'DATA',
  'END',
  'RESET',
  'WINDOW',
  'CREDENTIAL',
];

/** One decoded frame. */
export type Frame =
  | { readonly type: 'HELLO'; readonly streamId: number; readonly hello: Hello }
  | { readonly type: 'OPEN'; readonly streamId: number; readonly head: RequestHead }
  | { readonly type: 'RESPONSE'; readonly streamId: number; readonly head: ResponseHead }
  | { readonly type: 'DATA'; readonly streamId: number; readonly data: Buffer }
  | { readonly type: 'END'; readonly streamId: number }
  | { readonly type: 'RESET'; readonly streamId: number; readonly code: number; readonly message: string }
  | { readonly type: 'WINDOW'; readonly streamId: number; readonly increment: number }
  | { readonly type: 'CREDENTIAL'; readonly streamId: number; readonly agentCredential: string };

function violation(message: string): never {
  throw new ProtocolViolation(CloseCode.MALFORMED_FRAME, message);
}

/** Decodes one WebSocket binary message; throws ProtocolViolation(MALFORMED_FRAME). */
export function parseFrame(message: Buffer): Frame {
  if (message.length < FRAME_HEADER_BYTES)
    violation(`frame of ${message.length} bytes is shorter than its 5-byte header`);
  const typeByte = message[0] as number;
  const type = typeNames[typeByte];
  if (type === undefined) violation(`unknown frame type 0x${typeByte.toString(16).padStart(2, '0')}`);
  const streamId = message.readUInt32BE(1);
  const payload = message.subarray(FRAME_HEADER_BYTES);
  if (payload.length > MAX_PAYLOAD_BYTES)
    violation(`${type} payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  switch (type) {
    case 'HELLO':
      return { type, streamId, hello: parseHello(payload) };
    case 'OPEN':
      return { type, streamId, head: parseRequestHead(payload) };
    case 'RESPONSE':
      return { type, streamId, head: parseResponseHead(payload) };
    case 'DATA':
      if (payload.length === 0) violation('DATA frame with an empty payload');
      return { type, streamId, data: payload };
    case 'END':
      if (payload.length !== 0) violation(`END frame with a ${payload.length}-byte payload`);
      return { type, streamId };
    case 'RESET': {
      if (payload.length < 2) violation(`RESET payload of ${payload.length} bytes has no code`);
      if (payload.length - 2 > MAX_RESET_MESSAGE_BYTES)
        violation(`RESET message longer than ${MAX_RESET_MESSAGE_BYTES} bytes`);
      return { type, streamId, code: payload.readUInt16BE(0), message: payload.subarray(2).toString('utf8') };
    }
    case 'WINDOW': {
      if (payload.length !== 4) violation(`WINDOW payload must be 4 bytes, got ${payload.length}`);
      const increment = payload.readUInt32BE(0);
      if (increment < 1 || increment > MAX_WINDOW_BYTES)
        violation(`WINDOW increment ${increment} is outside 1..${MAX_WINDOW_BYTES}`);
      return { type, streamId, increment };
    }
    case 'CREDENTIAL':
      return { type, streamId, agentCredential: parseCredential(payload) };
  }
}

function frameWith(type: number, streamId: number, payload: Buffer | undefined): Buffer {
  const length = payload?.length ?? 0;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame[0] = type;
  frame.writeUInt32BE(streamId, 1);
  payload?.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** At most `maxBytes` of the UTF-8 of `text`, cut between characters (the message must stay UTF-8). */
function utf8Prefix(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // 0b10xxxxxx is a continuation byte: the cut would fall inside a character.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/** Encoders, one per frame type. */
export const encode = {
  hello: (hello: Hello) => frameWith(FrameType.HELLO, 0, json(hello)),
  open: (streamId: number, head: RequestHead) => frameWith(FrameType.OPEN, streamId, json(head)),
  response: (streamId: number, head: ResponseHead) => frameWith(FrameType.RESPONSE, streamId, json(head)),
  data: (streamId: number, data: Buffer) => frameWith(FrameType.DATA, streamId, data),
  /** One DATA frame of several pieces (`total` bytes together), copied once into the frame. */
  dataOf: (streamId: number, pieces: readonly Buffer[], total: number) => {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + total);
    frame[0] = FrameType.DATA;
    frame.writeUInt32BE(streamId, 1);
    let at = FRAME_HEADER_BYTES;
    for (const piece of pieces) at += piece.copy(frame, at);
    return frame;
  },
  end: (streamId: number) => frameWith(FrameType.END, streamId, undefined),
  reset: (streamId: number, code: number, message: string) => {
    const text = utf8Prefix(message, MAX_RESET_MESSAGE_BYTES);
    const payload = Buffer.allocUnsafe(2 + text.length);
    payload.writeUInt16BE(code, 0);
    text.copy(payload, 2);
    return frameWith(FrameType.RESET, streamId, payload);
  },
  window: (streamId: number, increment: number) => {
    const payload = Buffer.allocUnsafe(4);
    payload.writeUInt32BE(increment, 0);
    return frameWith(FrameType.WINDOW, streamId, payload);
  },
  credential: (agentCredential: string) => frameWith(FrameType.CREDENTIAL, 0, json({ agentCredential })),
};

/** The type name of an encoded frame, for tracing. */
export function frameTypeName(frame: Buffer): string {
  return typeNames[frame[0] as number] ?? `0x${(frame[0] ?? 0).toString(16)}`;
}
