import type { Duplex } from 'node:stream';

/**
 * WebSocket text frames written straight to a connection's transport, for shared deliveries
 * (docs/architecture.md, "A subscription to changes"). A shared change's `next` message is
 * `{"id":<operation id>,"type":"next","payload":` + payload + `}`; everything after the id
 * is the same for every member. So the shared part (payload and closing brace) is built once
 * per change. Members whose operation id is the same (clients number their operations, so
 * many use "1") get the very same bytes: the whole frame, made once per change and id
 * (WholeFrames). Past the first few ids of a change, a member writes only its frame header
 * and prefix (~60 bytes) beside the shared bytes, instead of a fresh copy of the whole frame.
 *
 * A server frame (RFC 6455 §5.2) is unmasked: FIN + opcode, the payload length (7 bits, or
 * 126 + 16 bits, or 127 + 64 bits), then the payload. What this relies on in `ws`
 * (WebSocketServer without permessage-deflate, its default and ours): its Sender writes each
 * frame to the same transport synchronously within one `send` call, so whole frames written
 * here never interleave with its own (pings, `complete`, `error`); frames are only queued
 * while compressing or reading a Blob, which graphql-ws never sends.
 */

/** FIN set, opcode 1 (text). */
const FIN_TEXT = 0x81;

/** Bytes of a server frame's header for a payload of `length` bytes. */
export function frameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/**
 * One buffer holding the header of an unmasked, final text frame whose payload is `prefix`
 * followed by `restLength` more bytes, then the prefix itself. Taken from Node's shared
 * buffer pool: it is short and lives only until written.
 */
export function frameHead(prefix: Buffer, restLength: number): Buffer {
  const length = prefix.length + restLength;
  const headerLength = frameHeaderLength(length);
  const head = Buffer.allocUnsafe(headerLength + prefix.length);
  head[0] = FIN_TEXT;
  if (headerLength === 2) {
    head[1] = length;
  } else if (headerLength === 4) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    head.writeUInt32BE(length >>> 0, 6);
  }
  prefix.copy(head, headerLength);
  return head;
}

/**
 * Distinct operation ids per change whose whole frame is made once and shared: the common
 * ids ("1", "2", ...) are among the first a change meets. A change being handed to its
 * members holds at most this many copies of its payload besides its own; once every member
 * has it, they are let go (WholeFrames.close), so a change waiting in a slow subscriber's
 * queue holds only its shared tail, which that queue's byte bound counts.
 */
export const MAX_WHOLE_FRAMES = 8;

/**
 * The whole frames of one payload tail, by the operation id whose prefix goes in front of
 * it: made for the first MAX_WHOLE_FRAMES ids that ask, then none (the caller writes
 * frameHead(prefix) and the tail instead).
 */
export class WholeFrames {
  readonly #tail: Buffer;
  readonly #frames = new Map<string, Buffer>();
  #closed = false;

  constructor(tail: Buffer) {
    this.#tail = tail;
  }

  /** The frame of `prefix` (the message's start, with `operationId`) + the tail, or undefined past the bound or once closed. */
  frame(operationId: string, prefix: Buffer): Buffer | undefined {
    if (this.#closed) return undefined;
    let frame = this.#frames.get(operationId);
    if (frame === undefined && this.#frames.size < MAX_WHOLE_FRAMES) {
      frame = Buffer.concat([frameHead(prefix, this.#tail.length), this.#tail]);
      this.#frames.set(operationId, frame);
    }
    return frame;
  }

  /** Lets the frames go; from now on every caller writes its head beside the tail. */
  close(): void {
    this.#closed = true;
    this.#frames.clear();
  }
}

/**
 * Writes `chunks` (whole frames, in order) to `transport` corked, so that several frames go
 * out as one write (one TLS record and one system call where they fit), and calls `written`
 * once the last is written (or failed).
 */
export function writeCorked(transport: Duplex, chunks: readonly Buffer[], written: () => void): void {
  const last = chunks.length - 1;
  if (last === 0) {
    // One whole frame: one write of it, without the stream gathering chunks.
    transport.write(chunks[0] as Buffer, () => written());
    return;
  }
  transport.cork();
  for (let i = 0; i < last; i++) transport.write(chunks[i] as Buffer);
  transport.write(chunks[last] as Buffer, () => written());
  transport.uncork();
}
