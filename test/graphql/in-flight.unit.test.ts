import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InFlight } from '../../src/graphql/in-flight.ts';

describe('identical calls in flight are made once, and nothing is kept after', () => {
  test('a call made while the same one runs gets its answer without calling again', async () => {
    const inFlight = new InFlight<number>();
    let calls = 0;
    let finish: (value: number) => void = () => {};
    const call = () => {
      calls++;
      return new Promise<number>((resolve) => {
        finish = resolve;
      });
    };
    const first = inFlight.run('alice pods', call);
    const second = inFlight.run('alice pods', call);
    assert.equal(calls, 1);
    finish(7);
    assert.deepEqual(await Promise.all([first, second]), [7, 7]);
  });

  test('once settled, the next call asks again', async () => {
    const inFlight = new InFlight<string>();
    let calls = 0;
    const call = async () => `answer ${++calls}`;
    assert.equal(await inFlight.run('k', call), 'answer 1');
    assert.equal(inFlight.size, 0);
    assert.equal(await inFlight.run('k', call), 'answer 2');
  });

  test('different keys never share, and a failure reaches every joiner and is not kept', async () => {
    const inFlight = new InFlight<string>();
    const failing = inFlight.run('alice', async () => {
      throw new Error('refused');
    });
    const joined = inFlight.run('alice', async () => 'never called');
    const other = inFlight.run('bob', async () => 'bob');
    await assert.rejects(failing, /refused/);
    await assert.rejects(joined, /refused/);
    assert.equal(await other, 'bob');
    assert.equal(await inFlight.run('alice', async () => 'asked again'), 'asked again');
  });
});
