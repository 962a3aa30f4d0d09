import type { Config } from '../../../libs/config/src/index.js';
import type { AdminCommand } from './args.js';
import { CommandFailed, type CliIo } from './io.js';

/**
 * Runs one parsed command (not `help`) and gives its exit code: 0 done, 1 failed (the reason as one line on
 * stderr). Each command loads only what it needs, so that a quick one starts quickly.
 */
export async function runAdminCommand(command: Exclude<AdminCommand, { command: 'help' }>, config: Config, io: CliIo): Promise<number> {
  try {
    switch (command.command) {
      case 'history':
        return await (await import('./history.command.js')).history(command, config, io);
      case 'rebuild':
        return await (await import('./rebuild.command.js')).rebuild(config, io);
      case 'resync':
        return await (await import('./resync.command.js')).resync(command, config, io);
      case 'create-admin':
        return await (await import('./create-admin.command.js')).createAdmin(command, config, io);
    }
  } catch (error) {
    if (error instanceof CommandFailed) io.stderr.write(`${error.message}\n`);
    else io.stderr.write(`${command.command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
