// The owner's side of a question between replicas (docs/replicas.md §6) is bounded in time
// and in size: a question that never ends, or an answer over 64 MiB, is refused before it
// can hold a stream or the owner's memory.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { encodeOwnerAnswer, readOwnerQuestion } from '../../src/graphql/owner-bounds.ts';
import {
  MAX_OWNER_ASK_BYTES,
  type OwnerAnswer,
  OwnerWireError,
  parseOwnerAnswer,
} from '../../src/graphql/owner-wire.ts';

describe("the owner reads a peer's question within bounds", () => {
  test('a question that never ends is refused once the read timeout passes', async () => {
    const stream = new PassThrough();
    stream.write('{"ask":"stats"');
    const started = performance.now();
    await assert.rejects(readOwnerQuestion(stream, 100), (error: Error) => {
      assert.ok(error instanceof OwnerWireError);
      assert.match(error.message, /within 100 ms/);
      return true;
    });
    assert.ok(performance.now() - started < 2_000);
  });

  test('a question sent whole is read whole', async () => {
    const stream = new PassThrough();
    stream.end('{"ask":"stats"}');
    assert.equal((await readOwnerQuestion(stream, 1_000)).toString(), '{"ask":"stats"}');
  });

  test('a question one byte over the size bound is refused; one at the bound is read', async () => {
    const over = new PassThrough();
    over.end(Buffer.alloc(MAX_OWNER_ASK_BYTES + 1, 0x20));
    await assert.rejects(readOwnerQuestion(over, 1_000), OwnerWireError);
    const at = new PassThrough();
    at.end(Buffer.alloc(MAX_OWNER_ASK_BYTES, 0x20));
    assert.equal((await readOwnerQuestion(at, 1_000)).length, MAX_OWNER_ASK_BYTES);
  });

  test('a stream that closes before its question is whole is not taken for a question', async () => {
    const stream = new PassThrough();
    stream.write('{"ask":');
    const read = readOwnerQuestion(stream, 1_000);
    stream.destroy();
    await assert.rejects(read);
  });
});

describe('the owner writes its answer within the answer bound', () => {
  const objectsAnswer = (count: number, bytes: number): OwnerAnswer => ({
    status: 'objects',
    items: Array.from({ length: count }, (_, index) =>
      index % 3 === 2
        ? null
        : { metadata: { name: `n-${index}`, namespace: 'ns' }, data: { blob: 'é'.repeat(bytes) } },
    ),
  });

  test('each kind of answer is written as JSON the asker parses back to the same answer', () => {
    const answers: [OwnerAnswer, Parameters<typeof parseOwnerAnswer>[1]][] = [
      [
        objectsAnswer(5, 10),
        { ask: 'objects', path: '/api/v1/pods', allowStale: false, names: Array(5).fill(['ns', 'x']) },
      ],
      [
        {
          status: 'window',
          keys: [['ns', 'a', '2026-01-01T00:00:00Z', 3, 'x']],
          totalCount: 4,
          afterCursor: 1,
          staleSince: null,
        },
        { ask: 'window', path: '/api/v1/pods', allowStale: false, sort: [['name', 'ASC']], first: 10 },
      ],
      [
        { status: 'window', keys: [], totalCount: 0, afterCursor: 0, staleSince: '2026-01-01T00:00:00.000Z' },
        { ask: 'window', path: '/api/v1/pods', allowStale: true, sort: [['name', 'ASC']], first: 10 },
      ],
      [
        {
          status: 'groups',
          groups: [
            ['Running', 3],
            ['Pending', 1],
          ],
          staleSince: null,
        },
        { ask: 'groups', path: '/api/v1/pods', allowStale: false, groupBy: ['phase'] },
      ],
      [{ status: 'live' }, { ask: 'stats' }],
      [{ status: 'error', code: 'FORBIDDEN', message: 'no' }, { ask: 'stats' }],
    ];
    for (const [answer, question] of answers) {
      const bytes = encodeOwnerAnswer(answer);
      assert.ok(bytes);
      assert.deepEqual(JSON.parse(bytes.toString('utf8')), JSON.parse(JSON.stringify(answer)));
      assert.deepEqual(parseOwnerAnswer(bytes, question), answer);
    }
  });

  test('an answer exactly at the bound is written; one byte over is refused', () => {
    const answer = objectsAnswer(4, 50);
    const exact = Buffer.byteLength(JSON.stringify(answer), 'utf8');
    assert.equal(encodeOwnerAnswer(answer, exact)?.length, exact);
    assert.equal(encodeOwnerAnswer(answer, exact - 1), undefined);
  });

  test('writing stops at the first item past the bound: an oversized page is never built whole', () => {
    let written = 0;
    const items = Array.from({ length: 1_000 }, () => ({
      toJSON() {
        written++;
        return { data: 'x'.repeat(1_000) };
      },
    }));
    const answer = { status: 'objects', items } as unknown as OwnerAnswer;
    assert.equal(encodeOwnerAnswer(answer, 10_000), undefined);
    assert.ok(written <= 10, `${written} items written for a 10,000-byte bound`);
  });
});
