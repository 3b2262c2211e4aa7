/** A parsed label selector: true when an object's labels match. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

// One requirement of the selector grammar the apiserver accepts (k8s.io/apimachinery
// labels.Parse): `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
const KEY = `(?:[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?`;
const VALUE = `(?:[a-z0-9A-Z](?:[-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?`;
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(\s*(${VALUE}(?:\s*,\s*${VALUE})*)\s*\)$`);
const EXISTS = new RegExp(String.raw`^(!?)\s*(${KEY})$`);

const MAX_SELECTOR_CHARS = 1024;
// A key's prefix is a DNS subdomain (lower case, no '_', no empty label), stricter than KEY.
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

/** The apiserver's limits: name 63, prefix a DNS subdomain of at most 253, value 63. */
function validKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  return name.length <= 63 && (slash < 0 || (slash <= 253 && DNS_SUBDOMAIN.test(key.slice(0, slash))));
}

/** Splits at commas outside parentheses. */
function requirements(selector: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0 || depth > 1) return undefined;
  }
  if (depth !== 0) return undefined;
  parts.push(selector.slice(start).trim());
  return parts;
}

/**
 * The matcher of a label selector, or undefined when the gateway does not understand it
 * exactly; the caller then lets the apiserver apply it (and answer its errors).
 */
export function parseLabelSelector(selector: string): LabelMatcher | undefined {
  if (selector.length > MAX_SELECTOR_CHARS) return undefined;
  if (selector.trim() === '') return () => true;
  const parts = requirements(selector);
  if (!parts || parts.some((p) => p === '')) return undefined;
  const tests: LabelMatcher[] = [];
  for (const part of parts) {
    const equality = EQUALITY.exec(part);
    if (equality) {
      const [, key, operator, value] = equality as unknown as [string, string, string, string];
      if (!validKey(key) || value.length > 63) return undefined;
      tests.push(
        operator === '!='
          ? (labels) => labels?.[key] !== value
          : (labels) => labels !== undefined && Object.hasOwn(labels, key) && labels[key] === value,
      );
      continue;
    }
    const set = SET.exec(part);
    if (set) {
      const [, key, operator, list] = set as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      // An empty set or an empty member: left to the apiserver to judge.
      if (!validKey(key) || [...values].some((v) => v === '' || v.length > 63)) return undefined;
      tests.push(
        operator === 'in'
          ? (labels) =>
              labels !== undefined && Object.hasOwn(labels, key) && values.has(labels[key] as string)
          : (labels) =>
              labels === undefined || !Object.hasOwn(labels, key) || !values.has(labels[key] as string),
      );
      continue;
    }
    const exists = EXISTS.exec(part);
    if (exists) {
      const [, negated, key] = exists as unknown as [string, string, string];
      if (!validKey(key)) return undefined;
      tests.push(
        negated
          ? (labels) => labels === undefined || !Object.hasOwn(labels, key)
          : (labels) => labels !== undefined && Object.hasOwn(labels, key),
      );
      continue;
    }
    return undefined;
  }
  return (labels) => tests.every((test) => test(labels));
}
