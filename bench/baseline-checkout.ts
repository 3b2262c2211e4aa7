// A benchmark's baseline: another commit's gateway, exported beside the run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = new URL('../', import.meta.url).pathname;

/** A checkout of commit `ref`'s gateway, exported beside the run (it shares this checkout's node_modules). */
export function exportBaseline(ref: string, runDir: string): string {
  const dir = join(runDir, 'baseline-gateway');
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync(
    'git',
    ['-C', repoRoot, 'archive', ref, 'package.json', 'src', 'schema', 'resolvers'],
    {
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
