import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

/**
 * The layers of docs/architecture.md, lowest first: a file may import from its own folder
 * and from folders of a lower rank, never from one at its rank or above. The agent runs in
 * another cluster and may import only what it shares with the gateway.
 */
const RANKS: Record<string, number> = {
  'src/shared': 0,
  'src/errors': 0,
  'src/kube': 1,
  'src/store': 1,
  'src/audit': 1,
  'src/clusters': 2,
  'src/auth': 3,
  'src/cache': 3,
  // The access policy: above people, below the management store that implements its AccessStore.
  'src/access': 4,
  'src/admin': 5,
  'src/proxy': 5,
  // The management cluster as the store of replicas: implements the repositories of the layers below.
  'src/management': 5,
  'src/graphql': 6,
  // Replicas: their Leases in the management cluster, peers, and who owns which cluster.
  'src/replicas': 6,
  // Resolver types generated from the schema: they name the GraphQL context and its models.
  'src/generated': 7,
  'src/server': 8,
  resolvers: 8,
  src: 9, // the composition root: src/gateway.ts, src/main.ts, src/cli.ts
};
const AGENT_MAY_IMPORT = ['agent', 'src/shared'];

/** The part (a key of RANKS, or 'agent') a repository path belongs to. */
function partOf(path: string): string {
  if (path.startsWith('agent/')) return 'agent';
  if (path.startsWith('resolvers/')) return 'resolvers';
  const [top, folder] = path.split('/');
  if (top !== 'src') return top ?? path;
  const part = `src/${folder}`;
  return part in RANKS ? part : 'src';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** The repository paths a file imports (relative imports only; packages are not layers). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g))
    found.push(relative(root, resolve(root, dirname(file), match[1] as string)));
  return found;
}

/** Why `file` may not import `target`, or undefined when it may. */
function violation(file: string, target: string): string | undefined {
  const from = partOf(file);
  const to = partOf(target);
  if (from === to) return undefined;
  if (from === 'agent')
    return AGENT_MAY_IMPORT.includes(to) ? undefined : `the agent may import only src/shared, not ${to}`;
  const fromRank = RANKS[from];
  const toRank = RANKS[to];
  if (fromRank === undefined || toRank === undefined) return `${from} -> ${to}: not a known layer`;
  return toRank < fromRank ? undefined : `${from} (layer ${fromRank}) -> ${to} (layer ${toRank})`;
}

describe('layers import only downward', () => {
  const files = [...sourceFiles('src'), ...sourceFiles('agent'), ...sourceFiles('resolvers')];

  test('every layer is a whole number', () => {
    for (const [part, rank] of Object.entries(RANKS))
      assert.ok(Number.isInteger(rank) && rank >= 0, `${part}: layer ${rank}`);
  });

  test('every source file belongs to a known layer', () => {
    assert.ok(files.length > 50, `found only ${files.length} files`);
    for (const file of files) {
      const part = partOf(file);
      assert.ok(part === 'agent' || part in RANKS, `${file}: no layer`);
    }
  });

  test('no file imports from its own layer in another folder, or from a layer above', () => {
    const problems: string[] = [];
    for (const file of files)
      for (const target of importsOf(file)) {
        const problem = violation(file, target);
        if (problem) problems.push(`${file} imports ${target}: ${problem}`);
      }
    assert.deepEqual(problems, []);
  });

  test('the checker itself refuses an upward import and an agent reaching into the gateway', () => {
    assert.match(violation('src/kube/informer.ts', 'src/graphql/context.ts') ?? '', /src\/kube \(layer 1\)/);
    assert.match(violation('agent/main.ts', 'src/kube/identity.ts') ?? '', /only src\/shared/);
    assert.equal(violation('src/graphql/fan-out.ts', 'src/kube/identity.ts'), undefined);
    assert.match(
      violation('src/access/access-service.ts', 'src/management/crds.ts') ?? '',
      /src\/access \(layer 4\)/,
    );
    assert.equal(violation('src/management/kube-access-store.ts', 'src/access/access-model.ts'), undefined);
  });
});
