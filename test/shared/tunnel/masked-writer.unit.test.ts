import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import * as wsModule from 'ws';
import { writeMaskedFrame } from '../../../src/shared/tunnel/masked-writer.ts';

interface Receiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
}
// ws's own parser, as a WebSocket server reads what a client sends (types: not exported).
const { Receiver } = wsModule as unknown as {
  Receiver: new (options: { isServer: boolean; binaryType: string }) => Receiver;
};

/** The messages a server-side ws parser reads from what writeMaskedFrame wrote. */
function roundTrip(frames: Buffer[]): { messages: Buffer[]; wire: Buffer } {
  const written: Buffer[] = [];
  const sink = {
    write(chunk: Buffer, callback?: (error?: Error | null) => void) {
      written.push(Buffer.from(chunk));
      callback?.();
      return true;
    },
  };
  for (const frame of frames) writeMaskedFrame(sink, frame, () => {});
  const receiver = new Receiver({ isServer: true, binaryType: 'nodebuffer' });
  const messages: Buffer[] = [];
  receiver.on('message', (data, isBinary) => {
    assert.equal(isBinary, true);
    messages.push(Buffer.from(data));
  });
  const wire = Buffer.concat(written);
  // The parser unmasks in place: it gets a copy, the test keeps the bytes as sent.
  receiver.write(Buffer.from(wire));
  return { messages, wire };
}

describe('tunnel frames masked in place', () => {
  test('frames of 5 bytes, 126 bytes and 64 KiB + 5 read back as the same binary messages', () => {
    const originals = [randomBytes(5), randomBytes(126), randomBytes(64 * 1024 + 5)];
    const { messages } = roundTrip(originals.map((b) => Buffer.from(b)));
    assert.deepEqual(messages, originals);
  });

  test('every message is masked, each with its own key', () => {
    const payload = Buffer.alloc(64, 0x41);
    const { wire } = roundTrip([Buffer.from(payload), Buffer.from(payload)]);
    // Two masked messages of 64 bytes: 2 + 4 bytes of header (mask bit set, then the key) each.
    assert.equal(wire.length, 2 * (6 + 64));
    const first = wire.subarray(0, 70);
    const second = wire.subarray(70);
    assert.equal((first[1] as number) & 0x80, 0x80);
    assert.equal((second[1] as number) & 0x80, 0x80);
    assert.notDeepEqual(first.subarray(2, 6), second.subarray(2, 6));
    assert.notDeepEqual(first.subarray(6), payload);
  });
});
