import type { TicketState } from './ticket.decider.js';

/**
 * The shape of a stored TicketState. Bump it whenever TicketState changes shape: a row in another format is
 * ignored (the stream is folded from the start instead), so an old row can never feed `decide` a wrong state.
 */
export const TICKET_STATE_FORMAT = 3;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// Maps and Sets have no JSON form of their own: each becomes a one-key object that cannot be a state field.
const encode = (value: unknown): Json => {
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [encode(k), encode(v)]) };
  if (value instanceof Set) return { $set: [...value].map(encode) };
  if (Array.isArray(value)) return value.map(encode);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, encode(v)]));
  }
  return value as Json;
};

const decode = (value: Json): unknown => {
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$map') return new Map((value.$map as Json[][]).map(([k, v]) => [decode(k), decode(v)]));
    if (keys.length === 1 && keys[0] === '$set') return new Set((value.$set as Json[]).map(decode));
    return Object.fromEntries(keys.map((k) => [k, decode(value[k])]));
  }
  return value;
};

/** TicketState as JSON, Maps and Sets included, tagged with its format. */
export function ticketStateToJson(state: TicketState): { format: number; state: Json } {
  return { format: TICKET_STATE_FORMAT, state: encode(state) };
}

/** The state back from `ticketStateToJson`; null when the row is of another format (or not one at all). */
export function ticketStateFromJson(json: unknown): TicketState | null {
  if (json === null || typeof json !== 'object' || (json as { format?: unknown }).format !== TICKET_STATE_FORMAT) return null;
  const state = decode((json as { state: Json }).state) as TicketState | null;
  return state && typeof state === 'object' && typeof state.status === 'string' ? state : null;
}
