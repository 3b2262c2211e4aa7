// The answer budget as the schema charges it: every JSON field, each alias, compiled and
// interpreted, with the bytes a served cached item knows of its decoded object instead of
// serializing that object a second time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type ExecutionResult, getOperationAST, parse } from 'graphql';
import { CompactItem, StringPool } from '../../src/cache/compact-item.ts';
import { ObjectCodec } from '../../src/cache/object-codec.ts';
import { AnswerBudget, chargeJsonFields } from '../../src/graphql/answer-budget.ts';
import { CompiledQueries } from '../../src/graphql/compiled-queries.ts';
import { kindProfile } from '../../src/kube/kind-fields.ts';
import type { KubeObject } from '../../src/kube/objects.ts';
import { type ResourceItem, served } from '../../src/kube/resource-item.ts';

/** A ConfigMap whose JSON is a little over `bytes` long, with text that is not all ASCII. */
function configMap(name: string, bytes: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'big', labels: { app: 'snow\u2603' } },
    data: { blob: '\u00e9'.repeat(Math.ceil(bytes / 2)) },
  } as KubeObject;
}

const codec = new ObjectCodec(configMap('sample', 100));
const cached = (object: KubeObject) =>
  new CompactItem('c-1', object, kindProfile('', 'configmaps'), new StringPool(), codec);

/** Items, as a page serves them: cached ones decoded once, with their objects' bytes known. */
let pageItems: () => readonly ResourceItem[] = () => [];

const schema = chargeJsonFields(
  makeExecutableSchema({
    typeDefs: `
      scalar JSON
      type Item { name: String! object: JSON! labels: JSON note: JSON }
      type Query { items: [Item!]! }
    `,
    resolvers: {
      Query: { items: () => pageItems().map(served) },
      // `note` has no resolver of its own: the default one reads the item's property.
      Item: {
        object: (item: ResourceItem) => item.object,
        labels: (item: ResourceItem) => item.labels ?? {},
      },
    },
  }),
);

const queries = new CompiledQueries(schema);

/** Runs `query` twice, interpreted then compiled, each with a fresh budget of `maxBytes`. */
async function bothWays(query: string, maxBytes: number | undefined): Promise<ExecutionResult[]> {
  const document = parse(query);
  const results: ExecutionResult[] = [];
  for (let run = 0; run < 2; run++)
    results.push(
      await queries.execute({
        documentKey: query,
        document,
        operation: getOperationAST(document) ?? undefined,
        operationName: undefined,
        variables: {},
        contextValue: { answerBudget: maxBytes === undefined ? undefined : new AnswerBudget(maxBytes) },
      }),
    );
  assert.equal(queries.runs.compiled > 0, true, 'the second run was compiled');
  return results;
}

const codes = (result: ExecutionResult) => (result.errors ?? []).map((error) => error.extensions?.code);
const jsonOf = (object: unknown) => Buffer.byteLength(JSON.stringify(object));

describe('a served cached item knows the bytes of its decoded object', () => {
  test('they are the bytes of the object serialized again, non-ASCII text counted as UTF-8', () => {
    const object = configMap('one', 1_000);
    const item = served(cached(object));
    assert.equal(item.jsonBytesOf?.(item.object), jsonOf(object));
    assert.ok(jsonOf(object) > JSON.stringify(object).length, 'the object has multi-byte characters');
  });

  test('it knows nothing of a value it did not decode', () => {
    const item = served(cached(configMap('one', 10)));
    assert.equal(item.jsonBytesOf?.({}), undefined);
    assert.equal(item.jsonBytesOf?.(undefined), undefined);
    assert.equal(item.jsonBytesOf?.(item.labels), undefined);
  });
});

describe('the schema charges every JSON field to the answer budget', () => {
  const objects = [configMap('a', 3_000), configMap('b', 3_000), configMap('c', 3_000)];
  const twoObjects = jsonOf(objects[0]) + jsonOf(objects[1]);

  test('cached objects within the bound are answered whole, both ways', async () => {
    pageItems = () => objects.slice(0, 2).map(cached);
    for (const result of await bothWays('{ items { object } }', twoObjects)) {
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.deepEqual(
        ((result.data?.items ?? []) as { object: unknown }[]).map((item) => item.object),
        objects.slice(0, 2),
      );
    }
  });

  test('cached objects past the bound fail with ANSWER_TOO_LARGE, both ways', async () => {
    pageItems = () => objects.map(cached);
    for (const result of await bothWays('{ items { object } }', twoObjects)) {
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
      assert.equal(result.data, null);
    }
  });

  test('each alias of the same field is charged', async () => {
    pageItems = () => objects.slice(0, 1).map(cached);
    const one = jsonOf(objects[0]);
    for (const result of await bothWays('{ items { object } }', one)) assert.equal(result.errors, undefined);
    for (const result of await bothWays('{ items { object again: object } }', one))
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
    for (const result of await bothWays('{ items { object again: object } }', 2 * one))
      assert.equal(result.errors, undefined);
  });

  test('the bytes an item knows are charged instead of measuring the value', async () => {
    // An item that claims its small object is huge: the claim is what is charged.
    pageItems = () => [
      {
        clusterId: 'c-1',
        namespace: 'big',
        name: 'claims',
        createdAt: '',
        labels: undefined,
        object: { kind: 'ConfigMap' },
        jsonBytesOf: () => 1_000_000,
      },
    ];
    for (const result of await bothWays('{ items { object } }', 999_999))
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
  });

  test('items whose bytes are unknown (listed live) are measured, and pass the bound as cached ones do', async () => {
    pageItems = () =>
      objects.map((object) => ({
        clusterId: 'c-1',
        namespace: 'big',
        name: String(object.metadata?.name),
        createdAt: '',
        labels: undefined,
        object,
      }));
    for (const result of await bothWays('{ items { object } }', twoObjects))
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
    for (const result of await bothWays('{ items { object } }', twoObjects + jsonOf(objects[2])))
      assert.equal(result.errors, undefined);
  });

  test('a JSON field with no resolver of its own, and labels, are charged too', async () => {
    const note = { text: 'n'.repeat(500) };
    pageItems = () => [{ ...served(cached(objects[0] as KubeObject)), note } as ResourceItem];
    for (const result of await bothWays('{ items { note } }', jsonOf(note) - 1))
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
    for (const result of await bothWays('{ items { labels } }', 10))
      assert.deepEqual(codes(result), ['ANSWER_TOO_LARGE']);
    for (const result of await bothWays('{ items { note labels } }', jsonOf(note) + 40))
      assert.equal(result.errors, undefined);
  });

  test('an operation without a budget (a subscription message) is not charged', async () => {
    pageItems = () => objects.map(cached);
    for (const result of await bothWays('{ items { object } }', undefined))
      assert.equal(result.errors, undefined);
  });
});
