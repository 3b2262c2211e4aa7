import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { GraphQLContext } from '../../src/graphql/context.ts';
import { collectionPath, discoveriesKept, MAX_DISCOVERIES } from '../../src/graphql/kind-paths.ts';
import type { PersonIdentity } from '../../src/kube/identity.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import type { ApiResourceList } from '../../src/kube/objects.ts';

type ResourceEntry = NonNullable<ApiResourceList['resources']>[number];
const resource = (name: string, kind: string, namespaced: boolean): ResourceEntry => ({
  name,
  kind,
  namespaced,
  singularName: '',
  verbs: ['list', 'get'],
});

/** A cluster's discovery answers, counted; `kinds` is what apps/v1 serves right now. */
function discoveryServer() {
  const state = {
    calls: 0,
    kinds: [resource('deployments', 'Deployment', true)],
    failing: false,
  };
  const kube = {
    async resources(target: { clusterId: string }, groupVersion: string): Promise<ApiResourceList> {
      state.calls++;
      if (state.failing)
        throw new GatewayError('CLUSTER_UNAVAILABLE', 'no tunnel', { clusterId: target.clusterId });
      return { groupVersion, resources: state.kinds } as ApiResourceList;
    },
  } as unknown as KubeClient;
  return { state, kube };
}

const person = (user: string): PersonIdentity => ({ kind: 'person', user, groups: ['team'], extra: {} });

/** A request's context: only what collectionPath reads. */
const contextOf = (kube: KubeClient, identity: PersonIdentity) =>
  ({ kube, identity }) as unknown as GraphQLContext;

describe('collection paths from discoveries shared across requests', () => {
  test('requests of one person reuse one discovery; another person has their own', async () => {
    const { state, kube } = discoveryServer();
    const alice = person('alice');
    for (let i = 0; i < 3; i++) {
      assert.equal(
        await collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Deployment', 'shop'),
        '/apis/apps/v1/namespaces/shop/deployments',
      );
    }
    assert.equal(state.calls, 1);
    await collectionPath(contextOf(kube, person('bob')), 'c-1', 'apps/v1', 'Deployment', null);
    assert.equal(state.calls, 2);
  });

  test('a kind missing from a reused discovery is asked for again, so a new kind is found at once', async () => {
    const { state, kube } = discoveryServer();
    const alice = person('alice');
    await collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Deployment', null);
    state.kinds = [...state.kinds, resource('widgets', 'Widget', false)];
    assert.equal(
      await collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Widget', 'shop'),
      '/apis/apps/v1/widgets',
    );
    assert.equal(state.calls, 2);
    await assert.rejects(
      collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Gadget', null),
      (error: GatewayError) => error.code === 'RESOURCE_NOT_FOUND' && error.clusterId === 'c-1',
    );
  });

  test('a failed discovery is not kept', async () => {
    const { state, kube } = discoveryServer();
    const alice = person('alice');
    state.failing = true;
    await assert.rejects(
      collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Deployment', null),
      (error: GatewayError) => error.code === 'CLUSTER_UNAVAILABLE',
    );
    state.failing = false;
    assert.equal(
      await collectionPath(contextOf(kube, alice), 'c-1', 'apps/v1', 'Deployment', null),
      '/apis/apps/v1/deployments',
    );
    assert.equal(state.calls, 2);
  });

  test('discoveries kept are bounded, however many clusters and people ask', async () => {
    const { kube } = discoveryServer();
    for (let i = 0; i < MAX_DISCOVERIES + 25; i++)
      await collectionPath(contextOf(kube, person(`p-${i % 7}`)), `c-${i}`, 'apps/v1', 'Deployment', null);
    assert.equal(discoveriesKept(kube), MAX_DISCOVERIES);
  });
});
