import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KubeObject } from '../kube/objects.ts';

/**
 * zlib settings of cached objects: a 4 KiB window (the dictionary's last 4 KiB are what it
 * can refer to) and small state, since each object is compressed on its own and the cost of
 * a call is mostly setting up that state; level 1, as the dictionary does most of the work.
 */
const WINDOW_BITS = 12;
const MEM_LEVEL = 4;
const LEVEL = 1;
/** The dictionary is at most the window. */
const MAX_DICTIONARY_BYTES = 1 << WINDOW_BITS;

/**
 * How a cache stores its objects (docs/list-cache.md): each object's JSON, deflated with a
 * dictionary made of an object of the same collection, kept as a one-byte string. Objects of
 * one kind share most of their text (field names, defaults, images), so a pod of about
 * 1.5 KB of JSON is kept in a few hundred bytes instead of a parsed object graph.
 */
export class ObjectCodec {
  readonly #dictionary: Buffer;

  /** `sample`: an object of the collection, whose JSON becomes the dictionary. */
  constructor(sample: KubeObject | undefined) {
    const text = Buffer.from(sample ? JSON.stringify(sample) : '{}');
    this.#dictionary = text.subarray(Math.max(0, text.length - MAX_DICTIONARY_BYTES));
  }

  encode(object: KubeObject): string {
    return deflateRawSync(JSON.stringify(object), {
      dictionary: this.#dictionary,
      level: LEVEL,
      windowBits: WINDOW_BITS,
      memLevel: MEM_LEVEL,
    }).toString('latin1');
  }

  decode(stored: string): KubeObject {
    return this.decodeMeasured(stored).object;
  }

  /**
   * The object and the bytes of its JSON, which inflating gives for free: the stored text is
   * `JSON.stringify` of the object, so serializing the decoded object again gives the same
   * bytes (what a GraphQL answer's budget charges for it, src/graphql/answer-budget.ts).
   */
  decodeMeasured(stored: string): { readonly object: KubeObject; readonly jsonBytes: number } {
    const text = inflateRawSync(Buffer.from(stored, 'latin1'), {
      dictionary: this.#dictionary,
      windowBits: WINDOW_BITS,
    });
    return { object: JSON.parse(text.toString('utf8')) as KubeObject, jsonBytes: text.length };
  }
}
