import { afterAll, beforeAll, describe } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import { eventStoreContract } from '../testing/event-store.contract.js';
import { PostgresEventStore } from './postgres-event-store.js';

describe('Postgres event store (contract)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  beforeAll(async () => {
    db = await createTestDatabase('pgstore');
    store = new PostgresEventStore(db.pool);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });
  eventStoreContract(() => store);
});
