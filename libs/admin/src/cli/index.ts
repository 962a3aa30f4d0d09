// The admin command line's pieces; scripts/admin.ts imports args.js and commands.js directly, to start fast.
export * from './args.js';
export * from './commands.js';
export * from './io.js';
export * from './password.js';
export * from './progress.js';
