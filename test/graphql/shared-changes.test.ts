import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { Gateway } from '../../src/gateway.ts';
import { MAX_WHOLE_FRAMES } from '../../src/graphql/text-frames.ts';
import type { TestCluster } from '../harness/index.ts';
import { graphqlWsClient } from './people.ts';
import { collect } from './subscriber.ts';
import { type SubscriptionFleet, startSubscriptionFleet } from './subscription-fleet.ts';

let cluster: TestCluster;
let gateway: Gateway;
let adminToken: string;
let aliceToken: string;
const MAX_QUEUE = 20;

const CHANGES = `subscription Changes($filter: ResourceFilter) {
  resourceChanges(apiVersion: "v1", kind: "Pod", filter: $filter) { type clusterId object message cursor coalesced }
}`;

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

/** A merge patch straight to the apiserver as its admin (kubectl would take a process per change). */
function patchPod(namespace: string, name: string, patch: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.server}/api/v1/namespaces/${namespace}/pods/${name}`,
      {
        method: 'PATCH',
        ca: cluster.caPem,
        headers: {
          authorization: `Bearer ${cluster.tokens.admin}`,
          'content-type': 'application/merge-patch+json',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(patch));
  });
}

async function eventually<T>(read: () => T, expected: T, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (read() !== expected) {
    if (Date.now() > deadline) assert.fail(`${what}: ${String(read())}, expected ${String(expected)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The payloads of the `next` messages a socket receives, exactly as the bytes arrived. */
function rawPayloads(socket: { on(event: 'message', listener: (data: Buffer) => void): unknown }): string[] {
  const payloads: string[] = [];
  socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (text.includes('"type":"next"')) payloads.push(text.slice(text.indexOf('"payload":')));
  });
  return payloads;
}

/**
 * Two sockets of one shared stream received the same payload bytes, cursor included, in the
 * same order: at least `least` messages, and as many as both have so far (the cluster's own
 * changes go on arriving, at one socket a moment before the other).
 */
function assertSameBytesSoFar(one: string[], other: string[], least: number): void {
  const common = Math.min(one.length, other.length);
  assert.ok(common >= least, `got ${one.length} and ${other.length} messages`);
  assert.deepEqual(other.slice(0, common), one.slice(0, common), 'the same payload bytes, cursor included');
}

/**
 * Patches the pod with a `warm` annotation until every subscription has received a change
 * carrying it: a subscription from now starts where its shared watch's list ended, so a
 * change made while that watch is being listed is not one it delivers, and a test counting
 * every change must start after that.
 */
async function warmUp(
  subscriptions: readonly { changes: { object?: unknown }[] }[],
  namespace: string,
  name: string,
): Promise<void> {
  const warmed = (s: (typeof subscriptions)[number]) =>
    s.changes.some((ch) => {
      const metadata = (ch.object as { metadata?: PodMetadata } | null)?.metadata;
      return metadata?.name === name && metadata.annotations?.warm !== undefined;
    });
  const deadline = Date.now() + 30_000;
  for (let round = 1; !subscriptions.every(warmed); round++) {
    if (Date.now() > deadline) assert.fail(`subscriptions not receiving changes of ${name} after 30 s`);
    await patchPod(namespace, name, { metadata: { annotations: { warm: String(round) } } });
    await new Promise((r) => setTimeout(r, 200));
  }
}

let fleet: SubscriptionFleet | undefined;

before(async () => {
  fleet = await startSubscriptionFleet('shc', ['coalesce'], MAX_QUEUE);
  ({ cluster, gateway, adminToken, aliceToken } = fleet);
});

after(async () => {
  await fleet?.stop();
});

describe('changes are executed and serialized once per access class', () => {
  test('two people the cluster lets watch the same pods share one stream and receive identical bytes', async () => {
    await createPods([pod('same-warm', 'team-a')]);
    // Both the admin and alice may watch pods in team-a: the same access class.
    const admin = graphqlWsClient(gateway, adminToken);
    const alice = graphqlWsClient(gateway, aliceToken);
    const adminChanges = collect(admin.client, CHANGES, { filter: { namespace: 'team-a' } });
    const aliceChanges = collect(alice.client, CHANGES, { filter: { namespace: 'team-a' } });
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 2, 'members');
    assert.equal(gateway.sharedWatches.feeds.size, 1, 'one shared stream');
    const adminBytes = rawPayloads(admin.sockets[0] as never);
    const aliceBytes = rawPayloads(alice.sockets[0] as never);
    await warmUp([adminChanges, aliceChanges], 'team-a', 'same-warm');
    await createPods([pod('same-1', 'team-a'), pod('same-2', 'team-a')]);
    const both = () =>
      [adminChanges, aliceChanges].every((s) =>
        s.changes.some((ch) => ch.object?.metadata?.name === 'same-2'),
      );
    await adminChanges.until(both);
    await aliceChanges.until(both);
    assertSameBytesSoFar(adminBytes, aliceBytes, 2);
    assert.ok(adminChanges.changes.every((ch) => ch.coalesced === false));
    await admin.client.dispose();
    await alice.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.size, 0, 'shared streams after both left');
  });

  test('people of different access classes do not share, and nobody receives what they could not see', async () => {
    const admin = graphqlWsClient(gateway, adminToken);
    const alice = graphqlWsClient(gateway, aliceToken);
    // Every namespace: the cluster lets the admin watch that, not alice (only team-a).
    const adminEverywhere = collect(admin.client, CHANGES, {});
    const aliceEverywhere = collect(alice.client, CHANGES, {});
    await aliceEverywhere.until(() => aliceEverywhere.changes.some((ch) => ch.type === 'ERROR'));
    assert.match(aliceEverywhere.changes[0]?.message ?? '', /forbidden/);
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 1, 'members: the admin alone');
    await createPods([pod('secret', 'team-b')]);
    await adminEverywhere.until(() =>
      adminEverywhere.changes.some((ch) => ch.object?.metadata?.name === 'secret'),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(
      !aliceEverywhere.changes.some((ch) => ch.object),
      `alice saw ${JSON.stringify(aliceEverywhere.changes.map((ch) => ch.object?.metadata?.name))}`,
    );
    await admin.client.dispose();
    await alice.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.size, 0, 'shared streams after both left');
  });
});

interface PodMetadata {
  readonly name: string;
  readonly resourceVersion: string;
  readonly annotations?: Record<string, string>;
}

describe('shared deliveries written beside shared bytes', () => {
  test('every subscriber, several on one socket among them, gets every change exactly once and in order under its own operation id', async () => {
    const names = ['order-0', 'order-1', 'order-2'];
    const one = graphqlWsClient(gateway, adminToken);
    const two = graphqlWsClient(gateway, aliceToken);
    const filter = { filter: { namespace: 'team-a' } };
    await createPods(names.map((name) => pod(name, 'team-a')));
    // Two operations on one socket (two ids, one connection) and one on another socket.
    const subscriptions = [
      collect(one.client, CHANGES, filter),
      collect(one.client, CHANGES, filter),
      collect(two.client, CHANGES, filter),
    ];
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 3, 'members');
    const ids = new Set<string>();
    one.sockets[0]?.on('message', (data: Buffer) => {
      const id = /^\{"id":"([^"]+)","type":"next"/.exec(data.toString('utf8'))?.[1];
      if (id) ids.add(id);
    });
    for (const name of names) await warmUp(subscriptions, 'team-a', name);
    const steps = 30;
    for (let step = 1; step <= steps; step++)
      await Promise.all(
        names.map((name) => patchPod('team-a', name, { metadata: { annotations: { step: String(step) } } })),
      );
    type Changes = (typeof subscriptions)[number]['changes'];
    const ofPod = (changes: Changes, name: string) =>
      changes.flatMap((ch) => {
        const metadata = (ch.object as { metadata?: PodMetadata } | null)?.metadata;
        return ch.type === 'MODIFIED' && metadata?.name === name ? [metadata] : [];
      });
    // The pods' own status changes may come between the patches: steps repeat then, never skip.
    const stepsOf = (changes: Changes, name: string) =>
      ofPod(changes, name)
        .map((metadata) => Number(metadata.annotations?.step ?? 0))
        .filter((step, i, all) => step > 0 && step !== all[i - 1]);
    for (const subscription of subscriptions)
      await subscription.until(() =>
        names.every((name) => stepsOf(subscription.changes, name).at(-1) === steps),
      );
    const expected = Array.from({ length: steps }, (_, i) => i + 1);
    for (const [i, subscription] of subscriptions.entries()) {
      assert.deepEqual(subscription.errors, [], `subscription ${i} not ended`);
      for (const name of names) {
        assert.deepEqual(stepsOf(subscription.changes, name), expected, `${name} for ${i}`);
        const versions = ofPod(subscription.changes, name).map((metadata) =>
          BigInt(metadata.resourceVersion),
        );
        assert.ok(
          versions.every((version, j) => j === 0 || version > (versions[j - 1] as bigint)),
          `${name} for ${i}: each version once, in order: ${versions.join(' ')}`,
        );
      }
      assert.ok(subscription.changes.every((ch) => ch.coalesced === false));
    }
    assert.equal(ids.size, 2, 'the socket carrying two operations got each one under its own id');
    await one.client.dispose();
    await two.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.size, 0, 'shared streams after all left');
  });
});

describe('whole frames shared by operation id', () => {
  test('members of different sockets with the same operation id get the same bytes, and members past the shared ids get theirs', async () => {
    const name = 'frames-0';
    const filter = { filter: { namespace: 'team-a' } };
    await createPods([pod(name, 'team-a')]);
    // Three sockets whose clients all call their operation "1" (as clients that number their
    // operations do), and one socket with more distinct ids than a change shares frames for.
    const same = [0, 1, 2].map(() => graphqlWsClient(gateway, adminToken, () => '1'));
    let n = 0;
    const many = graphqlWsClient(gateway, adminToken, () => `op-${++n}`);
    const sameSubscriptions = same.map((s) => collect(s.client, CHANGES, filter));
    const manySubscriptions = Array.from({ length: MAX_WHOLE_FRAMES + 2 }, () =>
      collect(many.client, CHANGES, filter),
    );
    const members = same.length + manySubscriptions.length;
    await eventually(() => gateway.sharedWatches.feeds.memberCount, members, 'members');
    const framesOf = same.map((s) => {
      const frames: string[] = [];
      s.sockets[0]?.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.includes('"type":"next"') && text.includes('"frames-step"')) frames.push(text);
      });
      return frames;
    });
    await warmUp([...sameSubscriptions, ...manySubscriptions], 'team-a', name);
    const steps = 5;
    for (let step = 1; step <= steps; step++)
      await patchPod('team-a', name, { metadata: { annotations: { 'frames-step': String(step) } } });
    const stepsOf = (changes: (typeof sameSubscriptions)[number]['changes']) =>
      changes
        .map((ch) => (ch.object as { metadata?: PodMetadata } | null)?.metadata)
        .filter((metadata) => metadata?.name === name)
        .map((metadata) => Number(metadata?.annotations?.['frames-step'] ?? 0))
        .filter((step, i, all) => step > 0 && step !== all[i - 1]);
    const expected = Array.from({ length: steps }, (_, i) => i + 1);
    for (const [i, subscription] of [...sameSubscriptions, ...manySubscriptions].entries()) {
      await subscription.until(() => stepsOf(subscription.changes).at(-1) === steps);
      assert.deepEqual(stepsOf(subscription.changes), expected, `subscription ${i}`);
      assert.deepEqual(subscription.errors, [], `subscription ${i} not ended`);
    }
    await eventually(() => framesOf.every((frames) => frames.length >= steps), true, 'raw frames');
    // The pod's own status changes may come too, to every socket alike: the first frames match.
    const first = framesOf.map((frames) => frames.slice(0, steps));
    for (const frames of first) {
      assert.ok(frames.every((frame) => frame.startsWith('{"id":"1","type":"next"')));
      assert.deepEqual(frames, first[0], 'the same bytes on every socket');
    }
    for (const s of [...same, many]) await s.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.size, 0, 'shared streams after all left');
  });
});

const EVENTS = `subscription Events($filter: EventFilter) {
  events(filter: $filter) { type clusterId object message cursor coalesced }
}`;

function event(name: string, namespace: string, reason: string) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace },
    reason,
    message: `${reason} happened`,
    type: 'Normal',
  };
}

describe('events subscriptions are shared like resource changes', () => {
  test('two people the cluster lets watch the events of a namespace share one stream and receive identical bytes', async () => {
    const admin = graphqlWsClient(gateway, adminToken);
    const alice = graphqlWsClient(gateway, aliceToken);
    const adminEvents = collect(admin.client, EVENTS, { filter: { namespace: 'team-a' } });
    const aliceEvents = collect(alice.client, EVENTS, { filter: { namespace: 'team-a' } });
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 2, 'members');
    assert.equal(gateway.sharedWatches.feeds.size, 1, 'one shared stream');
    const adminBytes = rawPayloads(admin.sockets[0] as never);
    const aliceBytes = rawPayloads(alice.sockets[0] as never);
    await createPods([event('shared-event', 'team-a', 'Shared')]);
    const seen = (changes: typeof adminEvents.changes) =>
      changes.some((ch) => ch.object?.metadata?.name === 'shared-event');
    await adminEvents.until(() => seen(adminEvents.changes));
    await aliceEvents.until(() => seen(aliceEvents.changes));
    assert.equal(aliceEvents.changes.find((ch) => ch.object)?.object?.reason, 'Shared');
    assertSameBytesSoFar(adminBytes, aliceBytes, 1);
    await admin.client.dispose();
    await alice.client.dispose();
    await eventually(() => gateway.sharedWatches.feeds.size, 0, 'shared streams after both left');
  });

  test('a person the cluster does not let watch events elsewhere gets no shared stream and none of them', async () => {
    const alice = graphqlWsClient(gateway, aliceToken);
    const aliceEvents = collect(alice.client, EVENTS, { filter: { namespace: 'team-b' } });
    await aliceEvents.until(() => aliceEvents.changes.some((ch) => ch.type === 'ERROR'));
    assert.match(aliceEvents.changes[0]?.message ?? '', /forbidden/);
    assert.equal(gateway.sharedWatches.feeds.memberCount, 0);
    await createPods([event('hidden-event', 'team-b', 'Hidden')]);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!aliceEvents.changes.some((ch) => ch.object), 'alice saw nothing of team-b');
    await alice.client.dispose();
  });
});

describe('a subscriber that falls behind', () => {
  test('gets the latest state of each object, marked coalesced, and is not ended', async () => {
    const names = ['c-0', 'c-1', 'c-2', 'c-3'];
    // Large pods, so that the changes pass what the kernel's socket buffers absorb.
    const payload = 'x'.repeat(100_000);
    await createPods(names.map((name) => pod(name, 'coalesce', { payload })));
    const fast = graphqlWsClient(gateway, adminToken);
    const slow = graphqlWsClient(gateway, adminToken);
    const fastChanges = collect(fast.client, CHANGES, { filter: { namespace: 'coalesce' } });
    const slowChanges = collect(slow.client, CHANGES, { filter: { namespace: 'coalesce' } });
    await eventually(() => gateway.sharedWatches.feeds.memberCount, 2, 'members');
    await patchPod('coalesce', 'c-0', { metadata: { annotations: { step: '0' } } });
    await Promise.all([
      fastChanges.until(() => fastChanges.changes.length > 0),
      slowChanges.until(() => slowChanges.changes.length > 0),
    ]);
    const tcp = (slow.sockets[0] as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const steps = 40;
    for (let step = 1; step <= steps; step++)
      await Promise.all(
        names.map((name) =>
          patchPod('coalesce', name, { metadata: { annotations: { step: String(step) } } }),
        ),
      );
    const last = (changes: typeof fastChanges.changes, name: string) =>
      changes.filter((ch) => ch.object?.metadata?.name === name).at(-1) as
        | { object: { metadata: { annotations?: Record<string, string> } }; coalesced: boolean }
        | undefined;
    const finished = (changes: typeof fastChanges.changes) =>
      names.every((name) => last(changes, name)?.object.metadata.annotations?.step === String(steps));
    await fastChanges.until(() => finished(fastChanges.changes), 60_000);
    tcp.resume();
    await slowChanges.until(() => finished(slowChanges.changes), 30_000);
    assert.deepEqual(slowChanges.errors, [], 'not ended');
    assert.ok(
      slowChanges.changes.length < fastChanges.changes.length,
      `the slow subscriber got ${slowChanges.changes.length} messages, the fast one ${fastChanges.changes.length}`,
    );
    assert.ok(
      slowChanges.changes.some((ch) => ch.coalesced === true),
      'what replaced skipped changes is marked',
    );
    assert.ok(fastChanges.changes.every((ch) => ch.coalesced === false));
    assert.equal(gateway.sharedWatches.feeds.memberCount, 2, 'both still served');
    await fast.client.dispose();
    await slow.client.dispose();
  });
});
