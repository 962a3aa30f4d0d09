// The pure parts: the emails and what a failed send says. The sagas, processors and mailer are Nest pieces of
// mail.module.ts (MailModule, mailSagas), which the worker imports.
export * from './send-failure.js';
export * from './team-reply.email.js';
export * from './ticket-resolved.email.js';
