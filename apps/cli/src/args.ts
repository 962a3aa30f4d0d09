/** The admin command line: what `npm run admin -- <command>` accepts. */
export type AdminCommand =
  | { command: 'help' }
  | { command: 'history'; ticketId: string; json: boolean }
  | { command: 'rebuild' }
  | { command: 'resync'; ticketId: string }
  | { command: 'create-admin'; email: string };

export const USAGE = `Usage: npm run admin -- <command> [arguments]

Commands:
  history <ticketId> [--json]  print the ticket's whole event stream in order (as JSON with --json)
  rebuild                      rebuild every read model from the event log (progress on stderr)
  resync <ticketId>            try the ticket's failed Forgejo syncs again (the worker does the work)
  create-admin <email>         create that admin account, or make that account an admin with a new
                               password; the password is asked for without echo, or read from the
                               first line of stdin when stdin is not a terminal (8 to 200 characters)
  --help                       show this help

Configuration comes from the service's environment variables (DATABASE_URL, EVENTSTORE_URL, LOG_LEVEL...).
Exit codes: 0 done, 1 failed, 2 bad usage.
`;

/** A command line that names no command, an unknown one, or the wrong arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const COMMANDS: Record<string, { args: string[]; options: string[] }> = {
  history: { args: ['ticketId'], options: ['--json'] },
  rebuild: { args: [], options: [] },
  resync: { args: ['ticketId'], options: [] },
  'create-admin': { args: ['email'], options: [] },
};

export function parseArgs(argv: string[]): AdminCommand {
  if (argv.some((arg) => arg === '--help' || arg === '-h') || argv[0] === 'help') return { command: 'help' };
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no command given');
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`unknown command "${name}"`);
  const options = new Set<string>();
  const positional: string[] = [];
  let optionsEnded = false;
  for (const arg of rest) {
    if (!optionsEnded && arg === '--') optionsEnded = true;
    else if (!optionsEnded && arg.startsWith('-') && arg.length > 1) {
      if (!spec.options.includes(arg)) throw new UsageError(`${name} has no option ${arg}`);
      options.add(arg);
    } else positional.push(arg);
  }
  if (positional.length !== spec.args.length) {
    const wanted = spec.args.length ? spec.args.map((a) => `<${a}>`).join(' ') : 'no arguments';
    throw new UsageError(`${name} takes ${wanted}`);
  }
  switch (name) {
    case 'history':
      return { command: 'history', ticketId: positional[0], json: options.has('--json') };
    case 'resync':
      return { command: 'resync', ticketId: positional[0] };
    case 'create-admin':
      return { command: 'create-admin', email: positional[0] };
    default:
      return { command: 'rebuild' };
  }
}
