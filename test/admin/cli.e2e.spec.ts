import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer, uniqueEmail } from '../support/http.js';
import { runTs } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';
import { holdRebuild } from './support.js';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the admin command line (npm run admin)', () => {
  let api: TestApi;
  let alice: { token: string; id: string; email: string };

  /** Runs `apps/cli/src/main.ts` with `args` against the test database; at most 30 s. */
  async function admin(args: string[], input?: string, env: Record<string, string> = {}): Promise<Finished> {
    const run = runTs('apps/cli/src/main.ts', { DATABASE_URL: api.db.url, LOG_LEVEL: 'error', ...env }, args, { input });
    try {
      await waitUntil(() => run.child.exitCode !== null || run.child.signalCode !== null, {
        timeoutMs: 30000,
        intervalMs: 50,
        what: `admin ${args.join(' ')} to exit (stderr: ${run.stderr()})`,
      });
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  const fileTicket = async (title: string, requestId: string) => {
    const created = await call(api.url, 'POST', '/tickets', {
      token: alice.token,
      body: { repo: 'desk', title, description: `about ${title}` },
      headers: { 'x-request-id': requestId },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const streamOf = async (ticketId: string) =>
    (await api.db.pool.query('SELECT revision, type, data, metadata FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${ticketId}`])).rows;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    await createRepo(api.url, await adminToken(api.url), 'desk');
    alice = await newCustomer(api.url, 'alice');
  });
  afterAll(async () => {
    await api.close();
  });

  describe('usage', () => {
    it('prints the help with --help and exits 0', async () => {
      const help = await admin(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^Usage: npm run admin -- <command>/);
      for (const command of ['history <ticketId>', 'rebuild', 'resync <ticketId>', 'create-admin <email>']) expect(help.stdout).toContain(command);
    });

    it.each([
      ['no command', []],
      ['an unknown command', ['frobnicate']],
      ['history without a ticket id', ['history']],
      ['history with two ticket ids', ['history', randomUUID(), randomUUID()]],
      ['an unknown option', ['rebuild', '--force']],
      ['create-admin without an email', ['create-admin']],
    ])('exits 2 with the usage on stderr for %s', async (_, args) => {
      const run = await admin(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: npm run admin');
      expect(run.stdout).toBe('');
    });

    it("exits 1 with the service's one line for a bad configuration", async () => {
      const run = await admin(['rebuild'], undefined, { DATABASE_URL: 'mysql://nope' });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('Invalid configuration: DATABASE_URL must be a URL starting with postgres:// or postgresql://\n');
    });
  });

  describe('history <ticketId>', () => {
    it("prints a ticket's events in order, who caused each and the correlation ids", async () => {
      const id = await fileTicket('Printer on fire', 'corr-cli-1');
      await call(api.url, 'POST', `/tickets/${id}/comments`, { token: alice.token, body: { body: 'Still burning' }, headers: { 'x-request-id': 'corr-cli-2' } });

      const run = await admin(['history', id]);
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe(`ticket ${id}: 2 events`);
      const created = lines.findIndex((l) => l.startsWith('#0 ') && l.includes('TicketCreated'));
      const commented = lines.findIndex((l) => l.startsWith('#1 ') && l.includes('CommentAdded'));
      expect(created).toBeGreaterThan(0);
      expect(commented).toBeGreaterThan(created);
      expect(lines[created]).toContain(`by customer ${alice.id}`);
      expect(lines[created + 1]).toContain('correlation corr-cli-1');
      expect(lines[commented + 1]).toContain('correlation corr-cli-2');
      expect(run.stdout).toContain('"title":"Printer on fire"');
      expect(run.stdout).toContain('"body":"Still burning"');
    });

    it('prints the same as GET /admin/tickets/:id/history with --json', async () => {
      const id = await fileTicket('As JSON', 'corr-cli-3');
      const run = await admin(['history', id, '--json']);
      expect(run.code).toBe(0);
      const printed = JSON.parse(run.stdout);
      const served = await call(api.url, 'GET', `/admin/tickets/${id}/history`, { token: await adminToken(api.url) });
      expect(printed).toEqual(served.body);
      expect(printed.events.map(({ revision, type, data, metadata }: Record<string, unknown>) => ({ revision, type, data, metadata }))).toEqual(await streamOf(id));
    });

    it('exits 1 with a message for an unknown ticket and for an id that is no ticket id', async () => {
      const unknown = randomUUID();
      const missing = await admin(['history', unknown]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`ticket ${unknown} not found`);
      expect(missing.stdout).toBe('');
      const malformed = await admin(['history', 'ticket-42']);
      expect(malformed.code).toBe(1);
      expect(malformed.stderr).toContain('"ticket-42" is not a ticket id');
    });
  });

  describe('resync <ticketId>', () => {
    it('appends ForgejoSyncRetryRequested, caused by the command line, and the failure leaves the list', async () => {
      const id = await fileTicket('Refused by Forgejo', 'corr-cli-4');
      const system = { actor: { type: 'system' as const }, correlationId: randomUUID(), causationId: randomUUID() };
      await api.app.get(TicketCommandRunner).run(id, { type: 'RecordSyncFailure', data: { commentId: null, reason: '422 refused', attempts: 1, now: new Date().toISOString() } }, system);

      const run = await admin(['resync', id]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`resync requested for ticket ${id}`);
      const stream = await streamOf(id);
      expect(stream.map((e) => e.type)).toEqual(['TicketCreated', 'ForgejoIssueSyncFailed', 'ForgejoSyncRetryRequested']);
      expect(stream[2].metadata).toEqual({
        actor: { type: 'admin', id: 'cli' },
        correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        via: 'cli',
      });
      // the API's live projection clears the failure from the read model
      const token = await adminToken(api.url);
      await waitUntil(
        async () => !(await call(api.url, 'GET', '/admin/sync-failures', { token })).body.tickets.some((t: { ticketId: string }) => t.ticketId === id),
        { what: 'the failure to leave GET /admin/sync-failures' },
      );
    });

    it('exits 1 for an unknown ticket, appending nothing', async () => {
      const unknown = randomUUID();
      const run = await admin(['resync', unknown]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`ticket ${unknown} not found`);
      expect(await streamOf(unknown)).toEqual([]);
    });
  });

  describe('create-admin <email>', () => {
    const login = (email: string, password: string) => call(api.url, 'POST', '/auth/login', { body: { email, password } });

    it('creates an admin from the password on stdin, who can then log in and call admin routes', async () => {
      const email = uniqueEmail('operator');
      const run = await admin(['create-admin', email], 'a strong password\n');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`admin account ${email} created`);
      expect(run.stdout + run.stderr).not.toContain('a strong password');
      const loggedIn = await login(email, 'a strong password');
      expect(loggedIn.status).toBe(200);
      expect((await call(api.url, 'GET', '/auth/me', { token: loggedIn.body.token })).body).toMatchObject({ email, role: 'admin' });
      expect((await call(api.url, 'GET', '/admin/tickets', { token: loggedIn.body.token })).status).toBe(200);

      // again with another password: changed, and the old one no longer works
      const again = await admin(['create-admin', email], 'another password');
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('updated (password)');
      expect((await login(email, 'a strong password')).status).toBe(401);
      expect((await login(email, 'another password')).status).toBe(200);
    });

    it('makes an existing customer an admin', async () => {
      const customer = await newCustomer(api.url, 'promoted');
      const run = await admin(['create-admin', customer.email], 'promoted password\n');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('updated (password, role admin)');
      const loggedIn = await login(customer.email, 'promoted password');
      expect((await call(api.url, 'GET', '/auth/me', { token: loggedIn.body.token })).body).toEqual({ id: customer.id, email: customer.email, role: 'admin' });
    });

    it.each([
      ['a password that is too short', ['create-admin', 'short@example.com'], 'short\n', /8 to 200 characters/],
      ['a password that is too long', ['create-admin', 'long@example.com'], `${'x'.repeat(201)}\n`, /8 to 200 characters/],
      ['no password on stdin', ['create-admin', 'none@example.com'], undefined, /no password/],
      ['an email that is no email', ['create-admin', 'not-an-email'], 'a strong password\n', /not an email address/],
    ])('exits 1 and creates nothing for %s', async (_, args, input, message) => {
      const run = await admin(args, input);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      const { rowCount } = await api.db.pool.query('SELECT 1 FROM accounts WHERE email_key = lower($1)', [args[1]]);
      expect(rowCount).toBe(0);
    });
  });

  describe('rebuild', () => {
    it('rebuilds the read models, with progress on stderr and the numbers on stdout', async () => {
      for (let i = 0; i < 5; i++) await fileTicket(`rebuilt ${i}`, `corr-rebuild-${i}`);
      const { rows } = await api.db.pool.query('SELECT count(*)::int AS count FROM events');
      const token = await adminToken(api.url);
      const before = (await call(api.url, 'GET', '/admin/tickets?limit=100', { token })).body.items;

      const run = await admin(['rebuild']);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`rebuilding the read models from the event log (${rows[0].count} events)`);
      // not a terminal: plain progress lines, no bar redrawn in place
      expect(run.stderr).toMatch(/^rebuilding: \d+\/\d+ events replayed$/m);
      expect(run.stderr).not.toContain('\r');
      const result = /^read models rebuilt: eventsReplayed=(\d+) durationMs=(\d+)$/m.exec(run.stdout);
      expect(result).not.toBeNull();
      expect(Number(result![1])).toBeGreaterThanOrEqual(rows[0].count);
      expect((await call(api.url, 'GET', '/admin/tickets?limit=100', { token })).body.items).toEqual(before);
    });

    it('exits 1 while another rebuild runs', async () => {
      const other = holdRebuild(api);
      await other.reading;
      try {
        const run = await admin(['rebuild']);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('already running');
      } finally {
        other.release();
        await other.done;
      }
    });
  });
});
