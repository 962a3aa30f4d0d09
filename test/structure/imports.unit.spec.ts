import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { cycles, folderEdges, importEdges } from './import-graph.js';
import { withTempTree } from './temp-tree.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The layers, bottom first: a folder imports only folders of lower layers. The order, apps → feature libs
 * → read models / domain → event store → database → config, with the infrastructure between them placed too.
 */
const LAYERS: string[][] = [
  ['libs/config'],
  ['libs/database'],
  ['libs/event-store'],
  ['libs/projections', 'libs/ticket-domain'],
  ['libs/read-models'],
  ['libs/auth', 'libs/queues', 'libs/repos', 'libs/ticket-commands', 'libs/sagas'],
  ['libs/observability'],
  ['libs/tickets', 'libs/forgejo', 'libs/mail'],
  ['libs/admin'],
  ['apps/api', 'apps/worker', 'apps/cli'],
];
const layerOf = new Map(LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)));

describe('the import graph of apps/ and libs/ (tests aside)', () => {
  const graph = folderEdges(importEdges(root));

  it('has no two folders that import each other, directly or round about', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('places every folder in a layer', () => {
    expect([...graph.keys()].filter((folder) => !layerOf.has(folder))).toEqual([]);
  });

  it('only imports downwards: apps → feature libs → read models / domain → event store → database → config', () => {
    const upwards: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) {
        if ((layerOf.get(to) ?? Infinity) >= (layerOf.get(from) ?? -1)) upwards.push(`${from} → ${to}`);
      }
    }
    expect(upwards).toEqual([]);
  });

  it('keeps tests, fixtures and test support out of the code', () => {
    const intoTests = importEdges(root).filter(({ to }) => to.startsWith('test/'));
    expect(intoTests).toEqual([]);
  });
});

describe('the import-graph reader itself', () => {
  it('sees a cycle between two folders and an import of test support', () => {
    const files = {
      'libs/a/src/a.ts': "import { b } from '../../b/src/b.js';\nexport const a = b;\n",
      'libs/b/src/b.ts': "export { a } from '../../a/src/a.js';\nexport const b = 1;\n",
      'libs/b/src/c.ts': "const later = await import('../../../test/support/x.js');\n",
      'libs/b/src/b.spec.ts': "import '../../a/src/a.js';\n",
    };
    withTempTree(files, (tree) => {
      const edges = importEdges(tree, ['libs']);
      expect(cycles(folderEdges(edges))).toEqual([['libs/a', 'libs/b', 'libs/a']]);
      expect(edges.filter(({ to }) => to.startsWith('test/'))).toEqual([{ from: 'libs/b/src/c.ts', to: 'test/support/x.ts' }]);
      expect(edges.some(({ from }) => from.endsWith('.spec.ts'))).toBe(false);
    });
  });
});

describe('the layout', () => {
  it('names every test by its kind: unit (no I/O), int (real Postgres, Redis, SMTP) or e2e (whole processes)', () => {
    const specs = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.spec.ts'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(specs.length).toBeGreaterThan(40);
    expect(specs.filter((path) => !/\.(unit|int|e2e)\.spec\.ts$/.test(path))).toEqual([]);
  });

  it('lists every app and lib in nest-cli.json', () => {
    const listed = Object.values(JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')).projects as Record<string, { root: string }>)
      .map((project) => project.root)
      .sort();
    // apps/web is the browser app, built by Vite (scripts/build-web.mjs), not a Nest project
    const present = ['apps', 'libs']
      .flatMap((top) => readdirSync(join(root, top)).map((name) => `${top}/${name}`))
      .filter((folder) => folder !== 'apps/web')
      .sort();
    expect(listed).toEqual(present);
  });
});
