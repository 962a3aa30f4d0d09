import { eventStore } from './0001-event-store.js';

export interface Migration {
  name: string;
  up: string;
}

/** In order; a migration is never edited once it has landed: add a new one. */
export const migrations: Migration[] = [eventStore];
