import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Drain } from '../../src/server/drain.ts';

describe('Drain', () => {
  test('settles at once when no stream is open', async () => {
    const drain = new Drain();
    drain.start();
    assert.equal(drain.draining, true);
    assert.equal(await drain.settle(60_000), 0);
  });

  test('waits for open streams to end by themselves before the deadline', async () => {
    const drain = new Drain();
    let endedByDrain = false;
    const forget = drain.track(() => {
      endedByDrain = true;
    });
    setTimeout(forget, 20);
    const started = Date.now();
    assert.equal(await drain.settle(60_000), 0);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(endedByDrain, false);
  });

  test('ends the streams still open at the deadline', async () => {
    const drain = new Drain();
    const ended: string[] = [];
    drain.track(() => ended.push('watch'));
    const forgetLogs = drain.track(() => ended.push('logs'));
    forgetLogs();
    assert.equal(await drain.settle(30), 1);
    assert.deepEqual(ended, ['watch']);
    assert.equal(drain.openStreams, 0);
  });
});
