// Pure parts and injectables; the Nest module is auth.module.ts.
export * from './authenticated-user.js';
export * from './auth.guard.js';
export * from './bearer.js';
export * from './cookies.js';
export * from './session-cookie.js';
export * from './request-authenticator.js';
export * from './accounts.repository.js';
export * from './accounts.service.js';
export * from './tokens.js';
export * from './token-cache.js';
export * from './password.js';
export * from './rate-limiter.js';
export * from './auth.dto.js';
export * from './cross-site.hook.js';
