import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { AnswerBudget } from '../../src/graphql/answer-budget.ts';

const refused = (error: unknown) => error instanceof GatewayError && error.code === 'ANSWER_TOO_LARGE';

describe('AnswerBudget', () => {
  test('objects whose JSON adds up to the bound pass, and the next byte is refused with ANSWER_TOO_LARGE', () => {
    const object = { data: 'x'.repeat(90) }; // {"data":"xxx…"} is 101 bytes
    const budget = new AnswerBudget(202);
    assert.equal(budget.charge(object), object);
    assert.equal(budget.charge(object), object);
    assert.throws(() => budget.charge({}), refused);
  });

  test('bytes are counted as UTF-8, not as characters', () => {
    const budget = new AnswerBudget(10);
    assert.throws(() => budget.charge('\u2603\u2603\u2603'), refused); // 2 quotes + 9 bytes
    assert.equal(new AnswerBudget(11).charge('\u2603\u2603\u2603'), '\u2603\u2603\u2603');
  });

  test('once spent, every further object is refused, however small', () => {
    const budget = new AnswerBudget(5);
    assert.throws(() => budget.charge({ big: 'enough' }), refused);
    assert.throws(() => budget.charge(null), refused);
    assert.throws(() => budget.charge(1), refused);
  });

  test('bytes the caller knows are charged as they are, without serializing the value', () => {
    const unserializable = {
      toJSON() {
        throw new Error('serialized');
      },
    };
    const budget = new AnswerBudget(100);
    assert.equal(budget.charge(unserializable, 60), unserializable);
    assert.throws(() => budget.charge(unserializable, 41), refused);
  });
});
