// Where a filled cache's memory goes, in-process: N caches of M synthetic pods filled the
// way the gateway fills them (pages of 500 as JSON text, parsed, managedFields dropped,
// each object stored compactly), then the process's RSS, heap, external and ArrayBuffer
// memory after a full GC, per cached pod.
//   node bench/fill-memory.ts [--caches 100] [--pods 1000] [--parallel 8]
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CompactItem, StringPool } from '../src/cache/compact-item.ts';
import { ObjectCodec } from '../src/cache/object-codec.ts';
import { kindProfile } from '../src/kube/kind-fields.ts';
import { withoutManagedFields } from '../src/kube/object-trim.ts';
import type { KubeObject } from '../src/kube/objects.ts';
import { syntheticPod } from './cached-object-memory.ts';

const { values } = parseArgs({
  options: {
    caches: { type: 'string', default: '100' },
    pods: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '8' },
  },
});
const cacheCount = Number(values.caches);
const podCount = Number(values.pods);
const parallel = Number(values.parallel);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function sample() {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
}

const profile = kindProfile('', 'pods');
if (process.env.FILL_STORE === 'json')
  ObjectCodec.prototype.encode = (object: KubeObject) => JSON.stringify(object);
// The pages as they arrive: JSON text of 500 pods (made once; each fill parses them anew).
const pages: Buffer[] = [];
for (let start = 0; start < podCount; start += 500) {
  const items = [];
  for (let i = start; i < Math.min(podCount, start + 500); i++) items.push(syntheticPod(i));
  pages.push(Buffer.from(JSON.stringify({ kind: 'PodList', metadata: {}, items })));
}

const held: Map<string, CompactItem>[] = [];
async function fill(index: number): Promise<void> {
  const objects: KubeObject[] = [];
  for (const page of pages) {
    const list = JSON.parse(page.toString('utf8')) as { items: KubeObject[] };
    for (const item of list.items) objects.push(withoutManagedFields(item));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const pool = new StringPool();
  const codec = new ObjectCodec(objects[0]);
  const items = new Map<string, CompactItem>();
  for (const object of objects)
    items.set(
      `${object.metadata?.namespace}/${object.metadata?.name}`,
      new CompactItem(`cluster-${index}`, object, profile, pool, codec),
    );
  held[index] = items;
}

const before = sample();
let next = 0;
await Promise.all(
  Array.from({ length: parallel }, async () => {
    while (next < cacheCount) await fill(next++);
  }),
);
const settleMs = Number(process.env.FILL_SETTLE_MS ?? 0);
if (settleMs) {
  console.log(
    `rss right after the fill ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; waiting ${settleMs} ms`,
  );
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  console.log(`rss after waiting, no forced GC ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}
if (process.env.FILL_LAST_RESORT)
  (gc as unknown as (options: object) => void)({ type: 'major', execution: 'sync', flavor: 'last-resort' });
const after = sample();
const pods = cacheCount * podCount;
const per = (key: keyof NodeJS.MemoryUsage) =>
  `${key} ${((after[key] - before[key]) / pods / 1024).toFixed(2)} KiB (${(before[key] / 2 ** 20).toFixed(0)} -> ${(after[key] / 2 ** 20).toFixed(0)} MiB)`;
console.log(
  `${pods} pods in ${cacheCount} caches, ${parallel} filling at once, per pod after a full GC:\n  ${(['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const).map(per).join('\n  ')}`,
);
for (const space of getHeapSpaceStatistics())
  console.log(
    `  ${space.space_name}: size ${(space.space_size / 2 ** 20).toFixed(1)} MiB, used ${(space.space_used_size / 2 ** 20).toFixed(1)} MiB, physical ${(space.physical_space_size / 2 ** 20).toFixed(1)} MiB`,
  );
if (held.length !== cacheCount) throw new Error('unreachable');
if (process.env.FILL_SMAPS) {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync('/proc/self/smaps', 'utf8');
  const regions: { head: string; rss: number }[] = [];
  let head = '';
  for (const line of text.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) head = line;
    const m = /^Rss:\s+(\d+) kB/.exec(line);
    if (m) regions.push({ head, rss: Number(m[1]) });
  }
  regions.sort((a, b) => b.rss - a.rss);
  for (const r of regions.slice(0, 15)) console.log(`${(r.rss / 1024).toFixed(1)} MiB ${r.head}`);
  const anon = regions.filter((r) => !r.head.includes('/')).reduce((s, r) => s + r.rss, 0);
  console.log(`anonymous ${(anon / 1024).toFixed(0)} MiB, regions ${regions.length}`);
  const bySize = new Map<string, { count: number; rss: number }>();
  for (const r of regions) {
    if (r.head.includes('/')) continue;
    const [from, to] = (r.head.split(' ')[0] ?? '').split('-').map((x) => Number.parseInt(x, 16));
    const size = `${Math.round(((to ?? 0) - (from ?? 0)) / 1024)} KiB${r.head.includes('[heap]') ? ' [heap]' : ''}`;
    const entry = bySize.get(size) ?? { count: 0, rss: 0 };
    entry.count++;
    entry.rss += r.rss;
    bySize.set(size, entry);
  }
  for (const [size, e] of [...bySize].sort((a, b) => b[1].rss - a[1].rss).slice(0, 10))
    console.log(`  regions of ${size}: ${e.count}, ${(e.rss / 1024).toFixed(1)} MiB resident`);
}
