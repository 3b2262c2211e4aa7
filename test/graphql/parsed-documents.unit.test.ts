import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSchema } from 'graphql';
import { ParsedDocuments } from '../../src/graphql/parsed-documents.ts';

const schema = buildSchema('type Query { hello: String } type Subscription { ticks: Int }');

describe('documents are parsed and validated once per text', () => {
  test('the same text gives the same document', () => {
    const documents = new ParsedDocuments(schema);
    const first = documents.parse('subscription { ticks }');
    if (!('kind' in first)) assert.fail('a document');
    assert.equal(documents.parse('subscription { ticks }'), first);
    assert.deepEqual(documents.validate(first), []);
  });

  test('a syntax error is answered as errors, an invalid document has its validation errors', () => {
    const documents = new ParsedDocuments(schema);
    const broken = documents.parse('subscription { ticks');
    assert.ok(Array.isArray(broken));
    assert.match(String(broken[0]?.message), /Syntax Error/);
    const unknown = documents.parse('subscription { nope }');
    if (!('kind' in unknown)) assert.fail('a document');
    assert.match(String(documents.validate(unknown)[0]?.message), /Cannot query field "nope"/);
  });
});
