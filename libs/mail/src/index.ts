// Pure parts and injectables; the Nest module is mail.module.ts.
export * from './mailer.js';
export * from './mail.processor.js';
export * from './ticket-resolved-mail.saga.js';
export * from './ticket-resolved.email.js';
export * from './team-reply-mail.processor.js';
export * from './team-reply-mail.saga.js';
export * from './team-reply.email.js';
