import { eventStore } from './0001-event-store.js';
import { accounts } from './0002-accounts.js';
import { repos } from './0003-repos.js';
import { ticketReadModels } from './0004-ticket-read-models.js';
import { forgejoSyncFailures } from './0005-forgejo-sync-failures.js';
import { parkedEvents } from './0006-parked-events.js';
import { forgejoRepository } from './0007-forgejo-repository.js';
import { ticketDecisionState } from './0008-ticket-decision-state.js';
import { repoReplyMode } from './0009-repo-reply-mode.js';
import { teamReplies } from './0010-team-replies.js';
import { serviceKeys } from './0011-service-keys.js';
import { forgejoReconcileProgress } from './0012-forgejo-reconcile-progress.js';
import { ticketStreamRevision } from './0013-ticket-stream-revision.js';
import { ticketIssueLookup } from './0014-ticket-issue-lookup.js';

export interface Migration {
  name: string;
  up: string;
}

/** In order; a migration is never edited once it has landed: add a new one. */
export const migrations: Migration[] = [
  eventStore,
  accounts,
  repos,
  ticketReadModels,
  forgejoSyncFailures,
  parkedEvents,
  forgejoRepository,
  ticketDecisionState,
  repoReplyMode,
  teamReplies,
  serviceKeys,
  forgejoReconcileProgress,
  ticketStreamRevision,
  ticketIssueLookup,
];
