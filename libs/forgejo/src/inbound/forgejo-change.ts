// The change, its context and the inbound table now live with their one user, forgejo-changes.ts; reconcile
// imports them from this path still (drop this file once it imports forgejo-changes.js).
export type { ChangeContext, ForgejoChange, InboundCommand } from './forgejo-changes.js';
export { inboundCommandOf } from './forgejo-changes.js';
