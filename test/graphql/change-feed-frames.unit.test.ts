import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ShareClass } from '../../src/graphql/change-stream.ts';
import {
  ChangeFeed,
  FAN_OUT_SLICE,
  type FeedMember,
  type SharedDelivery,
} from '../../src/graphql/shared-changes.ts';
import type { SharedWatches, SharedWatchListener } from '../../src/graphql/shared-watches.ts';

/** The one shared watch a feed attaches to, driven by the test instead of a cluster. */
function oneWatch(): { watches: SharedWatches; listener: () => SharedWatchListener } {
  let attached: SharedWatchListener | undefined;
  const watches = {
    attach: (_key: unknown, listener: SharedWatchListener) => {
      attached = listener;
      return () => {};
    },
  } as unknown as SharedWatches;
  return { watches, listener: () => attached as SharedWatchListener };
}

const SHARE_CLASS = {
  collections: [{ clusterId: 'c-aaaaaaaaaa', path: '/api/v1/namespaces/team-a/pods', scope: {} }],
} as unknown as ShareClass;
const PREFIX = Buffer.from('{"id":"1","type":"next","payload":');

/** A member that asks for its whole frame as it is handed a change, and keeps the change. */
class Member implements FeedMember {
  readonly frames: (Buffer | undefined)[] = [];
  readonly kept: SharedDelivery[] = [];
  joined(): void {}
  handBack(): void {}
  deliver(delivery: SharedDelivery): void {
    this.frames.push(delivery.wholeFrame('1', PREFIX, false));
    this.kept.push(delivery);
  }
}

describe('a change lets its whole frames go once every member has it', () => {
  test('members handed a change get its whole frame; asked afterwards (a slow socket) there is none', async () => {
    const { watches, listener } = oneWatch();
    const feed = new ChangeFeed(
      watches,
      SHARE_CLASS,
      (m) => JSON.stringify({ type: m.type }),
      () => {},
    );
    feed.start();
    // More members than one slice: the change is handed out over several turns of the loop.
    const members = Array.from({ length: FAN_OUT_SLICE + 10 }, () => new Member());
    for (const member of members) feed.add(member);
    listener().position('1');
    listener().change('MODIFIED', { metadata: { name: 'web', resourceVersion: '2' } } as never, 0);
    while (members.some((m) => m.frames.length === 0)) await new Promise((r) => setImmediate(r));
    const first = members[0]?.frames[0];
    assert.ok(first, 'a whole frame while the change is handed out');
    assert.ok(
      members.every((m) => m.frames[0] === first),
      'the same buffer for every member with id "1"',
    );
    const delivery = members.at(-1)?.kept[0] as SharedDelivery;
    assert.equal(delivery.wholeFrame('1', PREFIX, false), undefined);
    assert.equal(delivery.wholeFrame('1', PREFIX, true), undefined);
    feed.stop();
  });
});
