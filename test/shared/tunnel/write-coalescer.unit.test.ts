import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type Corkable,
  corkUntilTurnEnds,
  WriteCoalescer,
} from '../../../src/shared/tunnel/write-coalescer.ts';

/** A socket that records cork and uncork calls. */
function recordingSocket() {
  const calls: string[] = [];
  const socket: Corkable = {
    cork: () => calls.push('cork'),
    uncork: () => calls.push('uncork'),
  };
  return { socket, calls };
}

describe('writes of one turn of the event loop leave together', () => {
  test('holding many times in one turn corks once and uncorks once when the turn ends', async () => {
    const { socket, calls } = recordingSocket();
    const coalescer = new WriteCoalescer(socket);
    coalescer.hold();
    coalescer.hold();
    await Promise.resolve();
    coalescer.hold(); // a later microtask of the same turn
    assert.deepEqual(calls, ['cork']);
    await nextTurn();
    assert.deepEqual(calls, ['cork', 'uncork']);
  });

  test('the next turn corks again', async () => {
    const { socket, calls } = recordingSocket();
    const coalescer = new WriteCoalescer(socket);
    coalescer.hold();
    await nextTurn();
    coalescer.hold();
    await nextTurn();
    assert.deepEqual(calls, ['cork', 'uncork', 'cork', 'uncork']);
  });

  test('corkUntilTurnEnds says when the socket is uncorked', async () => {
    const { socket, calls } = recordingSocket();
    corkUntilTurnEnds(socket, () => calls.push('released'));
    process.nextTick(() => calls.push('next tick'));
    await nextTurn();
    assert.deepEqual(calls, ['cork', 'next tick', 'uncork', 'released']);
  });
});
