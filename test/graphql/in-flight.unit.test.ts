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

describe('with keepMs, a successful answer is reused for that long, and only that long', () => {
  test('a call made after the first settled, within keepMs, gets the kept answer without calling', async () => {
    const inFlight = new InFlight<string>({ keepMs: 60_000 });
    let calls = 0;
    const call = async () => `answer ${++calls}`;
    assert.equal(await inFlight.run('alice pods', call), 'answer 1');
    assert.equal(await inFlight.run('alice pods', call), 'answer 1');
    assert.equal(calls, 1);
    assert.equal(await inFlight.run('bob pods', call), 'answer 2', 'another key asks');
  });

  test('past keepMs the next call asks again', async () => {
    const inFlight = new InFlight<string>({ keepMs: 20 });
    let calls = 0;
    const call = async () => `answer ${++calls}`;
    assert.equal(await inFlight.run('k', call), 'answer 1');
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(await inFlight.run('k', call), 'answer 2');
  });

  test('failures and answers keepIf refuses are never kept', async () => {
    const inFlight = new InFlight<boolean | undefined>({ keepMs: 60_000 }, (answer) => answer !== undefined);
    await assert.rejects(
      inFlight.run('k', async () => {
        throw new Error('tunnel down');
      }),
    );
    assert.equal(await inFlight.run('k', async () => undefined), undefined, 'the cluster could not say');
    assert.equal(inFlight.keptCount, 0);
    assert.equal(await inFlight.run('k', async () => true), true);
    assert.equal(await inFlight.run('k', async () => false), true, 'the yes is kept');
  });

  test('at most maxKept answers are kept, the oldest dropped first', async () => {
    const inFlight = new InFlight<number>({ keepMs: 60_000, maxKept: 2 });
    for (const key of ['a', 'b', 'c']) await inFlight.run(key, async () => 1);
    assert.equal(inFlight.keptCount, 2);
    assert.equal(await inFlight.run('a', async () => 2), 2, 'a was dropped');
    assert.equal(await inFlight.run('c', async () => 2), 1, 'c is kept');
  });
});
