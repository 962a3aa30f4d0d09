// `npm run build`: compiles every TypeScript source (tests aside) to dist/ with swc, one file for one file, in
// about a second. Type checking is `npm run typecheck` (tsc), which `npm test` runs first.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';
import { swcOptions } from './swc-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist');

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // the web app is built by Vite (scripts/build-web.mjs), for the browser
    if (path === join(root, 'apps', 'web')) continue;
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

await rm(out, { recursive: true, force: true });
let count = 0;
for (const top of ['apps', 'libs', 'scripts', 'bench']) {
  for await (const file of sources(join(root, top))) {
    const target = join(out, relative(root, file)).replace(/\.ts$/, '.js');
    const { code } = await transformFile(file, swcOptions(file));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
    count++;
  }
}
console.log(`built ${count} files into dist/`);
