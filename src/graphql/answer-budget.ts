import {
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  isObjectType,
} from 'graphql';
import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Default bytes of the JSON values (`object`, `labels` and every other field of the `JSON`
 * scalar) one GraphQL answer may carry: a page of 1,000 objects of 64 KiB each. Past it the
 * operation fails with ANSWER_TOO_LARGE instead of building an answer of any size in one
 * process (README, Limits).
 */
export const GRAPHQL_ANSWER_MAX_BYTES = 64 * 1024 * 1024;

/** The scalar whose values are charged: arbitrary JSON, as large as a Kubernetes object. */
const JSON_SCALAR = 'JSON';

/** The bytes of a value's JSON, as an answer carries it (UTF-8). */
export function jsonBytes(value: unknown): number {
  // Serializing is the cheapest exact measure of a value nobody has measured: V8's native
  // JSON.stringify beats a walk in JavaScript that adds up lengths (docs/BENCHMARKS.md).
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text);
}

/**
 * The bytes of JSON values one query or mutation may still put in its answer. Each value is
 * charged before it joins the answer, so the answer never grows past the bound by more than
 * the value that crossed it; once spent, every further value is refused without being
 * measured.
 */
export class AnswerBudget {
  readonly #maxBytes: number;
  #left: number;

  constructor(maxBytes: number = GRAPHQL_ANSWER_MAX_BYTES) {
    this.#maxBytes = maxBytes;
    this.#left = maxBytes;
  }

  /**
   * Answers `value` once its JSON fits in what is left; ANSWER_TOO_LARGE otherwise.
   * `knownBytes`: the bytes of its JSON when the caller knows them exactly (a cached object's
   * decoded text); the value is serialized to measure it otherwise.
   */
  charge<T>(value: T, knownBytes?: number): T {
    if (this.#left >= 0) this.#left -= knownBytes ?? jsonBytes(value);
    if (this.#left < 0)
      throw new GatewayError(
        'ANSWER_TOO_LARGE',
        `the answer's objects pass ${this.#maxBytes} bytes; ask for fewer (first) or narrower pages, or leave out the object field`,
      );
    return value;
  }
}

/** A parent value that may know the JSON bytes of a value it handed out (ResourceItem.jsonBytesOf). */
interface MeasuringSource {
  jsonBytesOf?(value: unknown): number | undefined;
}

function chargeFrom<T>(budget: AnswerBudget, source: unknown, value: T): T {
  const known =
    source !== null && typeof source === 'object'
      ? (source as MeasuringSource).jsonBytesOf?.(value)
      : undefined;
  return budget.charge(value, known);
}

/** The budget of the operation, if it has one: queries and mutations do, subscriptions do not. */
function budgetOf(context: unknown): AnswerBudget | undefined {
  return (context as { answerBudget?: AnswerBudget } | null | undefined)?.answerBudget;
}

function charged(resolve: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const value = resolve(source, args, context, info);
    const budget = budgetOf(context);
    if (!budget) return value;
    if (value instanceof Promise) return value.then((settled) => chargeFrom(budget, source, settled));
    return chargeFrom(budget, source, value);
  };
}

/**
 * Charges every field of the `JSON` scalar to the operation's `answerBudget`, in the schema
 * itself (its resolvers are wrapped in place, before any query runs or is compiled): a new
 * JSON field is bounded without anyone remembering to, each alias is charged as it is
 * resolved, and graphql-js and graphql-jit run the same wrapped resolvers. A parent that
 * knows the bytes of the value it handed out (a cached item's decoded object) is asked
 * first, so that value is not serialized twice. Answers the schema.
 */
export function chargeJsonFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name !== JSON_SCALAR) continue;
      field.resolve = charged(field.resolve ?? defaultFieldResolver);
    }
  }
  return schema;
}
