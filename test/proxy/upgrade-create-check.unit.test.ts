import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { PersonIdentity } from '../../src/kube/identity.ts';
import type { AccessAttributes, KubeClient } from '../../src/kube/kube-client.ts';
import { authorizeUpgradeCreate, upgradeCreateReview } from '../../src/proxy/upgrade-create-check.ts';

const EXEC = '/api/v1/namespaces/work/pods/box/exec?command=sh&stdin=true&stdout=true';

function create(subresource: string, namespace: string | undefined = 'work'): AccessAttributes {
  return { verb: 'create', group: '', resource: 'pods', subresource, namespace, name: 'box' };
}

/** The review for every namespace: a path with none. */
const EXEC_ANYWHERE: AccessAttributes = { ...create('exec'), namespace: undefined };

describe('which upgrades the gateway reviews for create before forwarding them', () => {
  const cases: [string, string, string, AccessAttributes | undefined][] = [
    ['a WebSocket exec (a GET)', 'GET', EXEC, create('exec')],
    ['a WebSocket attach', 'GET', '/api/v1/namespaces/work/pods/box/attach?stdout=true', create('attach')],
    [
      'a WebSocket port-forward',
      'GET',
      '/api/v1/namespaces/work/pods/box/portforward?ports=80',
      create('portforward'),
    ],
    ['an SPDY exec (a POST, which the apiserver authorizes as create): none', 'POST', EXEC, undefined],
    ['an SPDY port-forward: none', 'POST', '/api/v1/namespaces/work/pods/box/portforward', undefined],
    ['a method spelt in lower case is no POST to the apiserver', 'post', EXEC, create('exec')],
    ['any other method', 'PUT', EXEC, create('exec')],
    [
      'a percent-encoded subresource, decoded as the apiserver decodes it',
      'GET',
      '/api/v1/namespaces/work/pods/box/%65xec',
      create('exec'),
    ],
    [
      'percent-encoded names are reviewed decoded',
      'GET',
      '/api/v1/namespaces/w%6Frk/pods/b%6Fx/exec',
      create('exec'),
    ],
    [
      'an empty segment does not hide the subresource',
      'GET',
      '/api/v1/namespaces/work/pods/box//exec',
      create('exec'),
    ],
    ['any case of the subresource', 'GET', '/api/v1/namespaces/work/pods/box/EXEC', create('exec')],
    ['a watch prefix', 'GET', '/api/v1/watch/namespaces/work/pods/box/exec', create('exec')],
    ['without a namespace: reviewed for every namespace', 'GET', '/api/v1/pods/box/exec', EXEC_ANYWHERE],
    ['a trailing slash', 'GET', '/api/v1/namespaces/work/pods/box/exec/', create('exec')],
    ['a pod log follow: none', 'GET', '/api/v1/namespaces/work/pods/box/log?follow=true', undefined],
    ['a pod itself: none', 'GET', '/api/v1/namespaces/work/pods/box', undefined],
    [
      'a pod proxy: none (not a pod connect subresource that runs anything)',
      'GET',
      '/api/v1/namespaces/work/pods/box/proxy/exec',
      undefined,
    ],
    [
      'another resource with an exec subresource: none',
      'GET',
      '/api/v1/namespaces/work/services/box/exec',
      undefined,
    ],
    [
      'pods of an API group: none (pods are core)',
      'GET',
      '/apis/example.com/v1/namespaces/work/pods/box/exec',
      undefined,
    ],
    ['"exec" in the query only: none', 'GET', '/api/v1/namespaces/work/pods/box?x=/exec', undefined],
    ['a non-resource path: none', 'GET', '/version', undefined],
  ];
  for (const [name, method, path, expected] of cases) {
    test(name, () => {
      assert.deepEqual(upgradeCreateReview(method, path), expected);
    });
  }

  test('a malformed percent-encoding is refused as bad input', () => {
    assert.throws(
      () => upgradeCreateReview('GET', '/api/v1/namespaces/work/pods/box/%zzexec'),
      (error: unknown) => error instanceof GatewayError && error.code === 'BAD_USER_INPUT',
    );
  });
});

describe('asking the cluster whether the person may create the subresource', () => {
  const person: PersonIdentity = { kind: 'person', user: 'local:reader', groups: [], extra: {} };
  const kubeAnswering = (answer: () => Promise<boolean>, asked: unknown[] = []) =>
    ({
      mayI: (target: unknown, attributes: unknown) => {
        asked.push({ target, attributes });
        return answer();
      },
    }) as unknown as KubeClient;

  test('asks once, as the person, and lets a yes through', async () => {
    const asked: unknown[] = [];
    await authorizeUpgradeCreate(
      kubeAnswering(async () => true, asked),
      'c-1',
      person,
      create('exec'),
      () => {},
    );
    assert.deepEqual(asked, [{ target: { clusterId: 'c-1', as: person }, attributes: create('exec') }]);
  });

  test('a no is a 403 Status naming the person and the create it needs', async () => {
    await assert.rejects(
      authorizeUpgradeCreate(
        kubeAnswering(async () => false),
        'c-1',
        person,
        create('exec'),
        () => {},
      ),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.httpStatus === 403 &&
        error.reason === 'Forbidden' &&
        error.clusterId === 'c-1' &&
        error.message.includes(
          'pods "box" is forbidden: User "local:reader" cannot create resource "pods/exec" in API group "" in the namespace "work"',
        ),
    );
  });

  test('a review that fails refuses too (fail closed), saying why', async () => {
    const seen: unknown[] = [];
    const failure = new GatewayError('CLUSTER_UNAVAILABLE', 'cluster c-1 is disconnected');
    await assert.rejects(
      authorizeUpgradeCreate(
        kubeAnswering(() => Promise.reject(failure)),
        'c-1',
        person,
        create('attach'),
        (error) => seen.push(error),
      ),
      (error: unknown) =>
        error instanceof GatewayError &&
        error.httpStatus === 403 &&
        /could not check that User "local:reader" may create resource "pods\/attach".*cluster c-1 is disconnected/.test(
          error.message,
        ),
    );
    assert.deepEqual(seen, [failure]);
  });
});
