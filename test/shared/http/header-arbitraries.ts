// fast-check arbitraries for header lists that try to sneak a header past a sanitiser:
// dangerous names in any case, Connection lists with odd separators, and random tokens.
import fc from 'fast-check';

/** Names a sanitiser must know about, plus a few ordinary ones. */
export const INTERESTING_NAMES = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
  'cookie',
  'host',
  'impersonate-user',
  'impersonate-group',
  'impersonate-uid',
  'impersonate-extra-scopes',
  'impersonate-extra-%28',
  'x-remote-user',
  'x-remote-group',
  'x-remote-extra-scopes',
  'x-forwarded-for',
  'accept',
  'content-type',
  'x-custom',
] as const;

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** `name` with each letter in a random case. */
export function anyCase(name: string): fc.Arbitrary<string> {
  return fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
}

/** A valid header name: an interesting one in any case, or a random token. */
export const headerName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INTERESTING_NAMES).chain(anyCase) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 }) },
);

/** A Connection value listing names with the separators and blanks a list may carry. */
export const connectionList: fc.Arbitrary<string> = fc
  .array(fc.tuple(headerName, fc.constantFrom(',', ', ', ' , ', ',\t', '\t,', ',,', ', ,')), {
    maxLength: 5,
  })
  .map((items) => items.map(([name, separator]) => `${name}${separator}`).join(''));

/** A header pair: a Connection list, or a name with a plain value. */
export const headerPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(anyCase('connection'), connectionList),
  fc.tuple(headerName, fc.string({ maxLength: 16 })),
);

/** Any string, including every byte 0x00–0xff and beyond, for names and values. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xff }).map((b) => String.fromCharCode(b)), maxLength: 16 }),
);
