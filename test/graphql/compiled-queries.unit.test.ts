import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, getOperationAST, parse } from 'graphql';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { CompiledQueries, MAX_COMPILED_QUERIES } from '../../src/graphql/compiled-queries.ts';

const schema = makeExecutableSchema({
  typeDefs: `
    type Item { name: String! size: Int }
    type Query {
      items(first: Int!): [Item!]!
      failing: Item
      echo(text: String!): String!
    }
    type Mutation { touch: Boolean! }
  `,
  resolvers: {
    Query: {
      items: (_root: unknown, args: { first: number }) =>
        Array.from({ length: args.first }, (_, i) => ({ name: `item-${i}`, size: i % 3 ? i : null })),
      failing: () => {
        throw new GatewayError('CLUSTER_FORBIDDEN', 'cluster c-1: forbidden', { clusterId: 'c-1' });
      },
      echo: (_root: unknown, args: { text: string }) => args.text,
    },
    Mutation: { touch: () => true },
  },
});

function request(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  return {
    documentKey: query,
    document,
    operation: getOperationAST(document) ?? undefined,
    operationName: undefined,
    variables,
    contextValue: {},
  };
}

/** graphql-js's own answer, as JSON text. */
async function interpreted(query: string, variables?: Record<string, unknown>): Promise<string> {
  return JSON.stringify(await execute({ schema, document: parse(query), variableValues: variables }));
}

describe('queries run compiled, with the answers graphql-js gives', () => {
  test('a document runs compiled from its second use, and both answers are the same bytes', async () => {
    const queries = new CompiledQueries(schema);
    const query = 'query($n: Int!) { items(first: $n) { name size } }';
    const first = await queries.execute(request(query, { n: 5 }));
    assert.deepEqual(queries.runs, { compiled: 0, interpreted: 1 });
    const second = await queries.execute(request(query, { n: 5 }));
    assert.deepEqual(queries.runs, { compiled: 1, interpreted: 1 });
    assert.equal(JSON.stringify(first), await interpreted(query, { n: 5 }));
    assert.equal(JSON.stringify(second), JSON.stringify(first));
  });

  test('a resolver error keeps its message, path and extensions, beside the data', async () => {
    const queries = new CompiledQueries(schema);
    const query = '{ failing { name } echo(text: "ok") }';
    await queries.execute(request(query));
    const compiled = await queries.execute(request(query));
    assert.equal(queries.runs.compiled, 1);
    const expected = JSON.parse(await interpreted(query)) as {
      errors: { message: string; path: string[]; extensions: Record<string, unknown> }[];
    };
    assert.deepEqual(compiled.data, { failing: null, echo: 'ok' });
    const error = compiled.errors?.[0];
    assert.equal(error?.message, expected.errors[0]?.message);
    assert.deepEqual(error?.path, ['failing']);
    assert.deepEqual(error?.extensions, expected.errors[0]?.extensions);
    assert.equal(error?.extensions?.code, 'CLUSTER_FORBIDDEN');
  });

  test('invalid variables get graphql-js errors, and no data', async () => {
    const queries = new CompiledQueries(schema);
    const query = 'query($n: Int!) { items(first: $n) { name } }';
    await queries.execute(request(query, { n: 1 }));
    const answer = await queries.execute(request(query, { n: 'many' }));
    assert.equal(JSON.stringify(answer), await interpreted(query, { n: 'many' }));
    assert.equal(answer.data, undefined);
    assert.deepEqual(queries.runs, { compiled: 0, interpreted: 2 });
  });

  test('text in a document is data in the compiled code, never code', async () => {
    const queries = new CompiledQueries(schema);
    // Closes a string, a template placeholder and a comment, in every quoting graphql-jit could use.
    const text = [
      '"); globalThis.compiledPwned = 1; ("',
      '\\`$',
      '{globalThis.compiledPwned = 2}`',
      "'; //",
    ].join('');
    const query = `{ echo(text: ${JSON.stringify(text)}) a: echo(text: "x") }`;
    await queries.execute(request(query));
    const answer = await queries.execute(request(query));
    assert.equal(queries.runs.compiled, 1);
    assert.deepEqual(answer.data, { echo: text, a: 'x' });
    assert.equal((globalThis as Record<string, unknown>).compiledPwned, undefined);
  });

  test('mutations and introspection always run with graphql-js', async () => {
    const queries = new CompiledQueries(schema);
    for (let i = 0; i < 3; i++) {
      await queries.execute(request('mutation { touch }'));
      await queries.execute(request('{ __schema { queryType { name } } }'));
    }
    assert.deepEqual(queries.runs, { compiled: 0, interpreted: 6 });
    assert.equal(queries.size, 0);
  });

  test('introspection reached through a fragment or an inline fragment also runs with graphql-js', async () => {
    const queries = new CompiledQueries(schema);
    const throughFragments = [
      'query { ...F } fragment F on Query { __schema { queryType { name } } }',
      'query { ... on Query { __type(name: "Item") { name } } }',
    ];
    for (let i = 0; i < 3; i++) for (const query of throughFragments) await queries.execute(request(query));
    assert.deepEqual(queries.runs, { compiled: 0, interpreted: 6 });
    assert.equal(queries.size, 0);
  });

  test('compiled documents are bounded: the least recently used one is dropped', async () => {
    const queries = new CompiledQueries(schema);
    const kept = '{ echo(text: "kept") }';
    for (let i = 0; i < MAX_COMPILED_QUERIES + 50; i++) {
      const query = `{ echo(text: "${i}") }`;
      await queries.execute(request(query));
      await queries.execute(request(query));
      // Used often: stays while older ones go.
      await queries.execute(request(kept));
    }
    assert.equal(queries.size, MAX_COMPILED_QUERIES);
    const before = queries.runs.compiled;
    await queries.execute(request(kept));
    assert.equal(queries.runs.compiled, before + 1);
    // The first documents were dropped: each runs with graphql-js again (and is counted as seen once).
    const interpretedBefore = queries.runs.interpreted;
    await queries.execute(request('{ echo(text: "0") }'));
    assert.equal(queries.runs.interpreted, interpretedBefore + 1);
  });
});
