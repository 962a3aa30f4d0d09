import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs `work` over a throwaway tree holding `files` (path → text), removed afterwards whatever happens. */
export function withTempTree(files: Record<string, string>, work: (root: string) => void): void {
  const tree = mkdtempSync(join(tmpdir(), 'structure-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(tree, path, '..'), { recursive: true });
      writeFileSync(join(tree, path), text);
    }
    work(tree);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}
