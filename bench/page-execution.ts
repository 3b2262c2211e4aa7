// Page execution in-process: the walk of the fan-out benchmark (100 clusters x 1,000 cached
// pods, pages of 1,000) through the gateway's real schema and resolvers, without HTTP, TLS,
// tunnels or access reviews, so that what the GraphQL layer costs per page is measured
// alone. The caches are stand-ins holding real CompactItems of synthetic pods.
//   node bench/page-execution.ts [--clusters 100] [--pods 1000] [--walks 5] [--sorted]
import { parseArgs } from 'node:util';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { execute, getOperationAST, parse } from 'graphql';
import { CompiledQueries } from '../src/graphql/compiled-queries.ts';
import type { GraphQLContext } from '../src/graphql/context.ts';
import { benchCaches, benchContext, schema } from './page-fixture.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    pods: { type: 'string', default: '1000' },
    walks: { type: 'string', default: '5' },
    sorted: { type: 'boolean', default: false },
  },
});
const clusterCount = Number(values.clusters);
const podCount = Number(values.pods);
const walks = Number(values.walks);
const sorted = values.sorted === true;

const fixture = benchCaches(clusterCount, podCount);
const { clusterIds } = fixture;
const context = () => benchContext(fixture);

const sort = sorted ? ', sort: [{ field: "createdAt", direction: DESC }]' : '';
const document = parse(`query($c: [ID!], $after: String) {
  pods(first: 1000, after: $after, filter: { clusters: $c }${sort}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { clusterId namespace name phase nodeName } }
  }
}`);

const queries = new CompiledQueries(schema);
/** Apollo Server as the gateway configures it, executing with graphql-js or compiled. */
async function apollo(compiled: boolean): Promise<ApolloServer<GraphQLContext>> {
  const common = {
    csrfPrevention: true,
    stringifyResult: (result: unknown) => JSON.stringify(result),
    plugins: [ApolloServerPluginCacheControlDisabled()],
  };
  const server = compiled
    ? new ApolloServer<GraphQLContext>({ ...common, gateway: new CompiledQueries(schema).asApolloGateway() })
    : new ApolloServer<GraphQLContext>({ ...common, schema });
  await server.start();
  return server;
}
const servers = { js: await apollo(false), compiled: await apollo(true) };
const queryText = `query($c: [ID!], $after: String) {
  pods(first: 1000, after: $after, filter: { clusters: $c }${values.sorted ? ', sort: [{ field: "createdAt", direction: DESC }]' : ''}) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { clusterId namespace name phase nodeName } }
  }
}`;

/** A page through Apollo Server, as the endpoint hands it an HTTP request: the answer's text. */
async function apolloPage(
  compiled: boolean,
  after: string | null,
): Promise<{ text: string; next: string | null }> {
  const headers = new HeaderMap([['content-type', 'application/json']]);
  const result = await servers[compiled ? 'compiled' : 'js'].executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: 'POST',
      headers,
      search: '',
      body: { query: queryText, variables: { c: clusterIds, after } },
    },
    context: async () => context(),
  });
  if (result.body.kind !== 'complete') throw new Error('not complete');
  const text = result.body.string;
  const pods = (
    JSON.parse(text) as { data: { pods: { pageInfo: { hasNextPage: boolean; endCursor: string } } } }
  ).data.pods;
  return { text, next: pods.pageInfo.hasNextPage ? pods.pageInfo.endCursor : null };
}
const operation = getOperationAST(document) ?? undefined;

async function page(compiled: boolean, after: string | null): Promise<{ text: string; next: string | null }> {
  const variables = { c: clusterIds, after };
  const result = compiled
    ? await queries.execute({
        documentKey: 'pods',
        document,
        operation,
        operationName: undefined,
        variables,
        contextValue: context(),
      })
    : await execute({ schema, document, variableValues: variables, contextValue: context() });
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  const text = JSON.stringify(result);
  const pods = (result.data as { pods: { pageInfo: { hasNextPage: boolean; endCursor: string } } }).pods;
  return { text, next: pods.pageInfo.hasNextPage ? pods.pageInfo.endCursor : null };
}

/** One walk in pages of 1,000; its time in ms. */
async function walk(
  compiled: boolean,
  through = page,
): Promise<{ ms: number; pages: number; bytes: number }> {
  const started = performance.now();
  let after: string | null = null;
  let pages = 0;
  let bytes = 0;
  do {
    const { text, next } = await through(compiled, after);
    bytes += text.length;
    pages++;
    after = next;
  } while (after);
  return { ms: performance.now() - started, pages, bytes };
}

// The same answers both ways, byte for byte.
const first = [await page(false, null), await page(true, null), await page(true, null)];
if (first[0]?.text !== first[2]?.text) throw new Error('compiled and graphql-js answers differ');

const apolloFirst = [
  await apolloPage(false, null),
  await apolloPage(true, null),
  await apolloPage(true, null),
];
if (apolloFirst[0]?.text !== apolloFirst[2]?.text)
  throw new Error('compiled and graphql-js answers differ through Apollo');

const times = {
  'graphql-js': [] as number[],
  compiled: [] as number[],
  'Apollo, graphql-js': [] as number[],
  'Apollo, compiled': [] as number[],
};
for (let w = 0; w < walks; w++) {
  for (const name of ['graphql-js', 'compiled', 'Apollo, graphql-js', 'Apollo, compiled'] as const) {
    const result = await walk(name.endsWith('compiled'), name.startsWith('Apollo') ? apolloPage : page);
    times[name].push(result.ms);
    console.log(
      `${name} walk ${w + 1}: ${result.pages} pages, ${(result.bytes / 2 ** 20).toFixed(1)} MiB, ${result.ms.toFixed(0)} ms (${(result.ms / result.pages).toFixed(2)} ms a page)`,
    );
  }
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
const js = median(times['graphql-js']);
const jit = median(times.compiled);
const apolloJs = median(times['Apollo, graphql-js']);
const apolloJit = median(times['Apollo, compiled']);
console.log(
  `median walk${sorted ? ' (sorted by createdAt)' : ''}: graphql-js ${js.toFixed(0)} ms, compiled ${jit.toFixed(0)} ms (${(jit / js).toFixed(2)}x); through Apollo: graphql-js ${apolloJs.toFixed(0)} ms, compiled ${apolloJit.toFixed(0)} ms (${(apolloJit / apolloJs).toFixed(2)}x); runs ${JSON.stringify(queries.runs)}`,
);
