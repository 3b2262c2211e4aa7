import assert from 'node:assert/strict';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { forwardedRequestHeaders } from '../../src/proxy/forwarded-headers.ts';
import { anyText, headerPair } from '../shared/http/header-arbitraries.ts';

/** True for a header no client may pass downstream, whatever its case. */
function neverForwarded(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    ['authorization', 'cookie', 'host', 'connection', 'upgrade', 'proxy-authorization'].includes(lower) ||
    lower.startsWith('impersonate-') ||
    lower.startsWith('x-remote-') ||
    lower.startsWith('x-forwarded-') ||
    lower.startsWith('fleetgate-peer-')
  );
}

const isBadRequest = (error: unknown) =>
  error instanceof GatewayError && error.code === 'BAD_USER_INPUT' && error.httpStatus === 400;

describe('the client headers the passthrough forwards', () => {
  test('credentials, impersonation, front-proxy and hop-by-hop headers are dropped; the rest kept in order', () => {
    assert.deepEqual(
      forwardedRequestHeaders([
        ['Accept', 'application/json'],
        ['AUTHORIZATION', 'Bearer x'],
        ['Cookie', 'session=1'],
        ['Impersonate-User', 'admin'],
        ['impersonate-extra-%28', 'x'],
        ['X-Remote-Group', 'system:masters'],
        ['X-Forwarded-For', '10.0.0.1'],
        ['Connection', 'X-Custom'],
        ['X-Custom', 'dropped: named in Connection'],
        ['Content-Type', 'application/json'],
      ]),
      [
        ['Accept', 'application/json'],
        ['Content-Type', 'application/json'],
      ],
    );
  });

  test("the headers replicas use between themselves are a client's to send in no case", () => {
    assert.deepEqual(
      forwardedRequestHeaders([
        ['Fleetgate-Peer-Mode', 'cache'],
        ['fleetgate-peer-cluster', 'c-other'],
        ['FLEETGATE-PEER-MODE', 'upgrade'],
        ['Accept', 'application/json'],
      ]),
      [['Accept', 'application/json']],
    );
  });

  test('row 4: a header name that is not an HTTP token is a 400, before anything is sent', () => {
    assert.throws(() => forwardedRequestHeaders([['X-Bad(', 'v']]), isBadRequest);
    assert.throws(() => forwardedRequestHeaders([['', 'v']]), isBadRequest);
  });

  test('row 4: a header value with a character HTTP forbids is a 400, before anything is sent', () => {
    for (const value of ['a\rb', 'a\nb', 'a\0b', 'a\x01b', 'a\x7fb', 'snow \u2603'])
      assert.throws(
        () => forwardedRequestHeaders([['X-Custom', value]]),
        isBadRequest,
        JSON.stringify(value),
      );
  });

  test('a header that is stripped anyway is not judged', () => {
    assert.deepEqual(forwardedRequestHeaders([['Impersonate-Extra-(', 'x\x01']]), []);
  });
});

describe('forwarded header properties (fast-check)', () => {
  test('no Authorization, Cookie, Impersonate-*, X-Remote-* or Connection-listed header survives, whatever case or listing trick', () => {
    fc.assert(
      fc.property(fc.array(headerPair, { maxLength: 12 }), (headers) => {
        const listed = new Set(
          headers
            .filter(([name]) => name.toLowerCase() === 'connection')
            .flatMap(([, value]) => value.split(',').map((token) => token.trim().toLowerCase())),
        );
        let forwarded: [string, string][];
        try {
          forwarded = forwardedRequestHeaders(headers);
        } catch (error) {
          assert.ok(isBadRequest(error), String(error));
          return;
        }
        for (const [name] of forwarded) {
          assert.ok(!neverForwarded(name), `${name} was forwarded`);
          assert.ok(!listed.has(name.toLowerCase()), `${name} is listed in Connection and was forwarded`);
        }
      }),
      { numRuns: 1_000 },
    );
  });

  test('any strings at all: a 400, or headers node:http can send', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyText, anyText), { maxLength: 6 }), (headers) => {
        let forwarded: [string, string][];
        try {
          forwarded = forwardedRequestHeaders(headers);
        } catch (error) {
          assert.ok(isBadRequest(error), String(error));
          return;
        }
        for (const [name, value] of forwarded) {
          assert.ok(!neverForwarded(name), `${name} was forwarded`);
          validateHeaderName(name);
          validateHeaderValue(name, value);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
