import type pg from 'pg';
import type { Config } from '../../../libs/config/src/index.js';
import { PostgresEventStore } from '../../../libs/event-store/src/index.js';
import { RebuildInProgressError, rebuildReadModels } from '../../../libs/read-models/src/index.js';
import { withInfrastructure } from './infrastructure.js';
import { CommandFailed, line, type CliIo } from './io.js';
import { progressReporter } from './progress.js';

/** `rebuild`: progress on stderr (a bar on a terminal), then `eventsReplayed=… durationMs=…` on stdout. */
export async function rebuild(config: Config, io: CliIo): Promise<number> {
  return withInfrastructure(config, async ({ pool, store }) => {
    // the Postgres log can say how long it is; EventStoreDB's cannot cheaply: a counter instead of a bar
    const total = store instanceof PostgresEventStore ? await countEvents(pool) : null;
    io.stderr.write(`rebuilding the read models from the event log${total === null ? '' : ` (${total} events)`}\n`);
    const progress = progressReporter(io.stderr, 'rebuilding', total);
    try {
      const result = await rebuildReadModels(pool, store, ({ eventsReplayed }) => progress.update(eventsReplayed));
      progress.finish();
      line(io.stdout, `read models rebuilt: eventsReplayed=${result.eventsReplayed} durationMs=${result.durationMs}`);
      return 0;
    } catch (error) {
      progress.finish();
      if (error instanceof RebuildInProgressError) throw new CommandFailed(error.message);
      throw error;
    }
  });
}

async function countEvents(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>('SELECT count(*) AS count FROM events');
  return Number(rows[0].count);
}
