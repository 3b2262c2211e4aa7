import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiTokenRecord } from '../../src/auth/api-token-repository.ts';
import type { Cluster } from '../../src/clusters/cluster.ts';
import { decodeApiToken, encodeApiToken } from '../../src/management/kube-api-token-repository.ts';
import { decodeCluster, encodeCluster } from '../../src/management/kube-cluster-repository.ts';
import { decodeUser, encodeUser, userObjectName } from '../../src/management/kube-user-repository.ts';
import { decodeSecretRecord, encodeSecretRecord } from '../../src/management/secret-records.ts';

const hash = (c: string) => c.repeat(64);

describe('records and the objects of the management cluster', () => {
  test('a cluster with its hashed tokens and credentials comes back as it went, newest first', () => {
    const cluster: Cluster = {
      clusterId: 'c-abcdefghij',
      name: 'prod',
      state: 'Active',
      stateReason: 'agent connected',
      stateChangedAt: '2030-01-01T00:00:02.000Z',
      createdAt: '2030-01-01T00:00:00.000Z',
      kubernetesVersion: 'v1.35.4',
      agentVersion: '0.1.0',
      lastConnectedAt: '2030-01-01T00:00:02.000Z',
      health: 'ok',
      healthCheckedAt: '2030-01-01T00:00:03.000Z',
    };
    const older = {
      secretHash: hash('a'),
      createdAt: '2030-01-01T00:00:00.000Z',
      expiresAt: null,
      retiredAt: '2030-01-01T00:00:01.000Z',
      graceUntil: '2030-01-01T01:00:01.000Z',
      usedAt: '2030-01-01T00:00:01.000Z',
    };
    const newer = {
      ...older,
      secretHash: hash('b'),
      createdAt: '2030-01-01T00:00:01.000Z',
      retiredAt: null,
      graceUntil: null,
      usedAt: null,
    };
    const credential = {
      secretHash: hash('c'),
      createdAt: '2030-01-01T00:00:01.000Z',
      retiredAt: null,
      graceUntil: null,
    };
    const object = encodeCluster(cluster, [older, newer], [credential], 'replica-2');
    const entry = decodeCluster(JSON.parse(JSON.stringify(object)));
    assert.deepEqual(entry?.cluster, cluster);
    assert.equal(entry?.replica, 'replica-2');
    assert.deepEqual(entry?.tokens, [newer, older]);
    assert.deepEqual(entry?.credentials, [credential]);
  });

  test('a token keeps its hash, principal, session and revocation; never its secret, which it never had', () => {
    const token: ApiTokenRecord = {
      tokenId: '0123456789abcdef',
      secretHash: hash('d'),
      principalId: 'oidc:carol@example.test',
      principal: {
        principalId: 'oidc:carol@example.test',
        provider: 'oidc',
        name: 'carol@example.test',
        groups: ['ops'],
        isAdmin: true,
      },
      description: 'ci',
      kind: 'api',
      createdAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-02-01T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: '2030-01-02T00:00:00.000Z',
      sessionId: 'f'.repeat(32),
    };
    assert.deepEqual(decodeApiToken(JSON.parse(JSON.stringify(encodeApiToken(token)))), token);
  });

  test('user names that object names cannot carry get a digest as their object name, the same for the same name', () => {
    assert.match(userObjectName('carol_ops'), /^u-[0-9a-f]{40}$/);
    assert.equal(userObjectName('carol_ops'), userObjectName('carol_ops'));
    assert.notEqual(userObjectName('carol_ops'), userObjectName('carol-ops'));
    const user = {
      username: 'carol_ops',
      passwordHash: 'scrypt$x',
      isAdmin: false,
      groups: ['ops'],
      createdAt: 'now',
    };
    assert.deepEqual(decodeUser(encodeUser(user)), user);
  });

  test('an object without what a record needs is no record', () => {
    assert.equal(decodeCluster({ metadata: { name: 'c-abcdefghij' } }), undefined);
    assert.equal(decodeApiToken({ metadata: { name: 't' }, spec: { secretHash: 1 } } as never), undefined);
    assert.equal(decodeUser({ spec: { username: 'x' } } as never), undefined);
    assert.equal(
      decodeSecretRecord({ data: { 'record.json': Buffer.from('not json').toString('base64') } } as never),
      undefined,
    );
  });

  test('a record kept in a Secret is base64 JSON under one key', () => {
    const secret = encodeSecretRecord('fleetgate-x', 'fleetgate.dev/test', { a: 1 });
    assert.equal((secret as { type?: string }).type, 'fleetgate.dev/test');
    assert.deepEqual(decodeSecretRecord(secret), { a: 1 });
  });
});
