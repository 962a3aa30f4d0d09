import type { Writable } from 'node:stream';
import type { PasswordInput } from './password.js';
import type { ProgressOutput } from './progress.js';

export interface CliIo {
  stdin: PasswordInput;
  stdout: Writable;
  stderr: Writable & ProgressOutput;
}

/** A command that could not do its work for a reason the operator can act on: the message, and exit code 1. */
export class CommandFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailed';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id, lower-cased; a CommandFailed when it is not even a UUID (as the HTTP routes answer 404 for it). */
export function ticketIdOrFail(value: string): string {
  if (!UUID.test(value)) throw new CommandFailed(`"${value}" is not a ticket id (a UUID)`);
  return value.toLowerCase();
}

export const line = (out: Writable, text: string) => out.write(`${text}\n`);
