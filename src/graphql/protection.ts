import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValueNode,
  valueFromASTUntyped,
} from 'graphql';
import type { ErrorCode } from '../errors/gateway-error.ts';

/** Limits every GraphQL document must stay within. */
export const GRAPHQL_LIMITS = {
  /** Bytes of a request body (or query string) before it is even parsed. */
  maxDocumentBytes: 64 * 1024,
  maxDepth: 10,
  maxAliases: 30,
  /** Fields, with list fields weighted by the page size they ask for. */
  maxCost: 50_000,
} as const;

function limitError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
  /** The operation's variables, with their declared defaults filled in. */
  variables: Readonly<Record<string, unknown>>;
}

/** Page size assumed for a list field whose `first` is missing or not a number. */
const DEFAULT_PAGE_SIZE = 100;

/** The page size a `first` argument asks for: a literal, or a variable's value. */
function pageSizeOf(value: ValueNode | undefined, variables: Readonly<Record<string, unknown>>): number {
  if (!value) return 1;
  const given =
    value.kind === Kind.INT
      ? Number(value.value)
      : value.kind === Kind.VARIABLE
        ? variables[value.name.value]
        : undefined;
  return typeof given === 'number' && Number.isFinite(given) ? given : DEFAULT_PAGE_SIZE;
}

function asksForEdges(selectionSet: SelectionSetNode): boolean {
  return selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'edges');
}

function measure(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  depth: number,
  multiplier: number,
  seen: Set<string>,
  total: Measure,
): void {
  total.depth = Math.max(total.depth, depth);
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) total.aliases++;
      const first = selection.arguments?.find((a) => a.name.value === 'first');
      // A connection asked for without `first` gets the schema's default page (every
      // connection declares `first: Int = 100`); it is known by its `edges`.
      const pageSize =
        first === undefined && selection.selectionSet && asksForEdges(selection.selectionSet)
          ? DEFAULT_PAGE_SIZE
          : pageSizeOf(first?.value, total.variables);
      total.cost += multiplier;
      if (selection.selectionSet)
        measure(
          selection.selectionSet,
          fragments,
          depth + 1,
          multiplier * Math.max(1, pageSize),
          seen,
          total,
        );
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(selection.selectionSet, fragments, depth, multiplier, seen, total);
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment spread twice on one path is a cycle; validation reports it separately.
      if (fragment && !seen.has(fragment.name.value)) {
        measure(
          fragment.selectionSet,
          fragments,
          depth,
          multiplier,
          new Set([...seen, fragment.name.value]),
          total,
        );
      }
    }
    if (total.cost > GRAPHQL_LIMITS.maxCost * 10) return;
  }
}

/**
 * Throws a GraphQLError with a specific code when a parsed document exceeds a limit. List
 * fields are weighted by `first`, read from the variables when it is one, so that a page
 * size passed as a variable costs what it asks for.
 */
export function enforceDocumentLimits(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> = {},
): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const withDefaults: Record<string, unknown> = {};
    for (const variable of definition.variableDefinitions ?? []) {
      if (variable.defaultValue)
        withDefaults[variable.variable.name.value] = valueFromASTUntyped(variable.defaultValue);
    }
    const total: Measure = { depth: 0, aliases: 0, cost: 0, variables: { ...withDefaults, ...variables } };
    measure(definition.selectionSet, fragments, 1, 1, new Set(), total);
    if (total.depth > GRAPHQL_LIMITS.maxDepth)
      throw limitError('QUERY_TOO_DEEP', `query depth ${total.depth} exceeds ${GRAPHQL_LIMITS.maxDepth}`);
    if (total.aliases > GRAPHQL_LIMITS.maxAliases)
      throw limitError('TOO_MANY_ALIASES', `${total.aliases} aliases exceed ${GRAPHQL_LIMITS.maxAliases}`);
    if (total.cost > GRAPHQL_LIMITS.maxCost)
      throw limitError('QUERY_TOO_COSTLY', `query cost ${total.cost} exceeds ${GRAPHQL_LIMITS.maxCost}`);
  }
}
