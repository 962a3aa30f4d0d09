import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { packagesLoadedBy } from './source-imports.js';
import { withTempTree } from './temp-tree.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

// the libs whose index a script (the command line) may load: their Nest pieces are in *.module.ts and nest.ts
const PURE_INDEXES = ['libs/config', 'libs/database', 'libs/queues', 'libs/ticket-domain', 'libs/auth', 'libs/observability', 'libs/mail', 'libs/forgejo', 'libs/admin'];

const isNest = (specifier: string) => specifier.startsWith('@nestjs/') || specifier === 'nestjs-pino';

/** What of Nest a file loads, each as `package ← file ← … ← start`. */
const nestLoadedBy = (start: string) =>
  [...packagesLoadedBy(root, start)].filter(([specifier]) => isNest(specifier)).map(([specifier, chain]) => `${specifier} ← ${chain.join(' ← ')}`);

describe("the libs' indexes hold their pure parts", () => {
  it.each(PURE_INDEXES)('%s/src/index.ts loads no Nest, however deep', (lib) => {
    expect(nestLoadedBy(`${lib}/src/index.ts`)).toEqual([]);
  });

  it('the command line makes an admin without loading Nest', () => {
    expect(nestLoadedBy('apps/cli/src/create-admin.command.ts')).toEqual([]);
  });
});

describe('the loaded-imports reader itself', () => {
  it('follows re-exports and value imports, not type-only ones', () => {
    const files = {
      'libs/a/src/index.ts': "export * from './deep.js';\nimport type { X } from './typed.js';\nimport { type Y } from './typed.js';\nexport type { Z } from './typed.js';\n",
      'libs/a/src/deep.ts': "import {\n  Injectable,\n} from '@nestjs/common';\nimport 'reflect-metadata';\nexport const later = () => import('@nestjs/core');\n",
      'libs/a/src/typed.ts': "import { Module } from '@nestjs/swagger';\n",
    };
    withTempTree(files, (tree) => {
      const loaded = packagesLoadedBy(tree, 'libs/a/src/index.ts');
      expect([...loaded.keys()].sort()).toEqual(['@nestjs/common', 'reflect-metadata']);
      expect(loaded.get('@nestjs/common')).toEqual(['libs/a/src/deep.ts', 'libs/a/src/index.ts']);
    });
  });
});
