// `npm start`: validates the configuration once, then runs the API and the worker side by side. SIGTERM and
// SIGINT are passed on so that both drain; when one exits on its own, the other is stopped too.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../libs/config/src/index.js';
import { APP_NODE_FLAGS } from './app-node-flags.js';

loadConfigOrExit();

// Built (dist/scripts/start.js) it runs the built apps; from source (the .ts loader) it runs the sources.
const compiled = import.meta.url.endsWith('.js');
const root = fileURLToPath(new URL(compiled ? '../..' : '..', import.meta.url));
const apps = ['apps/api/src/main', 'apps/worker/src/main'];
const children: ChildProcess[] = apps.map((entry) =>
  spawn(process.execPath, [...APP_NODE_FLAGS, ...(compiled ? [`dist/${entry}.js`] : ['--import', './scripts/register-ts.mjs', `${entry}.ts`])], {
    cwd: root,
    stdio: 'inherit',
  }),
);

let exitCode = 0;
let stopping = false;
const stopAll = (signal: NodeJS.Signals) => {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGTERM', () => stopAll('SIGTERM'));
process.on('SIGINT', () => stopAll('SIGTERM'));

await Promise.all(
  children.map(
    (child) =>
      new Promise<void>((resolve) =>
        child.once('exit', (code, signal) => {
          if (!stopping) {
            process.stderr.write(`${apps[children.indexOf(child)]} exited (${signal ?? code}); stopping the rest\n`);
            exitCode = 1;
            stopAll('SIGTERM');
          } else if (code) exitCode = code;
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
