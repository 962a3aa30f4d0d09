// One Forgejo area, two sides: outbound (sagas → jobs → Forgejo) and inbound (webhook → command). Pure parts and
// injectables here; the Nest modules are outbound/forgejo-outbound.module.ts and inbound/forgejo-inbound.module.ts.
export * from './client/forgejo-client.js';
export * from './client/forgejo-errors.js';
export * from './client/issue-bodies.js';
export * from './outbound/forgejo-sagas.js';
export * from './outbound/sync-sweep.js';
export * from './inbound/forgejo-webhooks.service.js';
export * from './inbound/forgejo-delivery.js';
export * from './inbound/signature.js';
