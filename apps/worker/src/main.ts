import 'reflect-metadata';
import { setPriority } from 'node:os';
import { loadConfigOrExit } from '../../../libs/config/src/index.js';

// Background work yields the cores to the API when both are busy: a request waits on the API, an email can wait a
// moment. On a quiet machine the worker still gets all it asks for; a process may always lower its own priority.
const WORKER_NICENESS = 10;
try {
  setPriority(WORKER_NICENESS);
} catch {
  // a platform without priorities: nothing to yield
}

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
