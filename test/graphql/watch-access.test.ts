import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shareableScope } from '../../src/graphql/watch-access.ts';

describe('which collections a shared watch may cover', () => {
  const cases: [string, ReturnType<typeof shareableScope>][] = [
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
      assert.deepEqual(shareableScope(path), expected);
    });
  }
});
