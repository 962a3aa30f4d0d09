export * from './mail.module.js';
export * from './mailer.js';
export * from './mail.processor.js';
export * from './ticket-resolved-mail.saga.js';
export * from './ticket-resolved.email.js';
