import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
} from 'graphql';

/** Limits every GraphQL document must stay within. */
export const GRAPHQL_LIMITS = {
  /** Bytes of a request body (or query string) before it is even parsed. */
  maxDocumentBytes: 64 * 1024,
  maxDepth: 10,
  maxAliases: 30,
  /** Fields, with list fields weighted by the page size they ask for. */
  maxCost: 50_000,
} as const;

function limitError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
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
      const pageSize = first?.value.kind === Kind.INT ? Number(first.value.value) : first ? 100 : 1;
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

/** Throws a GraphQLError with a specific code when a parsed document exceeds a limit. */
export function enforceDocumentLimits(document: DocumentNode): void {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const total: Measure = { depth: 0, aliases: 0, cost: 0 };
    measure(definition.selectionSet, fragments, 1, 1, new Set(), total);
    if (total.depth > GRAPHQL_LIMITS.maxDepth)
      throw limitError('QUERY_TOO_DEEP', `query depth ${total.depth} exceeds ${GRAPHQL_LIMITS.maxDepth}`);
    if (total.aliases > GRAPHQL_LIMITS.maxAliases)
      throw limitError('TOO_MANY_ALIASES', `${total.aliases} aliases exceed ${GRAPHQL_LIMITS.maxAliases}`);
    if (total.cost > GRAPHQL_LIMITS.maxCost)
      throw limitError('QUERY_TOO_COSTLY', `query cost ${total.cost} exceeds ${GRAPHQL_LIMITS.maxCost}`);
  }
}
