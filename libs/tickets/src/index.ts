// The customers' ticket routes live in their slices; the Nest module is tickets.module.ts.
export * from './ticket-id.pipe.js';
export * from './ticket-rule.filter.js';
export * from './ticket.responses.js';
