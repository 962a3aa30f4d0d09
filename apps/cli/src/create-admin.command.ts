import { isEmail } from 'class-validator';
import {
  AccountsRepository,
  EMAIL_MAX_LENGTH,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  TokenService,
  verifyPassword,
} from '../../../libs/auth/src/index.js';
import type { Config } from '../../../libs/config/src/index.js';
import { withInfrastructure } from './infrastructure.js';
import { CommandFailed, line, type CliIo } from './io.js';
import { promptHidden, PromptCancelled, readFirstLine } from './password.js';

/**
 * `create-admin <email>`: that account exists with role admin and the password given, as the ADMIN_EMAIL
 * bootstrap makes it: created, or (an existing account, customer or admin) given role admin and the password.
 */
export async function createAdmin({ email: given }: { email: string }, config: Config, io: CliIo): Promise<number> {
  const email = given.trim();
  // the rule of registration, so that whoever can register with an address can be made admin with it
  if (email.length > EMAIL_MAX_LENGTH || !isEmail(email, { require_tld: false })) throw new CommandFailed(`"${given}" is not an email address`);
  const password = await readPassword(email, io);
  return withInfrastructure(config, async ({ pool }) => {
    const result = await new AccountsRepository(pool).upsert(
      email,
      'admin',
      (stored) => verifyPassword(password, stored),
      () => hashPassword(password),
    );
    // as at the bootstrap: a new password ends the sessions of the old one
    if (result.passwordChanged && !result.created) await new TokenService(pool).revokeAll(result.account.id);
    const what = result.created
      ? 'created'
      : result.passwordChanged || result.roleChanged
        ? `updated (${[result.passwordChanged && 'password', result.roleChanged && 'role admin'].filter(Boolean).join(', ')})`
        : 'unchanged';
    line(io.stdout, `admin account ${result.account.email} ${what} (id ${result.account.id})`);
    return 0;
  });
}

/** From a terminal: asked twice, not echoed. Piped: the first line of stdin. Either way 8 to 200 characters. */
async function readPassword(email: string, io: CliIo): Promise<string> {
  let password: string;
  if (io.stdin.isTTY) {
    try {
      password = await promptHidden(`Password for ${email}: `, io.stdin, io.stderr);
      checkPassword(password);
      const again = await promptHidden('Repeat the password: ', io.stdin, io.stderr);
      if (again !== password) throw new CommandFailed('the passwords do not match');
    } catch (error) {
      if (error instanceof PromptCancelled) throw new CommandFailed('cancelled: no account changed');
      throw error;
    }
  } else {
    password = await readFirstLine(io.stdin);
    if (password === '') throw new CommandFailed('no password: type it at the prompt, or pipe it in on stdin');
  }
  checkPassword(password);
  return password;
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new CommandFailed(`the password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`);
  }
}
