import { type DocumentNode, GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';

/** Distinct documents whose parse and validation are kept. */
const MAX_DOCUMENTS = 256;

/**
 * Documents parsed, and validated, once per text: thousands of dashboards subscribe with the
 * same few documents, and parsing and validating each one again cost as much as the rest of
 * a subscriber's set-up (and kept an AST in memory per subscriber). The oldest text goes first.
 */
export class ParsedDocuments {
  readonly #schema: GraphQLSchema;
  readonly #documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  readonly #validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();

  constructor(schema: GraphQLSchema) {
    this.#schema = schema;
  }

  /** The document of `query`, or its syntax error. */
  parse(query: string): DocumentNode | readonly GraphQLError[] {
    const known = this.#documents.get(query);
    if (known) {
      this.#documents.delete(query); // re-inserted last: the Map's order is the eviction order
      this.#documents.set(query, known);
      return known;
    }
    let answer: DocumentNode | readonly GraphQLError[];
    try {
      answer = parse(query);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      answer = [error];
    }
    this.#documents.set(query, answer);
    if (this.#documents.size > MAX_DOCUMENTS) {
      const oldest = this.#documents.keys().next().value;
      if (oldest !== undefined) this.#documents.delete(oldest);
    }
    return answer;
  }

  /** The validation errors of a document this made (none: valid). */
  validate(document: DocumentNode): readonly GraphQLError[] {
    let errors = this.#validated.get(document);
    if (!errors) {
      errors = validate(this.#schema, document);
      this.#validated.set(document, errors);
    }
    return errors;
  }
}
