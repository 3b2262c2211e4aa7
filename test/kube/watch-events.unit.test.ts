import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/kube/objects.ts';
import { MAX_WATCH_EVENT_BYTES, type WatchEvent, watchEvents } from '../../src/kube/watch-events.ts';

/** A body that delivers `chunks` one by one, as a socket would. */
const body = (chunks: readonly (string | Buffer)[]) =>
  Readable.from(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));

async function events(chunks: readonly (string | Buffer)[]): Promise<WatchEvent[]> {
  const seen: WatchEvent[] = [];
  for await (const event of watchEvents(body(chunks))) seen.push(event);
  return seen;
}

const line = (type: string, name: string) =>
  `${JSON.stringify({ type, object: { kind: 'Pod', metadata: { name } } })}\n`;

describe('watch events are read one per line, however the body is cut', () => {
  const two = line('ADDED', 'a') + line('DELETED', 'b');
  const cases: [string, string[]][] = [
    ['both lines in one chunk', [two]],
    ['one chunk per line', [line('ADDED', 'a'), line('DELETED', 'b')]],
    ['a line split in the middle', [two.slice(0, 10), two.slice(10)]],
    ['a newline arriving alone', [line('ADDED', 'a').trimEnd(), '\n', line('DELETED', 'b')]],
    ['one byte per chunk', [...two]],
    ['a line spread over three chunks', [two.slice(0, 5), two.slice(5, 20), two.slice(20)]],
  ];
  for (const [name, chunks] of cases) {
    test(name, async () => {
      const seen = await events(chunks);
      assert.deepEqual(
        seen.map((e) => [e.type, (e.object as KubeObject).metadata?.name]),
        [
          ['ADDED', 'a'],
          ['DELETED', 'b'],
        ],
      );
    });
  }

  test('a multi-byte character split between chunks is decoded whole', async () => {
    const bytes = Buffer.from(line('MODIFIED', 'café'));
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of é
    const [event] = await events([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.equal((event?.object as KubeObject | undefined)?.metadata?.name, 'café');
  });

  test('empty lines between events are skipped', async () => {
    const seen = await events([`\n${line('ADDED', 'a')}\n\n${line('BOOKMARK', 'b')}`]);
    assert.deepEqual(
      seen.map((e) => e.type),
      ['ADDED', 'BOOKMARK'],
    );
  });

  test('an ERROR event carries its Status', async () => {
    const status = { kind: 'Status', code: 410, message: 'too old resource version' };
    const text = JSON.stringify({ type: 'ERROR', object: status });
    const [event] = await events([`${text}\n`]);
    assert.deepEqual(event, { type: 'ERROR', object: status, bytes: Buffer.byteLength(text) });
  });

  test('a last line cut off by the end of the body is not an event', async () => {
    const seen = await events([line('ADDED', 'a'), line('ADDED', 'b').slice(0, 12)]);
    assert.equal(seen.length, 1);
  });
});

describe('malformed and oversized lines end the watch with an error', () => {
  const cases: [string, string, RegExp][] = [
    ['a line that is not JSON', 'not json\n', /malformed watch event: not JSON/],
    ['an unknown event type', '{"type":"SYNC","object":{}}\n', /malformed watch event/],
    ['a missing object', '{"type":"ADDED"}\n', /malformed watch event/],
    ['a null object', '{"type":"ADDED","object":null}\n', /malformed watch event/],
    ['a type that is not a string', '{"type":1,"object":{}}\n', /malformed watch event/],
    ['a line that is JSON null', 'null\n', /malformed watch event/],
  ];
  for (const [name, text, expected] of cases) {
    test(`${name} is refused`, async () => {
      await assert.rejects(events([text]), expected);
    });
  }

  test('events before the bad line are delivered first', async () => {
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const event of watchEvents(body([line('ADDED', 'a'), 'oops\n']))) seen.push(event.type);
    }, /malformed watch event: not JSON/);
    assert.deepEqual(seen, ['ADDED']);
  });

  /** An ADDED event line of exactly `bytes` bytes, newline not counted. */
  const eventOfSize = (bytes: number) => {
    const frame = '{"type":"ADDED","object":{"padding":""}}';
    return Buffer.from(`${frame.slice(0, -3)}${'x'.repeat(bytes - frame.length)}"}}\n`);
  };

  test('a line of exactly 16 MiB is accepted, in one chunk or many', async () => {
    const text = eventOfSize(MAX_WATCH_EVENT_BYTES);
    assert.equal(text.length, MAX_WATCH_EVENT_BYTES + 1);
    assert.equal((await events([text])).length, 1);
    const cut = 1024 * 1024;
    assert.equal((await events([text.subarray(0, cut), text.subarray(cut)])).length, 1);
  });

  test('a line one byte over 16 MiB is refused, in one chunk', async () => {
    await assert.rejects(events([eventOfSize(MAX_WATCH_EVENT_BYTES + 1)]), /watch event larger than 16 MiB/);
  });

  test('a line one byte over 16 MiB is refused while it is still arriving, before its newline', async () => {
    const text = eventOfSize(MAX_WATCH_EVENT_BYTES + 1).subarray(0, -1);
    const chunks = [text.subarray(0, 8 * 1024 * 1024), text.subarray(8 * 1024 * 1024)];
    await assert.rejects(events(chunks), /watch event larger than 16 MiB/);
  });
});
