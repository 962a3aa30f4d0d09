import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds the web app (apps/web → apps/web/dist) unless the last build still stands: for tests that serve it. In a
 * process of its own: Vite 8 (rolldown) refuses plugin objects made in jest's VM realm ("Value is none of these
 * types `BindingPluginOptions`"), so a build inside a test fails whenever one is really needed.
 */
export async function ensureWebAppBuilt(): Promise<void> {
  await promisify(execFile)(process.execPath, ['scripts/build-web.mjs'], { cwd: root, timeout: 120_000 }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`building the web app failed: ${error.message}\n${error.stderr ?? ''}`);
  });
}
