// The reopen link's token (pure) and the key it is signed with (Postgres).
export * from './reopen-link-token.js';
export * from './service-keys.repository.js';
