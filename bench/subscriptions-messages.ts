// What the lean client of bench/subscriptions.ts reads of a graphql-ws message: for a
// `next` message carrying a change (the whole of the measured traffic), only the bench's
// three annotations, found in the bytes as they arrived, without decoding or parsing the
// ~4 KB pod around them; every other message (acknowledgement, errors, ERROR and GAP
// changes, `complete`) is parsed whole, as any graphql-ws client would.

/** The start of a `next` message's payload for a change of an object (after the operation id). */
const ID_START = Buffer.from('{"id":"');
const CHANGE_NEXT = Buffer.from('","type":"next","payload":{"data":{"resourceChanges":{"type":"');
const OBJECT_TYPES = ['ADDED', 'MODIFIED', 'DELETED'].map((type) => Buffer.from(`${type}"`));

/** A change of an object as the lean client reads it. */
export interface ObjectChange {
  readonly kind: 'change';
  /** The bench annotations of the object, when it carries them. */
  readonly annotations: BenchAnnotations | undefined;
}

/** Any other message, parsed. */
export interface OtherMessage {
  readonly kind: 'other';
  readonly message: { id?: string; type?: string; payload?: unknown };
}

export interface BenchAnnotations {
  readonly seq: number;
  readonly phase: string;
  readonly sentAt: number;
}

/** True when `bytes` holds `needle` at `at`. */
function holdsAt(bytes: Buffer, needle: Buffer, at: number): boolean {
  return (
    at + needle.length <= bytes.length &&
    bytes.compare(needle, 0, needle.length, at, at + needle.length) === 0
  );
}

/** The string value of `"key":"value"` in JSON bytes (a value without escapes), or undefined. */
export function stringField(bytes: Buffer, key: string): string | undefined {
  const needle = `"${key}":"`;
  const at = bytes.indexOf(needle);
  if (at < 0) return undefined;
  const start = at + Buffer.byteLength(needle);
  const end = bytes.indexOf(0x22, start);
  if (end < 0) return undefined;
  return bytes.toString('latin1', start, end);
}

/**
 * Reads one graphql-ws message: a change of an object is recognised by its fixed start (an
 * id without escapes, then `next` with the resourceChanges document's first field) and only
 * its annotations are read; anything else is parsed as JSON.
 */
export function readMessage(
  bytes: Buffer,
  annotationKeys: readonly [string, string, string],
): ObjectChange | OtherMessage {
  if (holdsAt(bytes, ID_START, 0)) {
    const idEnd = bytes.indexOf(0x22, ID_START.length);
    if (idEnd > ID_START.length && holdsAt(bytes, CHANGE_NEXT, idEnd)) {
      const typeAt = idEnd + CHANGE_NEXT.length;
      const isObjectChange = OBJECT_TYPES.some((type) => holdsAt(bytes, type, typeAt));
      if (isObjectChange) {
        const [seqKey, phaseKey, sentKey] = annotationKeys;
        const seq = stringField(bytes, seqKey);
        const phase = stringField(bytes, phaseKey);
        const sentAt = stringField(bytes, sentKey);
        return {
          kind: 'change',
          annotations:
            seq !== undefined && phase !== undefined && sentAt !== undefined
              ? { seq: Number(seq), phase, sentAt: Number(sentAt) }
              : undefined,
        };
      }
    }
  }
  return { kind: 'other', message: JSON.parse(bytes.toString('utf8')) as OtherMessage['message'] };
}
