import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentReadableScope, cachedTargetOf } from '../../src/cache/cached-collections.ts';

describe('which collections a shared watch may cover', () => {
  const cases: [string, ReturnType<typeof agentReadableScope>][] = [
    ['/api/v1/namespaces/team-a/pods', { resource: 'pods', namespace: 'team-a' }],
    ['/api/v1/pods', { resource: 'pods', namespace: undefined }],
    ['/api/v1/nodes', { resource: 'nodes', namespace: undefined }],
    ['/api/v1/namespaces', { resource: 'namespaces', namespace: undefined }],
    ['/api/v1/events', { resource: 'events', namespace: undefined }],
    ['/api/v1/namespaces/team-a/events', { resource: 'events', namespace: 'team-a' }],
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
  const core = (resource: string) => ({ group: '', version: 'v1', resource });
  test('any kind across the cluster or in one namespace, custom resources too', () => {
    assert.deepEqual(cachedTargetOf('/api/v1/pods'), { ref: core('pods'), namespace: undefined });
    assert.deepEqual(cachedTargetOf('/api/v1/namespaces/shop/pods'), {
      ref: core('pods'),
      namespace: 'shop',
    });
    assert.deepEqual(cachedTargetOf('/api/v1/nodes'), { ref: core('nodes'), namespace: undefined });
    assert.deepEqual(cachedTargetOf('/api/v1/namespaces'), { ref: core('namespaces'), namespace: undefined });
    assert.deepEqual(cachedTargetOf('/api/v1/namespaces/shop/configmaps'), {
      ref: core('configmaps'),
      namespace: 'shop',
    });
    assert.deepEqual(cachedTargetOf('/apis/apps/v1/deployments'), {
      ref: { group: 'apps', version: 'v1', resource: 'deployments' },
      namespace: undefined,
    });
    assert.deepEqual(cachedTargetOf('/apis/stable.example.com/v1beta1/namespaces/shop/crontabs'), {
      ref: { group: 'stable.example.com', version: 'v1beta1', resource: 'crontabs' },
      namespace: 'shop',
    });
  });

  test('secrets are never cached, cluster-scoped kinds not per namespace, and non-lists not at all', () => {
    assert.equal(cachedTargetOf('/api/v1/secrets'), undefined);
    assert.equal(cachedTargetOf('/api/v1/namespaces/shop/secrets'), undefined);
    assert.equal(cachedTargetOf('/api/v1/namespaces/shop/nodes'), undefined, 'nodes are not namespaced');
    assert.equal(cachedTargetOf('/api/v1/namespaces/shop/pods/web'), undefined);
    assert.equal(cachedTargetOf('/apis/apps/v1'), undefined);
    assert.equal(cachedTargetOf('/api/v1/namespaces/Shop/pods'), undefined);
  });
});
