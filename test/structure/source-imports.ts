import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import or re-export that loads a module when its file loads: `import type` and the like left out. */
export interface LoadedImport {
  specifier: string;
  /** the file it resolves to, repo-relative, for a relative specifier; null for a package */
  file: string | null;
}

const STATEMENT = /^[ \t]*(?:import|export)\s+(type\s+)?([^;'"]*?)\s*from\s+['"]([^'"]+)['"]|^[ \t]*import\s+['"]([^'"]+)['"]/gm;

// `import { type A, type B } from …` loads nothing either: every name in it is a type
const onlyTypes = (clause: string) => {
  const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1].split(',').map((name) => name.trim()).filter(Boolean);
  return names !== undefined && names.length > 0 && names.every((name) => name.startsWith('type '));
};

/** The static imports of a source file that load something at run time (dynamic `import()`s load later, if ever). */
export function loadedImports(root: string, path: string): LoadedImport[] {
  const text = readFileSync(join(root, path), 'utf8');
  const found: LoadedImport[] = [];
  for (const match of text.matchAll(STATEMENT)) {
    const [, typeOnly, clause, from, bare] = match;
    if (typeOnly || (clause !== undefined && onlyTypes(clause))) continue;
    const specifier = from ?? bare;
    if (!specifier.startsWith('.')) found.push({ specifier, file: null });
    else {
      const target = relative(root, resolve(dirname(join(root, path)), specifier)).replace(/\.js$/, '.ts');
      found.push({ specifier, file: existsSync(join(root, target)) ? target : `${target} (missing)` });
    }
  }
  return found;
}

/** Every package a file loads, through every project file it loads in turn: `package ← file ← … ← start`. */
export function packagesLoadedBy(root: string, start: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>([start]);
  const queue: Array<{ file: string; chain: string[] }> = [{ file: start, chain: [start] }];
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    for (const { specifier, file: next } of loadedImports(root, file)) {
      if (next === null) {
        if (!packages.has(specifier)) packages.set(specifier, chain);
      } else if (!seen.has(next) && !next.endsWith('(missing)')) {
        seen.add(next);
        queue.push({ file: next, chain: [next, ...chain] });
      }
    }
  }
  return packages;
}
