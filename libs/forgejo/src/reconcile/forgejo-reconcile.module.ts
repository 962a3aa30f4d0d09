import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { ReconcileQueries, TicketByIssueQuery } from '../../../read-models/src/index.js';
import { ReposModule } from '../../../repos/src/repos.module.js';
import type { Saga } from '../../../sagas/src/index.js';
import { ForgejoClient } from '../client/forgejo-client.js';
import { ForgejoChanges } from '../inbound/forgejo-changes.js';
import { IssueCommentIds } from './issue-comment-ids.js';
import { ReconcileAfterLinkSaga } from './reconcile-after-link.saga.js';
import { ReconcilePass } from './reconcile-pass.js';
import { Reconciler } from './reconciler.js';
import { ReplyDeletions } from './reply-deletions.js';

const isOn = (config: Config) => config.forgejoUrl !== null && config.forgejoReconcileIntervalS > 0;
const clientOptions = (c: Config) => ({ baseUrl: c.forgejoUrl!, token: c.forgejoApiToken, timeoutMs: c.forgejoTimeoutMs });

/** The saga of reconcile for the worker's SagasModule: a pass right after each link. None when reconcile is off. */
export function reconcileSagas(config: Config): Type<Saga>[] {
  return isOn(config) ? [ReconcileAfterLinkSaga] : [];
}

/**
 * The worker's reconcile: the inbound side's backstop, reading Forgejo back and applying what webhooks missed
 * through the same ForgejoChanges as the webhook. Global, so the after-link saga (built by SagasModule) finds
 * the Reconciler. Nothing without FORGEJO_URL or with FORGEJO_RECONCILE_INTERVAL_S=0.
 */
@Global()
@Module({})
export class ForgejoReconcileModule {
  static forRoot(config: Config): DynamicModule {
    if (!isOn(config)) return { module: ForgejoReconcileModule };
    return {
      module: ForgejoReconcileModule,
      imports: [ReposModule],
      providers: [
        {
          provide: ForgejoClient,
          inject: [CONFIG],
          useFactory: (c: Config) => new ForgejoClient(clientOptions(c)),
        },
        { provide: IssueCommentIds, inject: [CONFIG], useFactory: (c: Config) => new IssueCommentIds(clientOptions(c)) },
        TicketByIssueQuery,
        ReconcileQueries,
        ForgejoChanges,
        ReplyDeletions,
        ReconcilePass,
        Reconciler,
      ],
      exports: [Reconciler],
    };
  }
}
