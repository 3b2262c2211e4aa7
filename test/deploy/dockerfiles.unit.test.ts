import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { copySources, execForm, type Instruction, parseDockerfile } from './dockerfile.ts';

// No container engine runs the tests, so the images cannot be built here; these checks read
// the Dockerfiles and hold them to what the chart and the install manifest expect.
const repoRoot = new URL('../../', import.meta.url).pathname;
const IMAGES = [
  { name: 'gateway', file: 'deploy/docker/gateway.Dockerfile' },
  { name: 'agent', file: 'deploy/docker/agent.Dockerfile' },
] as const;

/** Relative imports and `new URL('…', import.meta.url)` reads of a source file. */
function localReferences(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  const patterns = [
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*'(\.{1,2}\/[^']+)'/gm,
    /import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g,
    /new URL\(\s*'(\.{1,2}\/[^']*)',\s*import\.meta\.url\s*\)/g,
  ];
  for (const pattern of patterns)
    for (const match of text.matchAll(pattern)) found.add(resolve(dirname(file), match[1] as string));
  return [...found];
}

/** Every repository file the entrypoint reaches through relative imports and URL reads. */
function reachableFiles(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.endsWith('.ts')) queue.push(...localReferences(file));
  }
  return seen;
}

for (const image of IMAGES) {
  describe(`the ${image.name} Dockerfile`, () => {
    const instructions = parseDockerfile(readFileSync(join(repoRoot, image.file), 'utf8'));
    const stages = instructions.filter((i) => i.keyword === 'FROM');
    const last = stages.length - 1;
    const inLast = (i: Instruction) => i.stage === last;

    test('builds in stages, each from a pinned Node 24 image, and copies the build stage into the last', () => {
      assert.ok(stages.length >= 2, 'multi-stage');
      for (const from of stages) assert.match(from.args, /^node:24\.\d+\.\d+-[a-z-]+(\s+AS\s+\w+)?$/i);
      const buildName = /\s+AS\s+(\w+)$/i.exec(stages[0]?.args ?? '')?.[1];
      assert.ok(buildName, 'the first stage is named');
      assert.ok(
        instructions.some((i) => inLast(i) && i.keyword === 'COPY' && copySources(i.args).from === buildName),
        'the last stage copies from the build stage',
      );
    });

    test('installs production dependencies from the lock file in the build stage, never in the last', () => {
      const runs = instructions.filter((i) => i.keyword === 'RUN');
      assert.ok(runs.some((i) => i.stage === 0 && /\bnpm ci\b.*--omit=dev/.test(i.args)));
      assert.ok(!runs.some((i) => inLast(i) && /\bnpm\b/.test(i.args)));
    });

    test('runs as a numeric non-root user, set in the last stage', () => {
      const users = instructions.filter((i) => inLast(i) && i.keyword === 'USER');
      const user = users.at(-1)?.args ?? '';
      assert.match(user, /^\d+(:\d+)?$/, 'numeric, so that runAsNonRoot can check it');
      assert.notEqual(Number(user.split(':')[0]), 0);
    });

    test('fetches nothing with ADD and takes no file from outside the repository', () => {
      assert.ok(!instructions.some((i) => i.keyword === 'ADD'), 'COPY only');
      for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !copySources(i.args).from))
        for (const source of copySources(copy.args).sources) {
          assert.doesNotMatch(source, /^[a-z]+:\/\//);
          assert.ok(existsSync(join(repoRoot, source)), `${source} exists in the repository`);
        }
    });

    test('starts an entrypoint that exists, whose local imports and file reads all are in the image', () => {
      const entrypoint = execForm(instructions.findLast((i) => i.keyword === 'ENTRYPOINT')?.args ?? '');
      assert.ok(entrypoint, 'exec form');
      assert.equal(entrypoint[0], 'node');
      const script = join(repoRoot, entrypoint[1] as string);
      assert.ok(existsSync(script), `${entrypoint[1]} exists`);
      const copied = instructions
        .filter((i) => i.keyword === 'COPY' && !copySources(i.args).from)
        .flatMap((i) => copySources(i.args).sources);
      const outside = [...reachableFiles(script)]
        .map((file) => relative(repoRoot, file))
        .filter((file) => !copied.some((source) => file === source || file.startsWith(`${source}/`)));
      assert.deepEqual(outside, []);
    });
  });
}

describe('the image build context', () => {
  test('.dockerignore keeps out what the images never need and keeps in what they copy', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const heavy of ['.git', 'node_modules', '.test-runs']) assert.ok(ignored.includes(heavy));
    for (const image of IMAGES) {
      const copied = parseDockerfile(readFileSync(join(repoRoot, image.file), 'utf8'))
        .filter((i) => i.keyword === 'COPY' && !copySources(i.args).from)
        .flatMap((i) => copySources(i.args).sources);
      for (const source of copied) assert.ok(!ignored.includes(source), `${source} is in the context`);
    }
  });

  test('the agent image user is the one the install manifest runs the agent as', () => {
    const manifest = readFileSync(join(repoRoot, 'src/clusters/install-manifest.ts'), 'utf8');
    const runAsUser = /runAsUser:\s*(\d+)/.exec(manifest)?.[1];
    const user = parseDockerfile(readFileSync(join(repoRoot, 'deploy/docker/agent.Dockerfile'), 'utf8'))
      .findLast((i) => i.keyword === 'USER')
      ?.args.split(':')[0];
    assert.equal(user, runAsUser);
  });
});
