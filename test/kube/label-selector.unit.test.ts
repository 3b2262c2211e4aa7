import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLabelSelector } from '../../src/kube/label-selector.ts';

type Labels = Record<string, string> | undefined;

const web: Labels = { app: 'web', tier: 'front', 'example.com/team': 'a' };
const db: Labels = { app: 'db', tier: 'back' };
const bare: Labels = { other: 'x' };
const none: Labels = undefined;
const objects = { web, db, bare, none } as const;

/** The names of the objects a selector matches, in the order of `objects`. */
function matching(selector: string): string[] {
  const matcher = parseLabelSelector(selector);
  assert.ok(matcher, `${JSON.stringify(selector)} should be understood`);
  return Object.entries(objects)
    .filter(([, labels]) => matcher(labels))
    .map(([name]) => name);
}

describe('every operator of the selector grammar matches as the apiserver does', () => {
  const cases: [string, string, string[]][] = [
    ['an empty selector matches everything', '', ['web', 'db', 'bare', 'none']],
    ['a blank selector matches everything', '   ', ['web', 'db', 'bare', 'none']],
    ['= matches the value', 'app=web', ['web']],
    ['== is the same as =', 'app==web', ['web']],
    ['!= matches objects without the label too', 'app!=web', ['db', 'bare', 'none']],
    ['an empty value matches only a label set to the empty string', 'app=', []],
    [
      '!= of an empty value matches every object without an empty label',
      'app!=',
      ['web', 'db', 'bare', 'none'],
    ],
    ['in matches any value of the set', 'app in (web,db)', ['web', 'db']],
    ['notin matches objects without the label too', 'app notin (web)', ['db', 'bare', 'none']],
    ['a key alone asks for the label to exist', 'tier', ['web', 'db']],
    ['!key asks for it to be absent', '!tier', ['bare', 'none']],
    ['a prefixed key is one key', 'example.com/team=a', ['web']],
    ['requirements separated by commas must all hold', 'app in (web,db),tier=back', ['db']],
    [
      'spaces around operators, commas and parentheses are allowed',
      ' app in ( web , db ) , tier != back ',
      ['web'],
    ],
    ['a key that is only on the prototype of an object is not a label', 'constructor', []],
    [
      '!= on a prototype name matches as for any missing label',
      'constructor!=x',
      ['web', 'db', 'bare', 'none'],
    ],
  ];
  for (const [name, selector, expected] of cases) {
    test(`${name}: ${JSON.stringify(selector)}`, () => assert.deepEqual(matching(selector), expected));
  }

  test('a label set to the empty string matches = with an empty value', () => {
    assert.equal(parseLabelSelector('app=')?.({ app: '' }), true);
  });
});

describe('the apiserver length limits are inclusive', () => {
  const name = (n: number) => 'k'.repeat(n);
  const prefix = (n: number) => `${'p'.repeat(n - 4)}.com`;
  const cases: [string, string, boolean][] = [
    ['a key name of 63 characters', `${name(63)}=v`, true],
    ['a key name of 64 characters', `${name(64)}=v`, false],
    ['a prefix of 253 characters', `${prefix(253)}/k=v`, true],
    ['a prefix of 254 characters', `${prefix(254)}/k=v`, false],
    ['a value of 63 characters', `k=${'v'.repeat(63)}`, true],
    ['a value of 64 characters', `k=${'v'.repeat(64)}`, false],
    ['a set member of 63 characters', `k in (${'v'.repeat(63)})`, true],
    ['a set member of 64 characters', `k in (a,${'v'.repeat(64)})`, false],
    ['an exists test of a 64-character name', `!${name(64)}`, false],
    ['a selector of 1024 characters', 'k=v'.padEnd(1024, ' '), true],
    ['a selector of 1025 characters', 'k=v'.padEnd(1025, ' '), false],
  ];
  for (const [name, selector, understood] of cases) {
    test(`${name} is ${understood ? 'understood' : 'left to the apiserver'}`, () => {
      assert.equal(parseLabelSelector(selector) !== undefined, understood);
    });
  }
});

describe('what the gateway does not understand exactly is left to the apiserver', () => {
  const cases: [string, string][] = [
    ['set-based operators other than in and notin', 'app exists (web)'],
    ['a comparison operator the apiserver uses only for fields', 'app>1'],
    ['an empty set', 'app in ()'],
    ['an empty set member', 'app in (web,)'],
    ['a set without parentheses', 'app in web'],
    ['an unclosed parenthesis', 'app in (web'],
    ['a stray closing parenthesis', 'app=web)'],
    ['nested parentheses', 'app in ((web))'],
    ['an empty requirement between commas', 'app=web,,tier=front'],
    ['a trailing comma', 'app=web,'],
    ['a value with a space inside', 'app=we b'],
    ['a value with a slash', 'app=a/b'],
    ['a key that starts with a dash', '-app=web'],
    ['a key that ends with a dot', 'app.=web'],
    ['a value that ends with an underscore', 'app=web_'],
    ['a key with two slashes', 'a/b/c=d'],
    ['an empty prefix', '/app=web'],
    ['an empty key', '=web'],
    ['a prefix with upper-case letters (the apiserver wants a DNS subdomain)', 'Example.com/team=a'],
    ['a prefix with an underscore', 'my_org/team=a'],
    ['a prefix with an empty DNS label', 'example..com/team=a'],
    ['a prefix label that ends with a dash', 'example-.com/team=a'],
    ['a double negation', '!!app'],
    ['a negated equality', '!app=web'],
    ['a non-ASCII value', 'app=wéb'],
  ];
  for (const [name, selector] of cases) {
    test(`${name}: ${JSON.stringify(selector)}`, () => assert.equal(parseLabelSelector(selector), undefined));
  }
});
