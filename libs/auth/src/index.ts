// The pure parts: no Nest loads with them, so a script (the command line) can use them over its own pool. The Nest
// pieces (decorators, guards, the authenticator, DTOs) are nest.ts; the Nest module is auth.module.ts.
export * from './account-limits.js';
export * from './accounts.repository.js';
export * from './authenticated-user.js';
export * from './cookies.js';
export * from './password.js';
export * from './rate-limiter.js';
export * from './session-cookie.js';
export * from './token-cache.js';
export * from './tokens.js';
