// Runs before `npm start` and `npm test`: installs the dependencies from the lockfile (`npm ci`) when
// node_modules is missing or older than package-lock.json, so a fresh clone needs no third command.
// No dependencies of its own: it runs before there are any.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mtime = (path) => {
  try {
    return statSync(new URL(path, `file://${root}/`)).mtimeMs;
  } catch {
    return null;
  }
};

// npm writes node_modules/.package-lock.json at the end of every install
const installed = mtime('node_modules/.package-lock.json');
const locked = mtime('package-lock.json');
if (installed === null || (locked !== null && installed < locked)) {
  process.stderr.write(installed === null ? 'node_modules is missing: npm ci\n' : 'package-lock.json changed: npm ci\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(`npm ci failed (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}
