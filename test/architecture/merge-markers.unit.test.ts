import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');

// A conflict resolved by committing both sides once left two copies of a section and its
// markers in a document; nothing else would notice.
const MARKER = /^(<{7} |={7}$|>{7} )/m;
const TEXT_FILE = /\.(ts|md|graphql|ya?ml|json|sh|txt)$|^\.ci\/|Dockerfile/;

/** The files git tracks, or undefined outside a git work tree (a source archive). */
function trackedFiles(): string[] | undefined {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
  } catch {
    return undefined;
  }
}

describe('repository hygiene', () => {
  test('no tracked text file holds a merge-conflict marker', (context) => {
    const files = trackedFiles();
    if (!files) {
      context.diagnostic('not a git work tree: nothing to check');
      return;
    }
    const marked = files
      .filter((file) => TEXT_FILE.test(file) && !file.startsWith('src/generated/'))
      .filter((file) => {
        try {
          return MARKER.test(readFileSync(resolve(root, file), 'utf8'));
        } catch {
          return false; // listed but deleted in the work tree
        }
      });
    assert.ok(files.length > 100, `git listed only ${files.length} files`);
    assert.deepEqual(marked, []);
  });
});
