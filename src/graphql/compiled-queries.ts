import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  execute,
  type GraphQLSchema,
  getVariableValues,
  type OperationDefinitionNode,
  printSchema,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/** Compiled queries kept at once; the least recently used one is dropped past it. */
export const MAX_COMPILED_QUERIES = 200;
/** Documents remembered as seen once, so that only a document asked for again is compiled. */
const MAX_SEEN_ONCE = 4_000;

type Executor = NonNullable<
  Awaited<ReturnType<ApolloServerOptionsWithGateway<BaseContext>['gateway']['load']>>['executor']
>;
type ExecutorRequest = Parameters<Executor>[0];

/** Documents already looked at (the server keeps parsed documents, so each is looked at once). */
const introspecting = new WeakMap<DocumentNode, boolean>();

/** True when any selection of the document, in its operations or fragments, is an introspection field. */
function readsIntrospection(document: DocumentNode): boolean {
  const known = introspecting.get(document);
  if (known !== undefined) return known;
  let found = false;
  visit(document, {
    Field(field) {
      if (field.name.value.startsWith('__') && field.name.value !== '__typename') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  introspecting.set(document, found);
  return found;
}

/**
 * Whether the operation may run compiled: a query whose document reads no introspection
 * field, neither directly nor through a fragment (`query { ...F }`, `... on Query`).
 */
function compilable(
  operation: OperationDefinitionNode | undefined,
  document: DocumentNode,
): operation is OperationDefinitionNode {
  return operation?.operation === 'query' && !readsIntrospection(document);
}

/**
 * Executes GraphQL operations, queries through code compiled per document with graphql-jit
 * (a page of 1,000 pods is 5,000 fields: graphql-js interprets each one, docs/BENCHMARKS.md),
 * everything else with graphql-js. A document is compiled the second time it is asked for
 * (one-off documents never pay for compiling), kept in a bounded least-recently-used map,
 * and one graphql-jit refuses runs with graphql-js. Variables are checked by graphql-js
 * first: invalid ones take graphql-js's path, so their errors are exactly its errors.
 */
export class CompiledQueries {
  readonly #schema: GraphQLSchema;
  /** By document hash and operation name; null when graphql-jit refused the document. */
  readonly #compiled = new Map<string, CompiledQuery | null>();
  readonly #seenOnce = new Set<string>();
  #compiledRuns = 0;
  #interpretedRuns = 0;

  constructor(schema: GraphQLSchema) {
    this.#schema = schema;
  }

  /** Operations run compiled and with graphql-js (for metrics and tests). */
  get runs(): { readonly compiled: number; readonly interpreted: number } {
    return { compiled: this.#compiledRuns, interpreted: this.#interpretedRuns };
  }

  /** How many compiled documents are kept. */
  get size(): number {
    return this.#compiled.size;
  }

  async execute(request: {
    readonly documentKey: string;
    readonly document: DocumentNode;
    readonly operation: OperationDefinitionNode | undefined;
    readonly operationName: string | null | undefined;
    readonly variables: Readonly<Record<string, unknown>> | undefined;
    readonly contextValue: unknown;
  }): Promise<ExecutionResult> {
    const { document, operation, operationName, contextValue } = request;
    const variables = request.variables ?? {};
    const compiled = compilable(operation, document)
      ? this.#compiledFor(`${request.documentKey}\u0000${operationName ?? ''}`, document, operationName)
      : undefined;
    if (
      compiled &&
      !('errors' in getVariableValues(this.#schema, operation?.variableDefinitions ?? [], variables))
    ) {
      this.#compiledRuns++;
      return compiled.query(undefined, contextValue, variables);
    }
    this.#interpretedRuns++;
    return execute({
      schema: this.#schema,
      document,
      operationName,
      variableValues: variables,
      contextValue,
    });
  }

  #compiledFor(
    key: string,
    document: DocumentNode,
    operationName: string | null | undefined,
  ): CompiledQuery | undefined {
    const known = this.#compiled.get(key);
    if (known !== undefined) {
      // Most recently used last, so that the first key is the one to drop.
      this.#compiled.delete(key);
      this.#compiled.set(key, known);
      return known ?? undefined;
    }
    if (!this.#seenOnce.has(key)) {
      if (this.#seenOnce.size >= MAX_SEEN_ONCE) this.#seenOnce.clear();
      this.#seenOnce.add(key);
      return undefined;
    }
    this.#seenOnce.delete(key);
    let compiled: CompiledQuery | null = null;
    try {
      const result = compileQuery(this.#schema, document, operationName ?? undefined);
      compiled = isCompiledQuery(result) ? result : null;
    } catch {
      compiled = null; // a construct graphql-jit does not handle: graphql-js runs it
    }
    if (this.#compiled.size >= MAX_COMPILED_QUERIES) {
      const oldest = this.#compiled.keys().next().value;
      if (oldest !== undefined) this.#compiled.delete(oldest);
    }
    this.#compiled.set(key, compiled);
    return compiled ?? undefined;
  }

  /**
   * The queries as Apollo Server's `gateway` option: Apollo still parses, validates, runs
   * the plugins and formats errors; only execution is ours.
   */
  asApolloGateway(): ApolloServerOptionsWithGateway<BaseContext>['gateway'] {
    const schema = this.#schema;
    const executor: Executor = (requestContext: ExecutorRequest) =>
      this.execute({
        documentKey: requestContext.queryHash,
        document: requestContext.document,
        operation: requestContext.operation,
        operationName: requestContext.operationName,
        variables: requestContext.request.variables,
        contextValue: requestContext.context,
      });
    return {
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
        return () => {};
      },
      load: async () => ({ executor }),
      stop: async () => {},
    };
  }
}
