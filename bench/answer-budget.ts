// What the GraphQL answer budget costs a page that selects `object`, in one process: the
// page benchmark's walk (pods, pages of 1,000, stand-in caches of real CompactItems;
// bench/page-fixture.ts) selecting `name object`, executed compiled and serialized as the
// endpoint answers (JSON.stringify of the result), each page by the three in turn:
//   budget off   no budget (as a subscription message runs): the floor
//   old measure  every charged value serialized to be measured (what the budget did before)
//   new measure  the bytes a served cached item knows of the object it decoded
// The first pages of the three are checked to be the same bytes. Then, for values whose bytes
// nobody knows (live lists), the candidate measures on the 1,000 decoded pods of a page.
//   node bench/answer-budget.ts [--clusters 20] [--pods 1000] [--walks 5]
import { parseArgs } from 'node:util';
import { getOperationAST, parse } from 'graphql';
import { AnswerBudget, jsonBytes } from '../src/graphql/answer-budget.ts';
import { CompiledQueries } from '../src/graphql/compiled-queries.ts';
import { benchCaches, benchContext, schema } from './page-fixture.ts';
import { ownCpuMs } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '20' },
    pods: { type: 'string', default: '1000' },
    walks: { type: 'string', default: '5' },
  },
});
const fixture = benchCaches(Number(values.clusters), Number(values.pods));
const walks = Number(values.walks);

/** The budget as it was: every value serialized to be measured, whatever its parent knows. */
class SerializingBudget extends AnswerBudget {
  override charge<T>(value: T): T {
    return super.charge(value, jsonBytes(value));
  }
}

const cases = {
  'budget off': () => undefined,
  'old measure': () => new SerializingBudget(),
  'new measure': () => new AnswerBudget(),
} as const;
type Case = keyof typeof cases;
const names = Object.keys(cases) as Case[];

const document = parse(`query($c: [ID!], $after: String) {
  pods(first: 1000, after: $after, filter: { clusters: $c }) {
    pageInfo { hasNextPage endCursor }
    edges { node { name object } }
  }
}`);
const operation = getOperationAST(document) ?? undefined;
const queries = new CompiledQueries(schema);

/** One page, executed compiled and serialized: its text, the next cursor, and its cost. */
async function page(name: Case, after: string | null) {
  const started = performance.now();
  const cpu = ownCpuMs();
  const result = await queries.execute({
    documentKey: 'pods-with-objects',
    document,
    operation,
    operationName: undefined,
    variables: { c: fixture.clusterIds, after },
    contextValue: benchContext(fixture, cases[name]()),
  });
  const executed = performance.now();
  const text = JSON.stringify(result);
  const done = performance.now();
  const cpuMs = ownCpuMs() - cpu;
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  const info = (result.data as { pods: { pageInfo: { hasNextPage: boolean; endCursor: string } } }).pods
    .pageInfo;
  return {
    text,
    next: info.hasNextPage ? info.endCursor : null,
    ms: done - started,
    executeMs: executed - started,
    cpuMs,
  };
}

// Warm up (a document runs compiled from its second use) and check the answers agree.
const firstPages = [];
for (const name of names) firstPages.push((await page(name, null)).text, (await page(name, null)).text);
if (new Set(firstPages).size !== 1) throw new Error('the cases answer different bytes');
console.log(`first page: ${(Buffer.byteLength(firstPages[0] as string) / 2 ** 20).toFixed(2)} MiB of JSON`);

// The walk's cursors, then every page asked by the three cases in turn (the first of them
// rotating), so that the machine's load falls on each case alike.
const cursors: (string | null)[] = [null];
for (let next = (await page('budget off', null)).next; next; next = (await page('budget off', next)).next)
  cursors.push(next);
type Samples = { ms: number[]; executeMs: number[]; cpu: number[] };
const samples = Object.fromEntries(
  names.map((name) => [name, { ms: [], executeMs: [], cpu: [] } as Samples]),
) as Record<Case, Samples>;
let turn = 0;
for (let w = 0; w < walks; w++) {
  for (const after of cursors) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(turn + k) % names.length] as Case;
      const result = await page(name, after);
      samples[name].ms.push(result.ms);
      samples[name].executeMs.push(result.executeMs);
      samples[name].cpu.push(result.cpuMs);
    }
    turn++;
  }
  console.log(`walk ${w + 1} of ${walks}: ${cursors.length} pages, each asked by the ${names.length} cases`);
}

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
const at = (list: number[], q: number) =>
  sorted(list)[Math.min(list.length - 1, Math.floor(list.length * q))] ?? 0;
const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
const floor = samples['budget off'];
console.log(
  `\n${walks} walks of ${cursors.length} pages of ${values.pods} pods with their objects, compiled, then JSON.stringify:`,
);
/** The median, over pages, of each page's time in `name` over the same page's time in `base` (same turn). */
const paired = (name: Case, base: Case) =>
  at(
    samples[name].ms.map((ms, index) => ms / (samples[base].ms[index] ?? ms)),
    0.5,
  );
console.log(
  '| case | ms a page p50 | p90 | executing p50 | CPU ms a page p50 (mean) | CPU over budget off, p50 | paired p50 / budget off | paired p50 / old measure |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const name of names) {
  const { ms, executeMs, cpu } = samples[name];
  console.log(
    `| ${name} | ${at(ms, 0.5).toFixed(2)} | ${at(ms, 0.9).toFixed(2)} | ${at(executeMs, 0.5).toFixed(2)} | ${at(cpu, 0.5).toFixed(2)} (${mean(cpu).toFixed(2)}) | ${(at(cpu, 0.5) - at(floor.cpu, 0.5)).toFixed(2)} | ${paired(name, 'budget off').toFixed(2)}x | ${paired(name, 'old measure').toFixed(2)}x |`,
  );
}

// Values nobody measured: the budget serializes them. Against a walk in JavaScript that adds
// up the lengths (exact for the same JSON), on the decoded objects of the first page.
const NEEDS_ESCAPE_OR_UTF8 = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;
function stringBytes(text: string): number {
  return NEEDS_ESCAPE_OR_UTF8.test(text) ? Buffer.byteLength(JSON.stringify(text)) : text.length + 2;
}
function walkedBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let bytes = 1 + value.length;
        for (const item of value) bytes += walkedBytes(item) || 4;
        return value.length === 0 ? 2 : bytes;
      }
      let bytes = 1;
      for (const [key, item] of Object.entries(value)) {
        const itemBytes = walkedBytes(item);
        if (itemBytes > 0) bytes += stringBytes(key) + 1 + itemBytes + 1;
      }
      return bytes === 1 ? 2 : bytes;
    }
    default:
      return 0;
  }
}
const objects = (
  JSON.parse(firstPages[0] as string) as { data: { pods: { edges: { node: { object: unknown } }[] } } }
).data.pods.edges.map((edge) => edge.node.object);
for (const object of objects)
  if (walkedBytes(object) !== jsonBytes(object)) throw new Error('the walk measures differently');
const measures = { 'JSON.stringify + Buffer.byteLength': jsonBytes, 'walk in JavaScript': walkedBytes };
const measureMs = Object.fromEntries(Object.keys(measures).map((name) => [name, [] as number[]]));
for (let round = 0; round < 40; round++)
  for (const [name, measure] of Object.entries(measures)) {
    const started = performance.now();
    let total = 0;
    for (const object of objects) total += measure(object);
    measureMs[name]?.push(performance.now() - started);
    if (total === 0) throw new Error('nothing measured');
  }
console.log(`\nmeasuring ${objects.length} decoded pods whose bytes are unknown (p50 of 40 rounds):`);
for (const [name, list] of Object.entries(measureMs))
  console.log(`  ${name}: ${at(list, 0.5).toFixed(2)} ms`);
