import Bull from 'bull';
import { comparePositions } from '../../libs/event-store/src/index.js';
import { readCheckpoint } from '../../libs/projections/src/index.js';
import { MAIL_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import type { TestApi } from '../support/api.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

export interface TestWorker {
  process: RunningProcess;
  /** Resolves once every event so far has been through the sagas and the mail queue has nothing left to do. */
  settled(what?: string): Promise<void>;
  stop(): Promise<void>;
}

/** The real worker (apps/worker/src/main.ts) in a child process, over the test API's database. */
export function startWorker(api: TestApi, env: Record<string, string>): TestWorker {
  const worker = runTs('apps/worker/src/main.ts', {
    DATABASE_URL: api.config.databaseUrl,
    REDIS_URL: api.config.redisUrl,
    LOG_LEVEL: 'info',
    ...env,
  });
  const mailQueue = new Bull(MAIL_QUEUE, { redis: api.config.redisUrl, prefix: queuePrefix(api.config) });
  const alive = () => {
    if (worker.child.exitCode !== null) throw new Error(`the worker exited (${worker.child.exitCode}): ${worker.stderr()}${worker.stdout().slice(-4000)}`);
  };
  const sagasCaughtUp = async () => {
    const { rows } = await api.db.pool.query<{ commit: string; prepare: string }>(
      'SELECT transaction_id::text AS commit, position::text AS prepare FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1',
    );
    if (rows.length === 0) return true;
    const checkpoint = await readCheckpoint(api.db.pool, 'sagas');
    return !!checkpoint && comparePositions(checkpoint, { commit: BigInt(rows[0].commit), prepare: BigInt(rows[0].prepare) }) >= 0;
  };
  const queueIdle = async () => {
    const counts = await mailQueue.getJobCounts();
    return counts.waiting + counts.active + counts.delayed === 0;
  };
  return {
    process: worker,
    async settled(what = 'the worker to settle') {
      await waitUntil(
        async () => {
          alive();
          // in this order: once the sagas are past every event, every job those events call for is in Redis
          return (await sagasCaughtUp()) && (await queueIdle());
        },
        { timeoutMs: 30_000, what },
      );
    },
    async stop() {
      await mailQueue.close().catch(() => undefined);
      if (worker.child.exitCode === null) {
        worker.child.kill('SIGTERM');
        const exited = await Promise.race([worker.exited, new Promise<null>((resolve) => setTimeout(resolve, 10_000, null))]);
        if (!exited) worker.child.kill('SIGKILL');
      }
    },
  };
}

