import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import type { Position } from '../../event-store/src/index.js';
import type { TicketState } from '../../ticket-domain/src/ticket.decider.js';
import { ticketStateFromJson, ticketStateToJson } from '../../ticket-domain/src/ticket-state.json.js';

export interface SavedDecisionState {
  /** the revision of the last event folded into `state` */
  revision: number;
  state: TicketState;
  /** where that last event stands in the global order (what a read of the ticket waits for), when known */
  position?: Position | null;
}

const positionOf = (json: unknown): Position | null => {
  const position = (json as { position?: { commit?: unknown; prepare?: unknown } } | null)?.position;
  return typeof position?.commit === 'string' && typeof position.prepare === 'string'
    ? { commit: BigInt(position.commit), prepare: BigInt(position.prepare) }
    : null;
};

/** The ticket_decision_state rows: a ticket's folded state as of a revision (a cache of its stream, never the truth). */
@Injectable()
export class TicketDecisionStates {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async read(ticketId: string): Promise<SavedDecisionState | null> {
    const { rows } = await this.pool.query<{ revision: number; state: unknown }>({
      name: 'ticket_decision_state_read',
      text: 'SELECT revision, state FROM ticket_decision_state WHERE ticket_id = $1',
      values: [ticketId],
    });
    if (rows.length === 0) return null;
    const state = ticketStateFromJson(rows[0].state);
    return state ? { revision: rows[0].revision, state, position: positionOf(rows[0].state) } : null;
  }

  /**
   * Keeps the newest: a write older than the row (another process got further) changes nothing, unless the row
   * is of an old format or `replace` says the row was found wrong (ahead of its stream).
   */
  async save(ticketId: string, saved: SavedDecisionState, { replace = false } = {}): Promise<void> {
    await this.pool.query({
      name: 'ticket_decision_state_save',
      text: `INSERT INTO ticket_decision_state (ticket_id, revision, state, updated_at) VALUES ($1, $2, $3, now())
             ON CONFLICT (ticket_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, updated_at = now()
             WHERE ticket_decision_state.revision < excluded.revision
                OR ticket_decision_state.state->'format' IS DISTINCT FROM excluded.state->'format' OR $4`,
      values: [ticketId, saved.revision, JSON.stringify({ ...ticketStateToJson(saved.state), position: positionJson(saved.position) }), replace],
    });
  }
}

function positionJson(position: Position | null | undefined): { commit: string; prepare: string } | null {
  return position ? { commit: position.commit.toString(), prepare: position.prepare.toString() } : null;
}
