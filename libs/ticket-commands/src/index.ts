// Pure parts and command classes; the Nest module is in ./ticket-commands.module.ts.
export * from './command-metadata.js';
export * from './ticket-commands.js';
export { TicketReader, type LoadedState } from './ticket-reader.js';
