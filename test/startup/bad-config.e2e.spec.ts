import { describe, expect, it } from '@jest/globals';
import { runTs } from '../support/processes.js';

const BAD_VALUES: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['BASE_URL', 'not a url'],
  ['DATABASE_URL', 'mysql://localhost/x'],
  ['EVENTSTORE_URL', 'http://localhost:2113'],
  ['REDIS_URL', 'localhost:6379'],
  ['FORGEJO_URL', 'forgejo.example.com'],
  ['FORGEJO_TIMEOUT_MS', '30s'],
  ['SMTP_URL', 'mail.example.com:25'],
  ['MAIL_FROM', 'nobody'],
  ['ADMIN_EMAIL', 'admin'],
  ['ADMIN_PASSWORD', 'short'],
  ['AUTH_RATE_LIMIT', 'many'],
  ['WEBHOOK_RATE_LIMIT', '1.5'],
  ['LOG_LEVEL', 'loud'],
];

const ENTRY_POINTS = ['scripts/start.ts', 'apps/api/src/main.ts', 'apps/worker/src/main.ts'];

describe('a bad configuration value stops the start', () => {
  it.each(BAD_VALUES)('%s=%s: one line naming it, non-zero exit (npm start)', async (variable, value) => {
    const run = runTs('scripts/start.ts', { [variable]: value });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(run.stdout()).toBe('');
  });

  it.each(ENTRY_POINTS)('%s checks before it connects to anything', async (entry) => {
    const run = runTs(entry, { PORT: '-3' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr().trim()).toMatch(/^Invalid configuration: PORT must be a whole number from 0 to 65535 \(got "-3"\)$/);
  });
});
