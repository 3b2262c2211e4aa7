import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { type PassthroughTarget, parsePassthroughTarget } from '../../src/proxy/passthrough-path.ts';

const clusterId = 'c-abc123xyz0';
const base = `/k8s/clusters/${clusterId}`;

describe('a passthrough target names a cluster and a path on its apiserver, unchanged', () => {
  const cases: [string, string, PassthroughTarget][] = [
    [
      'a path with a query',
      `${base}/api/v1/pods?watch=1&labelSelector=app%3Dweb`,
      { clusterId, path: '/api/v1/pods?watch=1&labelSelector=app%3Dweb' },
    ],
    ['the cluster root', `${base}/`, { clusterId, path: '/' }],
    ['the cluster id alone', base, { clusterId, path: '/' }],
    ['a query right after the cluster id', `${base}?timeout=32s`, { clusterId, path: '/?timeout=32s' }],
    [
      'an encoded character that is not a slash',
      `${base}/api/v1/namespaces/a%20b/pods`,
      { clusterId, path: '/api/v1/namespaces/a%20b/pods' },
    ],
    [
      'dots inside a segment',
      `${base}/apis/apps/v1/namespaces/x/deployments/a..b`,
      { clusterId, path: '/apis/apps/v1/namespaces/x/deployments/a..b' },
    ],
    ['three dots as a segment', `${base}/api/v1/.../x`, { clusterId, path: '/api/v1/.../x' }],
    ['an empty segment in the middle', `${base}/api//v1`, { clusterId, path: '/api//v1' }],
    [
      'dot segments and encoded slashes in the query, which is not a path',
      `${base}/api/v1/pods?x=../%2F..`,
      { clusterId, path: '/api/v1/pods?x=../%2F..' },
    ],
  ];
  for (const [name, target, expected] of cases) {
    test(name, () => assert.deepEqual(parsePassthroughTarget(target), expected));
  }

  test('a target outside /k8s/clusters/ is not a passthrough request', () => {
    for (const target of [
      '/graphql',
      '/k8s/clusters',
      '/K8S/clusters/c-abc123xyz0/api',
      '/x/k8s/clusters/c-abc123xyz0/',
    ])
      assert.equal(parsePassthroughTarget(target), undefined, target);
  });
});

/** Asserts the Status the passthrough answers with. */
function assertRefused(target: string, code: number, message: RegExp): void {
  assert.throws(
    () => parsePassthroughTarget(target),
    (error: unknown) => {
      assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${error}`);
      assert.equal(error.httpStatus, code);
      assert.equal(error.reason, code === 404 ? 'NotFound' : 'BadRequest');
      assert.match(error.message, message);
      return true;
    },
  );
}

describe('a cluster id that is not exactly an id is unknown (404)', () => {
  const cases: [string, string][] = [
    ['an empty id', '/k8s/clusters/'],
    ['an empty id before the path', '/k8s/clusters//api'],
    ['an id one character short', '/k8s/clusters/c-abc123xyz/api'],
    ['an id one character long', '/k8s/clusters/c-abc123xyz01/api'],
    ['an id in upper case', '/k8s/clusters/C-ABC123XYZ0/api'],
    ['an id with a dot segment after it', '/k8s/clusters/c-abc123xyz0../api'],
    ['an encoded id', '/k8s/clusters/c%2Dabc123xyz0/api'],
    ['an id followed by an encoded slash', '/k8s/clusters/c-abc123xyz0%2Fapi'],
    ['an id with a matrix parameter', '/k8s/clusters/c-abc123xyz0;x=1/api'],
    ['a dot segment instead of an id', '/k8s/clusters/../api'],
  ];
  for (const [name, target] of cases) {
    test(`${name}: ${target}`, () => assertRefused(target, 404, /^no cluster "/));
  }

  test('the id shown in the message is cut to 64 characters', () => {
    assertRefused(`/k8s/clusters/${'x'.repeat(100)}`, 404, new RegExp(`^no cluster "${'x'.repeat(64)}"$`));
  });
});

describe('paths that could be read as another path are refused (400)', () => {
  const dots = /dot segments are not allowed/;
  const slashes = /encoded slashes and backslashes are not allowed/;
  const cases: [string, string, RegExp][] = [
    ['a .. segment', '/api/v1/../../version', dots],
    ['a . segment', '/api/./v1/pods', dots],
    ['a trailing ..', '/api/v1/..', dots],
    ['a .. right after the cluster id', '/..', dots],
    ['%2e%2e', '/api/v1/%2e%2e/x', dots],
    ['%2E%2E in upper case', '/api/v1/%2E%2E/x', dots],
    ['.%2e mixed', '/api/v1/.%2e/x', dots],
    ['%2e. mixed', '/api/v1/%2e./x', dots],
    ['%2e alone', '/api/%2e/v1', dots],
    ['an encoded slash', '/api/v1/namespaces/a%2fb/pods', slashes],
    ['an encoded slash in upper case', '/api/v1/namespaces/a%2Fb/pods', slashes],
    ['an encoded backslash', '/api/v1/namespaces/a%5Cb/pods', slashes],
    ['a raw backslash', '/api/v1\\..\\version', slashes],
    ['an encoded dot-dot-slash', '/api/..%2fversion', slashes],
    ['an empty first segment', '//evil.example/api', /empty path segment after the cluster id/],
  ];
  for (const [name, path, message] of cases) {
    test(`${name}: ${path}`, () => assertRefused(`${base}${path}`, 400, message));
  }
});
