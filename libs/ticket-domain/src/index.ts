export * from './ticket.decider.js';
export * from './ticket.events.js';
export * from './ticket-state.json.js';
export * from './owed-syncs.js';
export * from './ticket-conversation.js';
