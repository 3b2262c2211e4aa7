import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloseCode, ProtocolViolation } from '../../src/shared/tunnel/codes.ts';
import { parseFrame } from '../../src/shared/tunnel/frame.ts';
import {
  INITIAL_WINDOW_BYTES,
  MAX_PAYLOAD_BYTES,
  WINDOW_UPDATE_THRESHOLD_BYTES,
} from '../../src/shared/tunnel/limits.ts';
import { type StreamHost, TunnelStream } from '../../src/shared/tunnel/stream.ts';

/** A host that records DATA and WINDOW frames and completes each send only when told to. */
function slowHost() {
  const data: Buffer[] = [];
  const grants: number[] = [];
  const callbacks: ((error?: Error) => void)[] = [];
  const host: StreamHost = {
    send(frame, callback) {
      const parsed = parseFrame(frame);
      if (parsed.type === 'DATA') data.push(parsed.data);
      if (parsed.type === 'WINDOW') grants.push(parsed.increment);
      if (callback) callbacks.push(callback);
    },
    // A socket that is always full: every write waits until its frame is sent.
    bufferedBytes: () => Number.MAX_SAFE_INTEGER,
    release() {},
  };
  /** Completes sends, one socket write at a time, until the stream has nothing queued. */
  const drain = async (stream: TunnelStream) => {
    while (callbacks.length > 0 || stream.writableLength > 0) {
      for (const callback of callbacks.splice(0)) callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { host, data, grants, drain };
}

const head = { method: 'GET', path: '/', headers: [] };

describe('tunnel stream', () => {
  test('small writes queued while a frame is on its way leave as one DATA frame', async () => {
    const { host, data, drain } = slowHost();
    const stream = new TunnelStream(host, 1, head);
    const pieces = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1400, i));
    for (const piece of pieces) stream.write(piece);
    await drain(stream); // the first write goes alone; the 39 queued behind it, together
    assert.equal(data.length, 2, `${data.length} DATA frames for 40 writes`);
    assert.deepEqual(Buffer.concat(data), Buffer.concat(pieces));
  });

  test('queued writes larger than a frame are split at the frame payload limit', async () => {
    const { host, data, drain } = slowHost();
    const stream = new TunnelStream(host, 1, head);
    const pieces = Array.from({ length: 3 }, (_, i) => Buffer.alloc(40 * 1024, i));
    for (const piece of pieces) stream.write(piece);
    await drain(stream);
    assert.ok(data.length >= 3, `${data.length} DATA frames`);
    assert.ok(data.every((payload) => payload.length <= MAX_PAYLOAD_BYTES));
    assert.deepEqual(Buffer.concat(data), Buffer.concat(pieces));
    assert.ok(Buffer.concat(data).length < INITIAL_WINDOW_BYTES, 'the test stays within the first window');
  });

  test('credit goes back as soon as a flowing reader takes the data, not with the next frame', async () => {
    const { host, grants } = slowHost();
    const stream = new TunnelStream(host, 1, head);
    let read = 0;
    stream.on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    stream.onData(Buffer.alloc(MAX_PAYLOAD_BYTES), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(read, MAX_PAYLOAD_BYTES);
    assert.deepEqual(grants, [MAX_PAYLOAD_BYTES]);
    // The peer may now have a whole window in flight again, and not a byte more.
    stream.pause();
    for (let sent = 0; sent < INITIAL_WINDOW_BYTES; sent += MAX_PAYLOAD_BYTES)
      stream.onData(Buffer.alloc(MAX_PAYLOAD_BYTES), false);
    assert.throws(
      () => stream.onData(Buffer.alloc(1), false),
      (error: unknown) => error instanceof ProtocolViolation && error.closeCode === CloseCode.FLOW_CONTROL,
    );
  });

  test('a small answer costs no WINDOW frame: credit goes back in steps of the threshold', async () => {
    const { host, grants } = slowHost();
    const stream = new TunnelStream(host, 1, head);
    stream.resume();
    stream.onData(Buffer.alloc(2000), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(grants, [], 'the peer still has most of its window');
    stream.onData(Buffer.alloc(WINDOW_UPDATE_THRESHOLD_BYTES - 2000), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(grants, [WINDOW_UPDATE_THRESHOLD_BYTES]);
  });
});
