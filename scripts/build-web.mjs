// Builds the web app (apps/web) into apps/web/dist with Vite, unless nothing it is built from changed since
// the last build: a hash of its sources, the lockfile and this script is kept beside the output.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'apps/web');
export const WEB_DIST = join(web, 'dist');
const stamp = join(WEB_DIST, '.build-hash');

async function* files(dir) {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

async function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [join(root, 'package-lock.json'), fileURLToPath(import.meta.url)]) hash.update(await readFile(file));
  for await (const file of files(web)) hash.update(relative(web, file)).update(await readFile(file));
  return hash.digest('hex');
}

/** Builds when needed; resolves to true when it built, false when the last build still stands. */
export async function buildWeb() {
  const hash = await sourceHash();
  const built = await readFile(stamp, 'utf8').catch(() => null);
  if (built === hash) return false;
  const { build } = await import('vite');
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  await writeFile(stamp, hash);
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const built = await buildWeb();
  console.log(built ? `built the web app into apps/web/dist in ${Date.now() - started} ms` : 'the web app is up to date');
}
