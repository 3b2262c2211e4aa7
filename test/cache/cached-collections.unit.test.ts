import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentReadableScope, cachedTargetOf } from '../../src/cache/cached-collections.ts';

describe('which collections a shared watch may cover', () => {
  const cases: [string, ReturnType<typeof agentReadableScope>][] = [
    ['/api/v1/namespaces/team-a/pods', { resource: 'pods', namespace: 'team-a' }],
    ['/api/v1/pods', { resource: 'pods', namespace: undefined }],
    ['/api/v1/nodes', { resource: 'nodes', namespace: undefined }],
    ['/api/v1/namespaces', { resource: 'namespaces', namespace: undefined }],
    ['/api/v1/namespaces/team-a/configmaps', undefined],
    ['/api/v1/namespaces/team-a/secrets', undefined],
    ['/apis/apps/v1/namespaces/team-a/deployments', undefined],
    ['/api/v1/namespaces/team-a/pods/web', undefined],
    ['/api/v1/namespaces/Team_A/pods', undefined],
  ];
  for (const [path, expected] of cases) {
    test(`${path} -> ${expected ? `${expected.resource} in ${expected.namespace ?? 'all namespaces'}` : 'its own watch'}`, () => {
      assert.deepEqual(agentReadableScope(path), expected);
    });
  }
});

describe('which list paths a cache answers', () => {
  test('pods across the cluster or in one namespace, nodes and namespaces; nothing else', () => {
    assert.deepEqual(cachedTargetOf('/api/v1/pods'), { collection: 'pods', namespace: undefined });
    assert.deepEqual(cachedTargetOf('/api/v1/namespaces/shop/pods'), {
      collection: 'pods',
      namespace: 'shop',
    });
    assert.deepEqual(cachedTargetOf('/api/v1/nodes'), { collection: 'nodes', namespace: undefined });
    assert.deepEqual(cachedTargetOf('/api/v1/namespaces'), {
      collection: 'namespaces',
      namespace: undefined,
    });
    assert.equal(cachedTargetOf('/api/v1/namespaces/shop/nodes'), undefined, 'nodes are not namespaced');
    assert.equal(cachedTargetOf('/api/v1/namespaces/shop/configmaps'), undefined);
    assert.equal(cachedTargetOf('/apis/apps/v1/deployments'), undefined);
  });
});
