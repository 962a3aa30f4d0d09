import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ForgejoSyncProcessor } from '../../libs/forgejo/src/outbound/forgejo-sync.processor.js';
import { MailProcessor } from '../../libs/mail/src/mail.processor.js';
import { TeamReplyMailProcessor } from '../../libs/mail/src/team-reply-mail.processor.js';
import { QUEUE_CONCURRENCY, QUEUE_NAMES } from '../../libs/queues/src/index.js';

// Bull starts `concurrency` loops per named processor, all on the queue, each taking any of its jobs: what runs at
// once is the sum over the queue's processors, not any one processor's figure.
const PROCESSORS: Array<{ prototype: object }> = [ForgejoSyncProcessor, MailProcessor, TeamReplyMailProcessor];
// where @Processor and @Process keep their options (@nestjs/bull's bull.constants.js, not exported)
const BULL_MODULE_QUEUE = 'bull:module_queue';
const BULL_MODULE_QUEUE_PROCESS = 'bull:module_queue_process';

function loopsByQueue(): Map<string, { names: string[]; loops: number }> {
  const queues = new Map<string, { names: string[]; loops: number }>();
  for (const processor of PROCESSORS) {
    const queue = (Reflect.getMetadata(BULL_MODULE_QUEUE, processor) as { name: string }).name;
    const seen = queues.get(queue) ?? { names: [], loops: 0 };
    for (const key of Object.getOwnPropertyNames(processor.prototype)) {
      const options = Reflect.getMetadata(BULL_MODULE_QUEUE_PROCESS, (processor.prototype as Record<string, object>)[key]) as { name: string; concurrency?: number } | undefined;
      if (!options) continue;
      seen.names.push(options.name);
      seen.loops += options.concurrency ?? 1;
    }
    queues.set(queue, seen);
  }
  return queues;
}

describe("a queue's concurrency", () => {
  it('is what the queues library declares, whatever the number of job names on the queue', () => {
    const queues = loopsByQueue();
    expect([...queues.keys()].sort()).toEqual([...QUEUE_NAMES].sort());
    for (const queue of QUEUE_NAMES) {
      expect(queues.get(queue)!.names.length).toBeGreaterThan(1);
      expect({ queue, loops: queues.get(queue)!.loops }).toEqual({ queue, loops: QUEUE_CONCURRENCY[queue as keyof typeof QUEUE_CONCURRENCY] });
    }
  });
});
