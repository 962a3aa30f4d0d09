import type { INestApplicationContext } from '@nestjs/common';
import { createWorker } from '../../apps/worker/src/create-worker.js';
import type { Config } from '../../libs/config/src/index.js';

/** The real worker (projections, sagas, job processors), in-process. */
export async function startTestWorker(config: Config): Promise<INestApplicationContext> {
  const worker = await createWorker(config);
  await worker.init();
  return worker;
}
