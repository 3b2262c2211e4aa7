import type { HeaderPairs } from '../tunnel/heads.ts';

// RFC 9110 §5.1 field-name: a token of tchar.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 9110 §5.5 field-value: visible ASCII, spaces, tabs and obs-text (0x80–0xff). Nothing
// else can be sent: Node refuses it (ERR_INVALID_CHAR) and CR/LF would split the message.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `name` may stand as an HTTP header name. */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** True when `value` may stand as an HTTP header value. */
export function isHeaderValue(value: string): boolean {
  return FIELD_VALUE.test(value);
}

/** Why these header pairs cannot be sent as HTTP, naming the first bad one; undefined when they can. */
export function headerSyntaxProblem(headers: HeaderPairs): string | undefined {
  for (const [name, value] of headers) {
    if (!isHeaderName(name)) return `header name ${JSON.stringify(name.slice(0, 64))} is not an HTTP token`;
    if (!isHeaderValue(value))
      return `header ${JSON.stringify(name.slice(0, 64))} has a value with characters HTTP forbids`;
  }
  return undefined;
}
