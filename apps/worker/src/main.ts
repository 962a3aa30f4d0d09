import 'reflect-metadata';
import { loadConfigOrExit } from '../../../libs/config/src/index.js';

// Configuration first, framework after: a bad variable stops the start at once with one line.
const config = loadConfigOrExit();
const { createWorker } = await import('./create-worker.js');
const worker = await createWorker(config);
await worker.init();

// SIGTERM drain: Nest's shutdown hooks let projections commit their batch and Bull finish active jobs.
let draining = false;
const drain = async () => {
  if (draining) return;
  draining = true;
  try {
    await worker.close();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`shutdown failed: ${String(error)}\n`);
    process.exit(1);
  }
};
process.once('SIGTERM', drain);
process.once('SIGINT', drain);
