export * from './domain/ticket.decider.js';
export * from './domain/ticket.events.js';
export * from './ticket-command-runner.js';
export * from './tickets.module.js';
