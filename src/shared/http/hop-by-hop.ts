import type { HeaderPairs } from '../tunnel/heads.ts';

// RFC 9110 §7.6.1 connection-specific headers, plus the legacy ones proxies drop.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Header names listed in every Connection header (lower case). */
export function namedInConnection(headers: HeaderPairs): Set<string> {
  const named = new Set<string>();
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) {
      const trimmed = token.trim().toLowerCase();
      if (trimmed) named.add(trimmed);
    }
  }
  return named;
}

/** True when the headers ask for a protocol upgrade (Connection: upgrade plus Upgrade). */
export function isUpgradeRequest(headers: HeaderPairs): boolean {
  return (
    namedInConnection(headers).has('upgrade') && headers.some(([name]) => name.toLowerCase() === 'upgrade')
  );
}

/**
 * Drops hop-by-hop headers and every header the Connection header names. A client that
 * names e.g. Impersonate-User in Connection must not get a proxy to drop the proxy's own
 * header later: stripping happens here, before the proxy adds anything.
 */
export function withoutHopByHop(headers: HeaderPairs): [string, string][] {
  const named = namedInConnection(headers);
  return headers
    .filter(([name]) => {
      const lower = name.toLowerCase();
      return !HOP_BY_HOP.has(lower) && !named.has(lower);
    })
    .map(([name, value]) => [name, value]);
}

/** Flattens Node's rawHeaders ([k1, v1, k2, v2, ...]) into pairs. */
export function pairsFromRaw(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return pairs;
}

/** Groups pairs into the object form node:http accepts, keeping repeated names as arrays. */
export function headersObject(pairs: HeaderPairs): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
