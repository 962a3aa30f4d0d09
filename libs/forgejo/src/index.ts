// One Forgejo area, two sides: outbound (sagas → jobs → Forgejo) and inbound (webhook → command). The pure parts
// here: the client, the issue bodies, the jobs, the reading and signing of deliveries, the reply rule. The Nest
// modules: outbound/forgejo-outbound.module.ts, inbound/forgejo-inbound.module.ts, reconcile/forgejo-reconcile.module.ts.
export * from './client/forgejo-client.js';
export * from './client/forgejo-errors.js';
export * from './client/issue-bodies.js';
export * from './outbound/forgejo-jobs.js';
export * from './inbound/forgejo-delivery.js';
export * from './inbound/reply-text.js';
export * from './inbound/signature.js';
export type { ChangeContext, ForgejoChange, InboundCommand } from './inbound/forgejo-changes.js';
