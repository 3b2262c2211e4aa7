import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { syntheticPod } from '../../bench/cached-object-memory.ts';
import { CompactItem, StringPool } from '../../src/cache/compact-item.ts';
import { ObjectCodec } from '../../src/cache/object-codec.ts';
import { kindProfile } from '../../src/kube/kind-fields.ts';

describe('cached objects stored compactly', () => {
  const profile = kindProfile('', 'pods');

  test('an object comes back exactly as stored, whatever the dictionary was made of', () => {
    const pool = new StringPool();
    for (const codec of [new ObjectCodec(syntheticPod(0)), new ObjectCodec(undefined)]) {
      for (const index of [1, 2, 999]) {
        const object = syntheticPod(index);
        const item = new CompactItem('c-1', object, profile, pool, codec);
        assert.deepEqual(item.object, object);
      }
    }
    const unlike = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ü-ñ', namespace: 'x' },
      data: { é: '✓' },
    };
    assert.deepEqual(
      new CompactItem('c-1', unlike, kindProfile('', 'configmaps'), pool, new ObjectCodec(syntheticPod(0)))
        .object,
      unlike,
    );
  });

  test('sort fields, labels and names are kept beside the object, and repeated strings once', () => {
    const pool = new StringPool();
    const codec = new ObjectCodec(syntheticPod(0));
    const a = new CompactItem('c-1', syntheticPod(7), profile, pool, codec);
    const b = new CompactItem('c-1', syntheticPod(14), profile, pool, codec);
    assert.equal(a.name, 'web-00007');
    assert.equal(a.namespace, 'team-7');
    assert.equal(a.createdAt, '2026-11-30T05:00:00Z');
    assert.deepEqual(a.labels, { app: 'web', shard: '0' });
    assert.deepEqual(a.values, ['Pending', 0, null, 0]);
    assert.ok(a.createdAt === b.createdAt && a.labels?.app === b.labels?.app);
  });

  test('a pod of about 1.5 KB of JSON is stored in a fraction of it', () => {
    const codec = new ObjectCodec(syntheticPod(0));
    const item = new CompactItem('c-1', syntheticPod(5), profile, new StringPool(), codec);
    assert.ok(item.storedBytes < JSON.stringify(syntheticPod(5)).length / 4, `${item.storedBytes} bytes`);
  });

  test('an item served in an answer decodes its object once, however many fields read it', () => {
    const item = new CompactItem(
      'c-1',
      syntheticPod(3),
      profile,
      new StringPool(),
      new ObjectCodec(undefined),
    );
    const served = item.view();
    assert.equal(served.object, served.object);
    assert.notEqual(item.object, item.object, 'the stored item itself keeps no decoded copy');
  });
});
