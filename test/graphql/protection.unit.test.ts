import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphQLError, parse } from 'graphql';
import { enforceDocumentLimits, GRAPHQL_LIMITS } from '../../src/graphql/protection.ts';

const { maxDepth, maxAliases, maxCost } = GRAPHQL_LIMITS;

/** Throws what enforceDocumentLimits throws, or returns undefined. */
function check(query: string, variables?: Record<string, unknown>): string | undefined {
  try {
    enforceDocumentLimits(parse(query), variables);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof GraphQLError, `expected a GraphQLError, got ${error}`);
    assert.deepEqual(error.extensions.http, { status: 400 });
    return `${error.extensions.code}: ${error.message}`;
  }
}

/** A selection `levels` fields deep: { a { a { ... leaf } } }. */
function nested(levels: number): string {
  let selection = 'leaf';
  for (let i = 1; i < levels; i++) selection = `a { ${selection} }`;
  return `{ ${selection} }`;
}

/** `count` aliased leaf fields. */
const aliased = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `f${i}: name`).join(' ')} }`;

/** A list of `first` items, each asking `fields` leaf fields: costs 1 + first * fields. */
const list = (first: string | number, fields: number) =>
  `pods(first: ${first}) { ${Array.from({ length: fields }, (_, i) => `x${i}`).join(' ')} }`;

describe('query depth', () => {
  const cases: [string, string, string | undefined][] = [
    [`${maxDepth} levels are allowed`, nested(maxDepth), undefined],
    [
      `${maxDepth + 1} levels are refused`,
      nested(maxDepth + 1),
      `QUERY_TOO_DEEP: query depth 11 exceeds ${maxDepth}`,
    ],
    [
      'levels reached through a fragment count',
      `{ ${'a { '.repeat(maxDepth - 1)}...F${' }'.repeat(maxDepth - 1)} } fragment F on T { b { c } }`,
      `QUERY_TOO_DEEP: query depth 11 exceeds ${maxDepth}`,
    ],
    [
      'an inline fragment adds no level',
      `{ ${'a { '.repeat(maxDepth - 1)}... on T { leaf }${' }'.repeat(maxDepth - 1)} }`,
      undefined,
    ],
  ];
  for (const [name, query, expected] of cases) {
    test(name, () => assert.equal(check(query), expected));
  }
});

describe('aliases', () => {
  const cases: [string, string, string | undefined][] = [
    [`${maxAliases} aliases are allowed`, aliased(maxAliases), undefined],
    [
      `${maxAliases + 1} aliases are refused`,
      aliased(maxAliases + 1),
      `TOO_MANY_ALIASES: 31 aliases exceed ${maxAliases}`,
    ],
    [
      'aliases in a fragment count once per spread',
      `{ a { ...F } b { ...F } } fragment F on T { ${aliased(16).slice(2, -2)} }`,
      `TOO_MANY_ALIASES: 32 aliases exceed ${maxAliases}`,
    ],
  ];
  for (const [name, query, expected] of cases) {
    test(name, () => assert.equal(check(query), expected));
  }
});

describe('cost: fields, with list fields weighted by the page size they ask for', () => {
  // 1 for the list field, then first * fields: 1 + 1000 * 49 = 49,001; 50 fields cost 50,001.
  const cases: [string, string, Record<string, unknown> | undefined, string | undefined][] = [
    [
      'a literal first just over the limit is refused',
      `{ ${list(1000, 50)} }`,
      undefined,
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    ],
    [
      'first as a variable costs its value',
      `query ($n: Int) { ${list('$n', 50)} }`,
      { n: 1000 },
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    ],
    ['first as a small variable is cheap', `query ($n: Int) { ${list('$n', 50)} }`, { n: 10 }, undefined],
    [
      'a variable default counts when the variable is not given',
      `query ($n: Int = 1000) { ${list('$n', 50)} }`,
      {},
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    ],
    [
      'a given variable overrides its default',
      `query ($n: Int = 1000) { ${list('$n', 50)} }`,
      { n: 1 },
      undefined,
    ],
    [
      'a missing variable without default costs the default page of 100',
      `query ($n: Int) { ${list('$n', 500)} }`,
      {},
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    ],
    [
      'a null first costs the default page of 100',
      `query ($n: Int) { ${list('$n', 499)} }`,
      { n: null },
      undefined,
    ],
    [
      'nested lists multiply',
      '{ pods(first: 100) { containers(first: 100) { a b c d e } } }',
      undefined,
      `QUERY_TOO_COSTLY: query cost 50101 exceeds ${maxCost}`,
    ],
  ];
  for (const [name, query, variables, expected] of cases) {
    test(name, () => assert.equal(check(query, variables), expected));
  }

  test(`a cost of exactly ${maxCost} is allowed`, () => {
    // 1 + 1000 * 49 + 999 unaliased leaves = 50,000.
    const leaves = Array.from({ length: 999 }, (_, i) => `y${i}`).join(' ');
    assert.equal(check(`{ ${list(1000, 49)} ${leaves} }`), undefined);
    assert.equal(
      check(`{ ${list(1000, 49)} ${leaves} extra }`),
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    );
  });

  test('a connection without first costs the schema default page of 100', () => {
    const fields = Array.from({ length: 500 }, (_, i) => `f${i}`).join(' ');
    assert.equal(
      check(`{ pods { edges { node { ${fields} } } } }`),
      `QUERY_TOO_COSTLY: query cost 50201 exceeds ${maxCost}`,
    );
    assert.equal(check(`{ pods(first: 10) { edges { node { ${fields} } } } }`), undefined);
  });

  test('a fragment that spreads itself is measured once, not forever', () => {
    assert.equal(check('{ a { ...F } } fragment F on T { b { ...F } }'), undefined);
  });

  test('each operation of a document is held to the limits', () => {
    assert.equal(
      check(`query Cheap { a } query Dear { ${list(1000, 50)} }`),
      `QUERY_TOO_COSTLY: query cost 50001 exceeds ${maxCost}`,
    );
  });
});
