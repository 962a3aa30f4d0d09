import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';

export interface TicketOwner {
  ownerId: string;
  ownerEmail: string;
}

/** Who filed each ticket: what the customers' ticket view leaves out and admins want to see. */
@Injectable()
export class TicketOwnersQueries {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async ownersOf(ticketIds: string[]): Promise<Map<string, TicketOwner>> {
    if (ticketIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; owner_id: string; owner_email: string }>({
      name: 'admin_ticket_owners',
      text: 'SELECT id, owner_id, owner_email FROM tickets WHERE id = ANY($1::uuid[])',
      values: [ticketIds],
    });
    return new Map(rows.map((row) => [row.id, { ownerId: row.owner_id, ownerEmail: row.owner_email }]));
  }
}
