import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLUSTER_ID_PATTERN,
  formatAgentCredential,
  formatRegistrationToken,
  hashSecret,
  newAgentCredential,
  newClusterId,
  newRegistrationToken,
  parseAgentCredential,
  parseAgentSecret,
  parseRegistrationToken,
  sameHash,
} from '../../src/clusters/registration-token.ts';

const clusterId = 'c-abc123xyz0';
const secret = `${'A'.repeat(42)}_`;

describe('registration tokens are <clusterId>.<secret>', () => {
  test('a new token formats and parses back to itself', () => {
    const token = newRegistrationToken(newClusterId());
    assert.deepEqual(parseRegistrationToken(formatRegistrationToken(token)), token);
  });

  test('new cluster ids are valid DNS labels of the documented shape, and differ', () => {
    const ids = new Set(Array.from({ length: 50 }, newClusterId));
    assert.equal(ids.size, 50);
    for (const id of ids) assert.match(id, CLUSTER_ID_PATTERN);
  });

  test('a new secret is 32 random bytes in base64url (43 characters)', () => {
    const { secret } = newRegistrationToken(clusterId);
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
  });

  test('the secret is everything after the first dot', () => {
    assert.deepEqual(parseRegistrationToken(`${clusterId}.${secret}`), { clusterId, secret });
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['no dot', `${clusterId}${secret}`],
    ['no secret', `${clusterId}.`],
    ['no cluster id', `.${secret}`],
    ['a secret of 42 characters', `${clusterId}.${secret.slice(1)}`],
    ['a secret of 44 characters', `${clusterId}.${secret}A`],
    ['a secret with base64 padding', `${clusterId}.${secret.slice(1)}=`],
    ['a secret in standard base64', `${clusterId}.${secret.slice(1)}+`],
    ['a secret with a second dot', `${clusterId}.${secret.slice(1)}.`],
    ['a cluster id in upper case', `C-ABC123XYZ0.${secret}`],
    ['a cluster id of 11 characters after c-', `c-abc123xyz01.${secret}`],
    ['surrounding whitespace', ` ${clusterId}.${secret}`],
    ['a bearer prefix left on', `Bearer ${clusterId}.${secret}`],
    ['more than 100 characters', `${clusterId}.${secret}${'A'.repeat(50)}`],
  ];
  for (const [name, text] of malformed) {
    test(`${name} is not a token`, () => assert.equal(parseRegistrationToken(text), undefined));
  }
});

describe('agent credentials are <clusterId>.agent.<secret>', () => {
  test('a new credential formats and parses back to itself, with a fresh 256-bit secret', () => {
    const credential = newAgentCredential(clusterId);
    const text = formatAgentCredential(credential);
    assert.match(text, /^c-abc123xyz0\.agent\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(parseAgentCredential(text), credential);
    assert.equal(Buffer.from(credential.secret, 'base64url').length, 32);
    assert.notEqual(newAgentCredential(clusterId).secret, credential.secret);
  });

  test('the two kinds never parse as each other', () => {
    const token = `${clusterId}.${secret}`;
    const credential = `${clusterId}.agent.${secret}`;
    assert.equal(parseRegistrationToken(credential), undefined);
    assert.equal(parseAgentCredential(token), undefined);
    assert.deepEqual(parseAgentSecret(token), { kind: 'registration token', clusterId, secret });
    assert.deepEqual(parseAgentSecret(credential), { kind: 'agent credential', clusterId, secret });
  });

  test('a credential names its cluster, which is where it is looked up', () => {
    const other = 'c-0000000000';
    assert.equal(parseAgentSecret(`${other}.agent.${secret}`)?.clusterId, other);
  });

  const malformed: [string, string][] = [
    ['another infix', `${clusterId}.agents.${secret}`],
    ['the infix in upper case', `${clusterId}.AGENT.${secret}`],
    ['no cluster id', `.agent.${secret}`],
    ['a secret of 42 characters', `${clusterId}.agent.${secret.slice(1)}`],
    ['a secret with a dot', `${clusterId}.agent.${secret.slice(2)}.x`],
    ['a bearer prefix left on', `Bearer ${clusterId}.agent.${secret}`],
    ['more than 100 characters', `${clusterId}.agent.${secret}${'A'.repeat(40)}`],
  ];
  for (const [name, text] of malformed) {
    test(`${name} is not a credential`, () => {
      assert.equal(parseAgentCredential(text), undefined);
      assert.equal(parseAgentSecret(text), undefined);
    });
  }
});

describe('secrets are stored as their SHA-256', () => {
  test('the hash is the hex SHA-256 of the secret', () => {
    assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  const cases: [string, string, string, boolean][] = [
    ['the same hash', hashSecret(secret), hashSecret(secret), true],
    ['hashes of different secrets', hashSecret(secret), hashSecret(`${secret}x`), false],
    ['hashes that differ in the last digit', 'ab'.repeat(32), `${'ab'.repeat(31)}ac`, false],
    ['a hash and a prefix of it', hashSecret(secret), hashSecret(secret).slice(0, 62), false],
    ['a hash and an empty string', hashSecret(secret), '', false],
    ['two strings that are not hex', 'not hex', 'zz', false],
    ['hex strings that differ after an odd digit', 'abc', 'abd', false],
  ];
  for (const [name, a, b, expected] of cases) {
    test(`${name} ${expected ? 'are' : 'are not'} the same`, () => assert.equal(sameHash(a, b), expected));
  }
});
