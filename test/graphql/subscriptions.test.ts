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
const MAX_QUEUE = 50;

/** A graphql-ws client whose WebSocket the test can reach (to stall it like a slow reader). */
function client(token: string) {
  return graphqlWsClient(gateway, token);
}

let fleet: SubscriptionFleet | undefined;

before(async () => {
  fleet = await startSubscriptionFleet('sub', ['live', 'resume', 'flood'], MAX_QUEUE);
  ({ cluster, gateway, adminToken, aliceToken } = fleet);
});

after(async () => {
  await fleet?.stop();
});

describe('GraphQL subscriptions', () => {
  test('a Deployment created with kubectl produces resource-change and event messages', async () => {
    const { client: c } = client(adminToken);
    const deployments = collect(c, CHANGES, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      filter: { namespace: 'live' },
    });
    const events = collect(
      c,
      'subscription { events(filter: {namespace: "live"}) { type clusterId object cursor } }',
    );
    await new Promise((r) => setTimeout(r, 500));
    await cluster.kubectlOk('admin', [
      'create',
      'deployment',
      'web',
      '-n',
      'live',
      '--image=registry.invalid/web:1',
      '--replicas=2',
    ]);
    await deployments.until(() =>
      deployments.changes.some((ch) => ch.type === 'ADDED' && ch.object?.metadata?.name === 'web'),
    );
    assert.equal(deployments.changes[0]?.clusterId, fleet?.agent.clusterId);
    await events.until(() => events.changes.some((ch) => ch.object?.reason === 'ScalingReplicaSet'));
    await c.dispose();
  });

  test('after a dropped connection, resuming from the last cursor delivers every change made in between', async () => {
    const first = client(adminToken);
    const before = collect(first.client, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'resume' },
    });
    await new Promise((r) => setTimeout(r, 500));
    await cluster.kubectlOk('admin', ['create', 'configmap', 'one', '-n', 'resume']);
    await before.until(() => before.changes.some((ch) => ch.object?.metadata?.name === 'one'));
    const cursor = before.changes.at(-1)?.cursor as string;
    // The subscriber's connection drops; changes happen while it is away.
    first.sockets[0]?.terminate();
    await cluster.kubectlOk('admin', ['create', 'configmap', 'two', '-n', 'resume']);
    await cluster.kubectlOk('admin', ['create', 'configmap', 'three', '-n', 'resume']);
    await cluster.kubectlOk('admin', ['delete', 'configmap', 'one', '-n', 'resume']);

    const second = client(adminToken);
    const resumed = collect(second.client, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'resume' },
      since: cursor,
    });
    await resumed.until(() => resumed.changes.length >= 3);
    assert.deepEqual(
      resumed.changes.slice(0, 3).map((ch) => [ch.type, ch.object?.metadata?.name]),
      [
        ['ADDED', 'two'],
        ['ADDED', 'three'],
        ['DELETED', 'one'],
      ],
    );
    await second.client.dispose();
    await first.client.dispose();
  });

  test('alice receives changes only where her downstream RBAC lets her watch', async () => {
    const { client: c } = client(aliceToken);
    const allowed = collect(c, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'team-a' },
    });
    const refused = collect(c, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'team-b' },
    });
    await refused.until(() => refused.changes.some((ch) => ch.type === 'ERROR'));
    assert.match(refused.changes[0]?.message ?? '', /forbidden/);
    await new Promise((r) => setTimeout(r, 300));
    await cluster.kubectlOk('admin', ['create', 'configmap', 'visible', '-n', 'team-a']);
    await cluster.kubectlOk('admin', ['create', 'configmap', 'hidden', '-n', 'team-b']);
    await allowed.until(() => allowed.changes.some((ch) => ch.object?.metadata?.name === 'visible'));
    assert.ok(!refused.changes.some((ch) => ch.object?.metadata?.name === 'hidden'));
    await c.dispose();
  });

  test('a subscriber that stops reading is ended with SUBSCRIBER_TOO_SLOW while a fast one keeps receiving', async () => {
    const fast = client(adminToken);
    const slow = client(adminToken);
    const fastChanges = collect(fast.client, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'flood' },
    });
    const slowChanges = collect(slow.client, CHANGES, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      filter: { namespace: 'flood' },
    });
    await new Promise((r) => setTimeout(r, 500));
    await cluster.kubectlOk('admin', ['create', 'configmap', 'warmup', '-n', 'flood']);
    await Promise.all([
      fastChanges.until(() => fastChanges.changes.length > 0),
      slowChanges.until(() => slowChanges.changes.length > 0),
    ]);
    // The slow subscriber's machine stops reading its socket.
    const tcp = (slow.sockets[0] as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const count = 400;
    const payload = 'x'.repeat(20_000);
    await cluster.kubectlOk('admin', ['apply', '-f', '-'], {
      timeoutMs: 120_000,
      stdin: stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: Array.from({ length: count }, (_, i) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `big-${i}`, namespace: 'flood' },
          data: { payload },
        })),
      }),
    });
    await fastChanges.until(
      () =>
        fastChanges.changes.filter((ch) => ch.object?.metadata?.name?.startsWith('big-')).length === count,
      60_000,
    );
    tcp.resume();
    await slowChanges.until(() => slowChanges.errors.length > 0, 30_000);
    assert.equal(
      slowChanges.errors[0]?.extensions?.code,
      'SUBSCRIBER_TOO_SLOW',
      JSON.stringify(slowChanges.errors),
    );
    assert.ok(slowChanges.changes.length < count, 'the slow subscriber did not get everything');
    await fast.client.dispose();
    await slow.client.dispose();
  });
});
