import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccessReviews } from '../../src/cache/access-reviews.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { ClusterList, ListRequest } from '../../src/graphql/cluster-lists.ts';
import { ClusterRateLimit } from '../../src/graphql/cluster-rate-limit.ts';
import { LiveLists } from '../../src/graphql/live-lists.ts';
import type { PersonIdentity } from '../../src/kube/identity.ts';
import { liveItem } from '../../src/kube/resource-item.ts';

const person = (user: string): PersonIdentity => ({ kind: 'person', user, groups: [], extra: {} });
const alice = person('alice');
const bob = person('bob');
const carol = person('carol');
const request: ListRequest = { clusterId: 'c-1', path: '/apis/apps/v1/namespaces/shop/deployments' };

/** The clusters' answers to "may X list deployments in shop?", as the reviews would give them. */
function reviewsSaying(allowed: Record<string, boolean | undefined>, asked: string[] = []): AccessReviews {
  return {
    mayList: async (
      identity: PersonIdentity,
      _clusterId: string,
      resource: string,
      namespace?: string,
      group?: string,
    ) => {
      asked.push(`${identity.user} ${group}/${resource} in ${namespace}`);
      return allowed[identity.user];
    },
  } as unknown as AccessReviews;
}

/** A list that answers when told to, counting how often it was made. */
function slowList() {
  let release: (answer: ClusterList) => void = () => {};
  const made: number[] = [];
  const make = () => {
    made.push(made.length);
    return new Promise<ClusterList>((resolve) => {
      release = resolve;
    });
  };
  return { made, make, release: (answer: ClusterList) => release(answer) };
}

const answer: ClusterList = { items: [liveItem('c-1', { metadata: { name: 'web', namespace: 'shop' } })] };

describe('identical live lists in flight are made once', () => {
  test('the same person asking twice at once makes one list', async () => {
    const lists = new LiveLists(reviewsSaying({}), new ClusterRateLimit(100));
    const list = slowList();
    const first = lists.list(alice, request, list.make);
    const second = lists.list(alice, request, list.make);
    await new Promise((r) => setImmediate(r));
    list.release(answer);
    assert.deepEqual(await Promise.all([first, second]), [answer, answer]);
    assert.equal(list.made.length, 1);
    assert.equal(lists.shared, 1);
  });

  test('another person shares it only after their own cluster says they may list that collection there', async () => {
    const asked: string[] = [];
    const lists = new LiveLists(reviewsSaying({ bob: true, carol: false }, asked), new ClusterRateLimit(100));
    const list = slowList();
    const own = slowList();
    const first = lists.list(alice, request, list.make);
    const bobs = lists.list(bob, request, list.make);
    const carols = lists.list(carol, request, own.make);
    await new Promise((r) => setTimeout(r, 5));
    list.release(answer);
    own.release({ error: new GatewayError('CLUSTER_FORBIDDEN', 'no', { clusterId: 'c-1' }) });
    const [a, b, c] = await Promise.all([first, bobs, carols]);
    assert.deepEqual([a, b], [answer, answer]);
    assert.ok(
      'error' in c && c.error.code === 'CLUSTER_FORBIDDEN',
      'carol made her own list and got its answer',
    );
    assert.equal(list.made.length, 1);
    assert.equal(own.made.length, 1);
    assert.deepEqual(asked.sort(), ['bob apps/deployments in shop', 'carol apps/deployments in shop']);
  });

  test('a failed list is not shared: who joined it makes their own', async () => {
    const lists = new LiveLists(reviewsSaying({ bob: true }), new ClusterRateLimit(100));
    const failing = slowList();
    const own = slowList();
    const first = lists.list(alice, request, failing.make);
    const bobs = lists.list(bob, request, own.make);
    await new Promise((r) => setTimeout(r, 5));
    failing.release({ error: new GatewayError('CLUSTER_FORBIDDEN', 'alice may not', { clusterId: 'c-1' }) });
    await new Promise((r) => setTimeout(r, 5));
    own.release(answer);
    assert.ok('error' in (await first));
    assert.deepEqual(await bobs, answer);
    assert.equal(own.made.length, 1);
  });
});

describe('a per-cluster rate limit on live lists', () => {
  test('a burst beyond the rate waits its turn, then one beyond two seconds is refused, and the counts say so', async () => {
    const limit = new ClusterRateLimit(2);
    await limit.take('c-1');
    await limit.take('c-1');
    const started = Date.now();
    await limit.take('c-1');
    assert.ok(Date.now() - started >= 400, 'the third waited about half a second');
    const pending = [limit.take('c-1'), limit.take('c-1'), limit.take('c-1'), limit.take('c-1')];
    const results = await Promise.allSettled([...pending, limit.take('c-1')]);
    const refused = results.filter((r) => r.status === 'rejected');
    assert.ok(refused.length >= 1);
    assert.ok(
      refused.every(
        (r) =>
          (r as PromiseRejectedResult).reason instanceof GatewayError &&
          (r as PromiseRejectedResult).reason.code === 'CLUSTER_THROTTLED',
      ),
    );
    assert.ok(limit.counts.delayed >= 1);
    assert.equal(limit.counts.refused, refused.length);
  });

  test('clusters have their own buckets', async () => {
    const limit = new ClusterRateLimit(1);
    await limit.take('c-1');
    const started = Date.now();
    await limit.take('c-2');
    assert.ok(Date.now() - started < 100);
  });
});
