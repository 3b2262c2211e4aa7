import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SOCKET_QUEUE_BYTES } from '../../../src/shared/tunnel/limits.ts';
import { SendScheduler } from '../../../src/shared/tunnel/send-scheduler.ts';

/** A socket that holds what is written until the test lets it drain. */
function fakeSocket() {
  const written: string[] = [];
  const unsent: { frame: Buffer; done: (error?: Error) => void }[] = [];
  let held = 0;
  return {
    written,
    write(frame: Buffer, done: (error?: Error) => void) {
      written.push(frame.toString('latin1', 0, Math.min(frame.length, 8)).trim());
      unsent.push({ frame, done });
      held += frame.length;
    },
    bytes: () => held,
    /** The oldest write leaves the process. */
    drainOne() {
      const next = unsent.shift();
      if (!next) return false;
      held -= next.frame.length;
      next.done();
      return true;
    },
  };
}

const frame = (label: string, size = 16) => Buffer.concat([Buffer.from(label.padEnd(8)), Buffer.alloc(size)]);

describe('the send scheduler keeps bulk data out of the socket so small frames go first', () => {
  test('urgent frames go to the socket at once, ahead of bulk frames queued before them', () => {
    const socket = fakeSocket();
    const scheduler = new SendScheduler(socket.write, socket.bytes);
    // Enough bulk to fill the socket's allowance and queue the rest.
    for (let i = 0; i < 4; i++) scheduler.bulk(frame(`bulk${i}`, SOCKET_QUEUE_BYTES / 2));
    assert.deepEqual(socket.written, ['bulk0', 'bulk1']);
    assert.equal(scheduler.queuedBytes, 2 * (8 + SOCKET_QUEUE_BYTES / 2));
    scheduler.urgent(frame('small'));
    assert.deepEqual(socket.written, ['bulk0', 'bulk1', 'small']);
    // As the socket drains, the queue follows in order.
    while (socket.drainOne());
    assert.deepEqual(socket.written, ['bulk0', 'bulk1', 'small', 'bulk2', 'bulk3']);
    assert.equal(scheduler.queuedBytes, 0);
  });

  test('a queued frame’s callback runs once it has left the process', () => {
    const socket = fakeSocket();
    const scheduler = new SendScheduler(socket.write, socket.bytes);
    const done: string[] = [];
    scheduler.bulk(frame('a', SOCKET_QUEUE_BYTES), () => done.push('a'));
    scheduler.bulk(frame('b', 16), () => done.push('b'));
    assert.deepEqual(done, []);
    socket.drainOne();
    assert.deepEqual(done, ['a']);
    socket.drainOne();
    assert.deepEqual(done, ['a', 'b']);
  });

  test('clearing drops the queue and tells every waiting writer', () => {
    const socket = fakeSocket();
    const scheduler = new SendScheduler(socket.write, socket.bytes);
    const errors: string[] = [];
    scheduler.bulk(frame('a', SOCKET_QUEUE_BYTES));
    scheduler.bulk(frame('b'), (error) => errors.push(error?.message ?? 'none'));
    scheduler.clear(new Error('tunnel is closed'));
    assert.deepEqual(errors, ['tunnel is closed']);
    assert.equal(scheduler.queuedBytes, 0);
    while (socket.drainOne());
    assert.deepEqual(socket.written, ['a'], 'nothing queued is written after the clear');
  });
});
