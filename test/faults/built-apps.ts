import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { memoryMb, snapshotOfBuild } from '../../bench/support.js';
import { APP_NODE_FLAGS } from '../../scripts/app-node-flags.js';
import { repoRoot } from '../support/processes.js';

export interface BuiltApp {
  name: 'api' | 'worker';
  child: ChildProcess;
  output: () => string;
}

/**
 * A fresh build (`npm run build`), copied aside so that another build cannot empty dist/ under the running apps. The
 * apps run built, as `npm start` and the Dockerfile run them: the sources' loader (register-ts) would add its own
 * thread and compiler, some 70 MB of resident memory each, to what is measured against the caps.
 */
export async function freshBuild(): Promise<{ root: string; remove(): Promise<void> }> {
  await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, timeout: 120_000 });
  return snapshotOfBuild();
}

/** An app as `npm start` runs it: its own node process, built, under the same heap cap. */
export function startBuiltApp(name: BuiltApp['name'], root: string, env: Record<string, string>): BuiltApp {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, `dist/apps/${name}/src/main.js`], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // keep only the tail: a log line per request would otherwise grow without end
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, child, output: () => output };
}

/** Throws, with its last output, when one of `apps` has exited. */
export function assertAlive(apps: BuiltApp[]): void {
  for (const app of apps) if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`${app.name} exited:\n${app.output()}`);
}

/** "api 209 MB, worker 166 MB": each app's peak resident memory (VmHWM). */
export function peakMemory(apps: BuiltApp[]): string {
  return apps.map((app) => `${app.name} ${memoryMb(app.child.pid!, 'VmHWM')?.toFixed(0) ?? '?'} MB`).join(', ');
}
