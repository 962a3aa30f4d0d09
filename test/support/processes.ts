import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a TypeScript entry point of this repo in a child process with `args`, collecting its output. Its stdin is
 * empty unless `input` is given: then that text is piped in and stdin closed.
 */
export function runTs(
  entry: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  { input }: { input?: string } = {},
): RunningProcess {
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', entry, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) {
    // a child that exits before reading all of it must not fail the test with EPIPE
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input);
  }
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}
