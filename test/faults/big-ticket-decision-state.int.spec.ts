import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { EventMetadata } from '../../libs/event-store/src/index.js';
import { TicketReader } from '../../libs/ticket-commands/src/ticket-reader.js';
import { SAVE_STATE_EVERY, TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import { TICKET_STATE_FORMAT, type TicketCommand } from '../../libs/ticket-domain/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';

const SYSTEM = (): EventMetadata => ({ actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() });
const NOW = () => new Date().toISOString();

// architecture.md "Staying up": a command reads the decision state kept beside the stream, not every comment. The
// row is only a cache: missing, stale, ahead of the stream or of an old format, the decision is still the right one.
describe('the decision state beside a ticket stream', () => {
  let api: TestApi;
  let customer: { token: string; id: string; email: string };
  const run = (ticketId: string, command: TicketCommand) => api.app.get(TicketCommandRunner).run(ticketId, command, SYSTEM());
  const comment = (commentId: string): TicketCommand => ({
    type: 'AddComment',
    data: { commentId, body: `comment ${commentId}`, authorId: customer.id, authorEmail: customer.email, now: NOW() },
  });
  const row = async (ticketId: string) =>
    (await api.db.pool.query<{ revision: number; state: any }>('SELECT revision, state FROM ticket_decision_state WHERE ticket_id = $1', [ticketId])).rows[0];
  const revisions = async (ticketId: string) =>
    (await api.db.pool.query<{ revision: number }>('SELECT revision FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${ticketId}`])).rows.map((r) => r.revision);
  const newTicket = async () =>
    (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'state-desk', title: 'T', description: 'D' } })).body.id as string;

  beforeAll(async () => {
    api = await startTestApi(adminEnv);
    await createRepo(api.url, await adminToken(api.url), 'state-desk');
    customer = await newCustomer(api.url, 'state');
  });
  afterAll(async () => {
    await api.close();
  });

  // SAVE_STATE_EVERY events after the row (or after nothing, for a new ticket) have it written again
  const comments = async (ticketId: string, count: number) => {
    for (let i = 0; i < count; i++) await run(ticketId, comment(randomUUID()));
  };

  it(`is written once ${SAVE_STATE_EVERY} events follow it, at the revision of the last event`, async () => {
    const ticketId = await newTicket();
    // a few events cost a command less to fold than the row costs to write after every append
    await comments(ticketId, SAVE_STATE_EVERY - 2);
    expect(await row(ticketId)).toBeUndefined();
    await comments(ticketId, 1);
    expect((await row(ticketId)).revision).toBe(SAVE_STATE_EVERY - 1);
    await comments(ticketId, SAVE_STATE_EVERY - 1);
    expect((await row(ticketId)).revision).toBe(SAVE_STATE_EVERY - 1);
    await comments(ticketId, 1);
    const saved = await row(ticketId);
    expect(saved.revision).toBe(2 * SAVE_STATE_EVERY - 1);
    expect(saved.state.state.customerComments).toBe(2 * SAVE_STATE_EVERY - 1);
  });

  it('decides right without a row, and writes it again', async () => {
    const ticketId = await newTicket();
    const first = randomUUID();
    await run(ticketId, comment(first));
    await comments(ticketId, SAVE_STATE_EVERY);
    await api.db.pool.query('DELETE FROM ticket_decision_state WHERE ticket_id = $1', [ticketId]);
    // the same comment again is a retry: nothing new, even though no row remembers it
    expect((await run(ticketId, comment(first))).events).toEqual([]);
    await run(ticketId, comment(randomUUID()));
    expect(await revisions(ticketId)).toEqual(Array.from({ length: SAVE_STATE_EVERY + 3 }, (_, i) => i));
    expect((await row(ticketId)).revision).toBe(SAVE_STATE_EVERY + 2);
  });

  it('decides right from a stale row: the events after it are folded in', async () => {
    const ticketId = await newTicket();
    await comments(ticketId, SAVE_STATE_EVERY);
    const stale = await row(ticketId);
    const later = randomUUID();
    await comments(ticketId, SAVE_STATE_EVERY - 1);
    await run(ticketId, comment(later));
    // put the row back as it was before the later comments
    await api.db.pool.query('UPDATE ticket_decision_state SET revision = $2, state = $3 WHERE ticket_id = $1', [ticketId, stale.revision, stale.state]);
    expect((await run(ticketId, comment(later))).events).toEqual([]);
    const state = await api.app.get(TicketReader).state(ticketId);
    expect(state.status === 'open' && state.customerComments).toBe(2 * SAVE_STATE_EVERY);
    await run(ticketId, comment(randomUUID()));
    expect(await revisions(ticketId)).toEqual(Array.from({ length: 2 * SAVE_STATE_EVERY + 2 }, (_, i) => i));
  });

  it("decides on the caller's own read of the ticket without reading it again, and reads again when that was stale", async () => {
    const ticketId = await newTicket();
    const reader = api.app.get(TicketReader);
    const runner = api.app.get(TicketCommandRunner);
    const first = randomUUID();
    const read = await reader.read(ticketId, () => [0]);
    const loads = jest.spyOn(reader, 'load');
    try {
      await runner.run(ticketId, comment(first), SYSTEM(), { loaded: read });
      expect(loads).not.toHaveBeenCalled();
      // that read does not know the comment now in the stream: the append at its revision conflicts, the ticket is
      // read again, and the comment is known there (a retry: nothing new)
      expect((await runner.run(ticketId, comment(first), SYSTEM(), { loaded: read })).events).toEqual([]);
      expect(loads).toHaveBeenCalledTimes(1);
    } finally {
      loads.mockRestore();
    }
    expect(await revisions(ticketId)).toEqual([0, 1]);
  });

  it('decides right when the row claims more than the stream holds, or is of another format', async () => {
    const ticketId = await newTicket();
    await comments(ticketId, SAVE_STATE_EVERY);
    await api.db.pool.query('UPDATE ticket_decision_state SET revision = 40 WHERE ticket_id = $1', [ticketId]);
    await run(ticketId, comment(randomUUID()));
    expect(await revisions(ticketId)).toEqual(Array.from({ length: SAVE_STATE_EVERY + 2 }, (_, i) => i));
    // and the row is put right at once
    expect((await row(ticketId)).revision).toBe(SAVE_STATE_EVERY + 1);

    await api.db.pool.query(`UPDATE ticket_decision_state SET state = '{"format": 0, "state": {"status": "none"}}' WHERE ticket_id = $1`, [ticketId]);
    const state = await api.app.get(TicketReader).state(ticketId);
    expect(state.status === 'open' && state.customerComments).toBe(SAVE_STATE_EVERY + 1);
    // a row it cannot read counts as none: the whole stream is folded, so the next command writes it anew
    await run(ticketId, comment(randomUUID()));
    expect(await revisions(ticketId)).toEqual(Array.from({ length: SAVE_STATE_EVERY + 3 }, (_, i) => i));
    expect((await row(ticketId)).state.format).toBe(TICKET_STATE_FORMAT);
  });

  it('keeps the newest when an older write comes late', async () => {
    const ticketId = await newTicket();
    await comments(ticketId, SAVE_STATE_EVERY - 1);
    const { TicketDecisionStates } = await import('../../libs/ticket-commands/src/ticket-decision-state.repository.js');
    await api.app.get(TicketDecisionStates).save(ticketId, { revision: 0, state: { status: 'none' } });
    expect((await row(ticketId)).revision).toBe(SAVE_STATE_EVERY - 1);
  });
});
