// The Nest pieces that other libs and the apps use: route decorators, the guard and its checks, the request
// authenticator, the 429 answer, the DTOs. The pure parts are index.ts; the Nest module is auth.module.ts.
export * from './accounts.service.js';
export * from './auth.decorators.js';
export * from './auth.dto.js';
export * from './auth.guard.js';
export * from './bearer.js';
export * from './cross-site.hook.js';
export * from './request-authenticator.js';
export * from './too-many-requests.js';
