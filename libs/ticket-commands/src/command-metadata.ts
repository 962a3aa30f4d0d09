import { randomUUID } from 'node:crypto';
import type { Actor, EventMetadata, RecordedEvent } from '../../event-store/src/index.js';

/** How a command came in: `api` (a person over HTTP), `webhook`, `reconcile`, `link`, `job`, `cli`. */
export type Via = 'api' | 'webhook' | 'reconcile' | 'link' | 'job' | 'cli';

export interface Cause {
  actor: Actor;
  /** what ties this command to the request or delivery that started it all */
  correlationId: string;
  /** what caused this command directly; a fresh id when nothing recorded did */
  causationId?: string;
  via: Via;
}

/** The one place event metadata is built: who, what chain of work it belongs to, what caused it, how it came in. */
export function commandMetadata({ actor, correlationId, causationId, via }: Cause): EventMetadata {
  return { actor, correlationId, causationId: causationId ?? randomUUID(), via };
}

/** A person's command over HTTP: the caller is the actor, the request id the correlation. */
export function requestMetadata(user: { id: string; role: 'customer' | 'admin' }, requestId: string): EventMetadata {
  return commandMetadata({ actor: { type: user.role, id: user.id }, correlationId: requestId, via: 'api' });
}

/** Work that a recorded event called for (a job, a saga): it carries on that event's correlation. */
export function causedBy(event: RecordedEvent | null, fallbackId: string, actor: Actor = { type: 'system' }, via: Via = 'job'): EventMetadata {
  return commandMetadata({ actor, correlationId: event?.metadata.correlationId ?? fallbackId, causationId: event?.id ?? fallbackId, via });
}
