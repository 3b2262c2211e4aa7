import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type RequestInfo, requestInfo } from '../../src/proxy/request-info.ts';

// Expected values are what the apiserver's RequestInfoFactory makes of the same request
// (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go), so the audit log names the verb
// that the apiserver authorized.
const pods = { apiGroup: '', apiVersion: 'v1', resource: 'pods' };
const cases: [string, string, string, RequestInfo][] = [
  [
    'a list of namespaced objects',
    'GET',
    '/api/v1/namespaces/shop/pods',
    { verb: 'list', ...pods, namespace: 'shop' },
  ],
  ['a list across namespaces', 'GET', '/api/v1/pods?limit=500', { verb: 'list', ...pods }],
  [
    'a get',
    'GET',
    '/api/v1/namespaces/shop/pods/web',
    { verb: 'get', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'HEAD as a get',
    'HEAD',
    '/api/v1/namespaces/shop/pods/web',
    { verb: 'get', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'a watch by query',
    'GET',
    '/api/v1/namespaces/shop/pods?watch=true',
    { verb: 'watch', ...pods, namespace: 'shop' },
  ],
  ['a watch by watch=1', 'GET', '/api/v1/pods?resourceVersion=5&watch=1', { verb: 'watch', ...pods }],
  ['watch=false as a list', 'GET', '/api/v1/pods?watch=false', { verb: 'list', ...pods }],
  ['watch=0 as a list', 'GET', '/api/v1/pods?watch=0', { verb: 'list', ...pods }],
  ['watch=FALSE as a list', 'GET', '/api/v1/pods?watch=FALSE', { verb: 'list', ...pods }],
  [
    'any other watch value as a watch (watch=True)',
    'GET',
    '/api/v1/pods?watch=True',
    { verb: 'watch', ...pods },
  ],
  ['a bare watch parameter as a watch', 'GET', '/api/v1/pods?watch', { verb: 'watch', ...pods }],
  ['only the first watch parameter', 'GET', '/api/v1/pods?watch=0&watch=1', { verb: 'list', ...pods }],
  [
    'a parameter that only ends in watch as a list',
    'GET',
    '/api/v1/pods?allowWatchBookmarks=true&nowatch=1',
    { verb: 'list', ...pods },
  ],
  [
    'a watch by the /watch/ path prefix',
    'GET',
    '/api/v1/watch/namespaces/shop/pods',
    { verb: 'watch', ...pods, namespace: 'shop' },
  ],
  [
    'a watch of one object by path prefix',
    'GET',
    '/api/v1/watch/namespaces/shop/pods/web',
    { verb: 'watch', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'watch=true on a named object as the get it is',
    'GET',
    '/api/v1/namespaces/shop/pods/web?watch=true',
    { verb: 'get', ...pods, namespace: 'shop', name: 'web' },
  ],
  ['a create', 'POST', '/api/v1/namespaces/shop/pods', { verb: 'create', ...pods, namespace: 'shop' }],
  [
    'an update',
    'PUT',
    '/api/v1/namespaces/shop/pods/web',
    { verb: 'update', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'a patch',
    'PATCH',
    '/api/v1/namespaces/shop/pods/web',
    { verb: 'patch', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'a delete',
    'DELETE',
    '/api/v1/namespaces/shop/pods/web',
    { verb: 'delete', ...pods, namespace: 'shop', name: 'web' },
  ],
  [
    'a deletecollection',
    'DELETE',
    '/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb',
    { verb: 'deletecollection', ...pods, namespace: 'shop' },
  ],
  [
    'an exec subresource',
    'POST',
    '/api/v1/namespaces/shop/pods/web/exec?command=ls',
    { verb: 'create', ...pods, namespace: 'shop', name: 'web', subresource: 'exec' },
  ],
  [
    'a status subresource',
    'PUT',
    '/api/v1/namespaces/shop/pods/web/status',
    { verb: 'update', ...pods, namespace: 'shop', name: 'web', subresource: 'status' },
  ],
  [
    'logs, a get of a subresource',
    'GET',
    '/api/v1/namespaces/shop/pods/web/log?follow=true',
    { verb: 'get', ...pods, namespace: 'shop', name: 'web', subresource: 'log' },
  ],
  [
    'a grouped resource',
    'PATCH',
    '/apis/apps/v1/namespaces/shop/deployments/web/scale',
    {
      verb: 'patch',
      apiGroup: 'apps',
      apiVersion: 'v1',
      resource: 'deployments',
      namespace: 'shop',
      name: 'web',
      subresource: 'scale',
    },
  ],
  [
    'a cluster-scoped list',
    'GET',
    '/api/v1/nodes',
    { verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'nodes' },
  ],
  [
    'a cluster-scoped get',
    'GET',
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/admin',
    {
      verb: 'get',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
      resource: 'clusterroles',
      name: 'admin',
    },
  ],
  [
    'a node proxy',
    'GET',
    '/api/v1/nodes/n1/proxy/metrics',
    { verb: 'get', apiGroup: '', apiVersion: 'v1', resource: 'nodes', name: 'n1', subresource: 'proxy' },
  ],
  [
    'the list of namespaces',
    'GET',
    '/api/v1/namespaces',
    { verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'namespaces' },
  ],
  [
    'a namespace itself',
    'DELETE',
    '/api/v1/namespaces/shop',
    {
      verb: 'delete',
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'namespaces',
      namespace: 'shop',
      name: 'shop',
    },
  ],
  [
    'a namespace finalize subresource',
    'PUT',
    '/api/v1/namespaces/shop/finalize',
    {
      verb: 'update',
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'namespaces',
      namespace: 'shop',
      name: 'shop',
      subresource: 'finalize',
    },
  ],
  [
    'a namespace status subresource',
    'GET',
    '/api/v1/namespaces/shop/status',
    {
      verb: 'get',
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'namespaces',
      namespace: 'shop',
      name: 'shop',
      subresource: 'status',
    },
  ],
  ['the version', 'GET', '/version', { verb: 'get' }],
  ['a health check', 'GET', '/readyz?verbose', { verb: 'get' }],
  ['the root', 'GET', '/', { verb: 'get' }],
  ['API discovery (/api)', 'GET', '/api', { verb: 'get' }],
  ['core version discovery (/api/v1)', 'GET', '/api/v1', { verb: 'get' }],
  ['group discovery (/apis/apps)', 'GET', '/apis/apps', { verb: 'get' }],
  ['group version discovery (/apis/apps/v1)', 'GET', '/apis/apps/v1', { verb: 'get' }],
  ['an OpenAPI document', 'GET', '/openapi/v3/apis/apps/v1', { verb: 'get' }],
  ['a POST to a non-resource URL', 'POST', '/logs', { verb: 'post' }],
];

describe('what a request does, as the apiserver names it', () => {
  for (const [name, method, path, expected] of cases) {
    test(`${name}: ${method} ${path}`, () => {
      const info = requestInfo(method, path);
      // Drop the keys left undefined so that the table lists only what is set.
      assert.deepEqual(Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)), expected);
    });
  }
});
