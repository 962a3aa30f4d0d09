export * from './domain/ticket.decider.js';
export * from './domain/ticket.events.js';
export * from './ticket-command-runner.js';
export * from './ticket-decision-state.repository.js';
export * from './domain/ticket-state.json.js';
export * from './tickets.module.js';
export * from './command-metadata.js';
export * from './ticket-id.pipe.js';
