// `npm run admin -- <command>`: the operator's command line (history, rebuild, resync, create-admin). It reads
// the service's environment variables and works on the same database and event store, without an API running.
// The help and a usage error answer at once; each command loads what it needs when it runs.
import { parseArgs, USAGE, UsageError } from './args.js';
import { runAdminCommand } from './commands.js';
import { loadConfigOrExit } from '../../../libs/config/src/index.js';

/** Exits once stdout has taken everything written to it (a pipe may still hold the last lines). */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

let command;
try {
  command = parseArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`admin: ${error.message}\n\n${USAGE}`);
  exit(2);
}
if (command?.command === 'help') {
  process.stdout.write(USAGE);
  exit(0);
} else if (command) {
  const config = loadConfigOrExit();
  exit(await runAdminCommand(command, config, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }));
}
