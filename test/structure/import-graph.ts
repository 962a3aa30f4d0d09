import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A folder of the layout: an app (`apps/api`) or a lib (`libs/tickets`), or a read model (`libs/read-models/tickets`). */
export type Folder = string;

export interface ImportEdge {
  from: string;
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Every relative import between the project's own source files (tests aside), as repo-relative paths. */
export function importEdges(root: string, tops: string[] = ['apps', 'libs']): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const top of tops) {
    for (const file of sourceFiles(join(root, top))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORT)) {
        const target = match[1] ?? match[2];
        if (!target.startsWith('.')) continue;
        const to = relative(root, resolve(dirname(file), target)).replace(/\.js$/, '.ts');
        edges.push({ from: relative(root, file), to });
      }
    }
  }
  return edges;
}

/** The folder a file belongs to: `apps/x`, `libs/x`, or with `nested`, `libs/x/y` for libs laid out by part. */
export function folderOf(path: string, nested: ReadonlySet<string> = new Set()): Folder {
  const parts = path.split('/');
  const lib = `${parts[0]}/${parts[1]}`;
  if (nested.has(lib) && parts.length > 3) return `${lib}/${parts[2]}`;
  return lib;
}

/** Folder-level edges, self-edges dropped. */
export function folderEdges(edges: ImportEdge[], nested?: ReadonlySet<string>): Map<Folder, Set<Folder>> {
  const graph = new Map<Folder, Set<Folder>>();
  for (const { from, to } of edges) {
    const a = folderOf(from, nested);
    const b = folderOf(to, nested);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  return graph;
}

/** Every pair of folders that import each other, directly or through others (one cycle each, as a path). */
export function cycles(graph: Map<Folder, Set<Folder>>): Folder[][] {
  const found: Folder[][] = [];
  const seen = new Set<string>();
  for (const start of graph.keys()) {
    const stack: Array<{ node: Folder; path: Folder[] }> = [{ node: start, path: [start] }];
    const visited = new Set<Folder>();
    while (stack.length) {
      const { node, path } = stack.pop()!;
      for (const next of graph.get(node) ?? []) {
        if (next === start) {
          const key = [...path].sort().join('>');
          if (!seen.has(key)) {
            seen.add(key);
            found.push([...path, start]);
          }
        } else if (!visited.has(next)) {
          visited.add(next);
          stack.push({ node: next, path: [...path, next] });
        }
      }
    }
  }
  return found;
}
