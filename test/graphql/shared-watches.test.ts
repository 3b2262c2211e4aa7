import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { Gateway } from '../../src/gateway.ts';
import type { TestCluster } from '../harness/index.ts';
import { graphqlWsClient } from './people.ts';
import { CHANGES, collect } from './subscriber.ts';
import { type SubscriptionFleet, startSubscriptionFleet } from './subscription-fleet.ts';

let cluster: TestCluster;
let gateway: Gateway;
let adminToken: string;
let aliceToken: string;
const MAX_QUEUE = 5;

function pod(name: string, namespace: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, annotations },
    spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] },
  };
}

function createPods(pods: object[]) {
  return cluster.kubectlOk('admin', ['apply', '-f', '-'], {
    timeoutMs: 120_000,
    stdin: stringify({ apiVersion: 'v1', kind: 'List', items: pods }),
  });
}

/** Waits until `read` answers `expected` (other requests come and go on the tunnel). */
async function eventually<T>(read: () => T, expected: T, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== expected) {
    if (Date.now() > deadline) assert.fail(`${what}: ${String(read())}, expected ${String(expected)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pods = (namespace?: string) => ({ apiVersion: 'v1', kind: 'Pod', filter: { namespace } });

let fleet: SubscriptionFleet | undefined;

before(async () => {
  fleet = await startSubscriptionFleet('shw', ['shared', 'resume', 'flood'], MAX_QUEUE);
  ({ cluster, gateway, adminToken, aliceToken } = fleet);
});

after(async () => {
  await fleet?.stop();
});

describe('shared downstream watches', () => {
  test('two subscribers of the same pods share one downstream watch, which ends when the last leaves', async () => {
    await eventually(() => gateway.connections.streamCount(), 0, 'open streams before');
    const first = graphqlWsClient(gateway, adminToken);
    const second = graphqlWsClient(gateway, adminToken);
    const a = collect(first.client, CHANGES, pods('shared'));
    const b = collect(second.client, CHANGES, pods('shared'));
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 2, 'attached subscribers');
    assert.equal(gateway.sharedWatches.feeds.size, 1, 'one shared stream for the same document and class');
    assert.equal(gateway.sharedWatches.size, 1, 'shared watches');
    await createPods([pod('one', 'shared')]);
    await a.until(() => a.changes.some((ch) => ch.type === 'ADDED' && ch.object?.metadata?.name === 'one'));
    await b.until(() => b.changes.some((ch) => ch.type === 'ADDED' && ch.object?.metadata?.name === 'one'));
    // One downstream watch on the tunnel for both (the SSARs and discovery calls have ended).
    await eventually(() => gateway.connections.streamCount(), 1, 'open streams with two subscribers');

    await first.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 1, 'attached after one left');
    assert.equal(gateway.sharedWatches.size, 1);
    await second.client.dispose();
    await eventually(() => gateway.sharedWatches.size, 0, 'shared watches after both left');
    await eventually(() => gateway.connections.streamCount(), 0, 'open streams after both left');
  });

  test('a caller the access review refuses watches as themselves and receives nothing from the shared watch', async () => {
    const admin = graphqlWsClient(gateway, adminToken);
    const alice = graphqlWsClient(gateway, aliceToken);
    const adminTeamB = collect(admin.client, CHANGES, pods('team-b'));
    await eventually(() => gateway.sharedWatches.listenerCount, 1, 'admin attached');
    const aliceTeamB = collect(alice.client, CHANGES, pods('team-b'));
    const aliceEverywhere = collect(alice.client, CHANGES, pods());
    const aliceTeamA = collect(alice.client, CHANGES, pods('team-a'));
    await aliceTeamB.until(() => aliceTeamB.changes.some((ch) => ch.type === 'ERROR'));
    await aliceEverywhere.until(() => aliceEverywhere.changes.some((ch) => ch.type === 'ERROR'));
    assert.match(aliceTeamB.changes[0]?.message ?? '', /forbidden/);
    assert.match(aliceEverywhere.changes[0]?.message ?? '', /forbidden/);
    // Alice may watch pods in team-a: she shares that watch; team-b and everywhere she may not.
    await eventually(
      () => gateway.sharedWatches.listenerCount,
      2,
      'attached: admin in team-b, alice in team-a',
    );
    assert.equal(gateway.sharedWatches.size, 2);

    await createPods([pod('visible', 'team-a'), pod('hidden', 'team-b')]);
    await adminTeamB.until(() => adminTeamB.changes.some((ch) => ch.object?.metadata?.name === 'hidden'));
    await aliceTeamA.until(() => aliceTeamA.changes.some((ch) => ch.object?.metadata?.name === 'visible'));
    await new Promise((r) => setTimeout(r, 500));
    const seenByAlice = [aliceTeamA, aliceTeamB, aliceEverywhere].flatMap((s) =>
      s.changes.map((ch) => ch.object?.metadata?.name),
    );
    assert.ok(!seenByAlice.includes('hidden'), `alice saw ${JSON.stringify(seenByAlice)}`);
    await admin.client.dispose();
    await alice.client.dispose();
    await eventually(() => gateway.sharedWatches.size, 0, 'shared watches after both left');
  });

  test('a subscriber resuming from a cursor keeps its own watch and gets every change in between', async () => {
    const first = graphqlWsClient(gateway, adminToken);
    const live = collect(first.client, CHANGES, pods('resume'));
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 1, 'attached');
    await createPods([pod('before', 'resume')]);
    await live.until(() => live.changes.some((ch) => ch.object?.metadata?.name === 'before'));
    const cursor = live.changes.at(-1)?.cursor as string;
    await first.client.dispose();
    await createPods([pod('while-away', 'resume')]);

    const second = graphqlWsClient(gateway, adminToken);
    const resumed = collect(second.client, CHANGES, { ...pods('resume'), since: cursor });
    await resumed.until(() => resumed.changes.some((ch) => ch.object?.metadata?.name === 'while-away'));
    assert.equal(gateway.sharedWatches.listenerCount, 0, 'the resumed subscriber is not attached');
    await second.client.dispose();
  });

  test('a shared subscriber that stops reading is ended with SUBSCRIBER_TOO_SLOW while the other keeps receiving', async () => {
    const fast = graphqlWsClient(gateway, adminToken);
    const slow = graphqlWsClient(gateway, adminToken);
    const fastChanges = collect(fast.client, CHANGES, pods('flood'));
    const slowChanges = collect(slow.client, CHANGES, pods('flood'));
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 2, 'both attached');
    await createPods([pod('warmup', 'flood')]);
    await Promise.all([
      fastChanges.until(() => fastChanges.changes.length > 0),
      slowChanges.until(() => slowChanges.changes.length > 0),
    ]);
    const tcp = (slow.sockets[0] as unknown as { _socket: Socket })._socket;
    tcp.pause();
    // Large pods, so that the flood passes what the kernel's socket buffers absorb (about
    // 10 MB on loopback), and more distinct pods than the queue may hold (MAX_QUEUE):
    // coalescing keeps one change per pod, which is still too many. The client reads again
    // as soon as the gateway has let it go.
    const count = 100;
    const payload = 'x'.repeat(100_000); // twice in the pod: kubectl apply keeps a copy
    await createPods(Array.from({ length: count }, (_, i) => pod(`big-${i}`, 'flood', { payload })));
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 1, 'the slow subscriber let go', 60_000);
    tcp.resume();
    await fastChanges.until(
      () =>
        new Set(
          fastChanges.changes
            .filter((ch) => ch.type === 'ADDED' && ch.object?.metadata?.name?.startsWith('big-'))
            .map((ch) => ch.object?.metadata?.name),
        ).size === count,
      60_000,
    );
    await slowChanges.until(() => slowChanges.errors.length > 0, 30_000);
    assert.equal(
      slowChanges.errors[0]?.extensions?.code,
      'SUBSCRIBER_TOO_SLOW',
      JSON.stringify(slowChanges.errors),
    );
    assert.equal(gateway.sharedWatches.feeds.memberCount, 1, 'the slow subscriber was detached');
    await fast.client.dispose();
    await slow.client.dispose();
  });
});
