import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiTokens, parseApiToken } from '../../src/auth/api-tokens.ts';

// Only the token format: issuing and verifying need the SQLite store and are tested with it.
const tokenId = '0123456789abcdef';
const secret = `${'Z'.repeat(42)}-`;

describe('API tokens are fgt.<tokenId>.<secret>', () => {
  test('a well-formed token parses into its id and secret', () => {
    assert.deepEqual(parseApiToken(`fgt.${tokenId}.${secret}`), { tokenId, secret });
  });

  const malformed: [string, string][] = [
    ['an empty string', ''],
    ['a JWT', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'],
    ['another prefix', `fgx.${tokenId}.${secret}`],
    ['a prefix in upper case', `FGT.${tokenId}.${secret}`],
    ['a token id of 15 characters', `fgt.${tokenId.slice(1)}.${secret}`],
    ['a token id of 17 characters', `fgt.${tokenId}0.${secret}`],
    ['a token id in upper case', `fgt.${tokenId.toUpperCase()}.${secret}`],
    ['a secret of 42 characters', `fgt.${tokenId}.${secret.slice(1)}`],
    ['a secret of 44 characters', `fgt.${tokenId}.${secret}A`],
    ['a secret with padding', `fgt.${tokenId}.${secret.slice(1)}=`],
    ['a secret in standard base64', `fgt.${tokenId}.${secret.slice(1)}/`],
    ['a trailing newline', `fgt.${tokenId}.${secret}\n`],
    ['a fourth part', `fgt.${tokenId}.${secret}.x`],
    ['a registration token', `c-abc123xyz0.${secret}`],
  ];
  for (const [name, text] of malformed) {
    test(`${name} is not a token`, () => assert.equal(parseApiToken(text), undefined));
  }

  test('anything starting with fgt. looks like one of our tokens, so a JWT check is not tried', () => {
    assert.equal(ApiTokens.looksLikeToken(`fgt.${tokenId}.${secret}`), true);
    assert.equal(ApiTokens.looksLikeToken('fgt.'), true);
    assert.equal(ApiTokens.looksLikeToken('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'), false);
    assert.equal(ApiTokens.looksLikeToken('FGT.x'), false);
  });
});
