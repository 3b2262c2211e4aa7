import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readMessage, stringField } from '../../bench/subscriptions-messages.ts';

const KEYS = ['bench.fleetgate.io/seq', 'bench.fleetgate.io/phase', 'bench.fleetgate.io/sent-at'] as const;

/** A `next` message as the gateway writes it for a change of a pod. */
function next(
  type: string,
  annotations: Record<string, string>,
  id = '0b5c8e1a-3f0c-4d2e-9a51-5d6c1f2e7a90',
) {
  const object = {
    kind: 'Pod',
    metadata: {
      name: 'pod-1',
      annotations,
      managedFields: [
        { fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:bench.fleetgate.io/seq': {} } } } },
      ],
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  return Buffer.from(
    JSON.stringify({
      id,
      type: 'next',
      payload: { data: { resourceChanges: { type, object, message: null, cursor: 'c1' } } },
    }),
  );
}

describe('the lean bench client reads only what it measures', () => {
  test('a change of an object yields its three bench annotations without parsing the object', () => {
    const read = readMessage(
      next('MODIFIED', {
        'bench.fleetgate.io/seq': '17',
        'bench.fleetgate.io/phase': 'measure',
        'bench.fleetgate.io/sent-at': '1764500000123.456',
      }),
      KEYS,
    );
    assert.deepEqual(read, {
      kind: 'change',
      annotations: { seq: 17, phase: 'measure', sentAt: 1764500000123.456 },
    });
  });

  test('a change of an object without the annotations is a change with none (managed fields do not count)', () => {
    assert.deepEqual(readMessage(next('ADDED', {}), KEYS), { kind: 'change', annotations: undefined });
  });

  test('ERROR and GAP changes, errors and other messages are parsed whole', () => {
    const error = readMessage(next('ERROR', {}), KEYS);
    assert.equal(error.kind, 'other');
    assert.equal(
      error.kind === 'other' &&
        (error.message.payload as { data: { resourceChanges: { type: string } } }).data.resourceChanges.type,
      'ERROR',
    );
    assert.deepEqual(readMessage(Buffer.from('{"type":"connection_ack"}'), KEYS), {
      kind: 'other',
      message: { type: 'connection_ack' },
    });
    const refused = readMessage(
      Buffer.from(
        '{"id":"1","type":"error","payload":[{"message":"no","extensions":{"code":"TOO_MANY_REQUESTS"}}]}',
      ),
      KEYS,
    );
    assert.equal(refused.kind === 'other' && refused.message.type, 'error');
    assert.equal(
      readMessage(Buffer.from('{"id":"1"}'), KEYS).kind,
      'other',
      'a short message is not misread',
    );
  });

  test('a string field is read from the bytes up to its closing quote', () => {
    assert.equal(stringField(Buffer.from('{"a":"x","b":"yz"}'), 'b'), 'yz');
    assert.equal(stringField(Buffer.from('{"a":"x"}'), 'b'), undefined);
  });
});
