import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import type { JobRequest, Saga } from '../../../sagas/src/index.js';
import { Reconciler } from './reconciler.js';

/**
 * Right after a link, a pass for the repository: what happened in Forgejo between the creation
 * and its link (a close, a reply) sent webhooks the service could not yet place. Asks for no job: the pass runs
 * in this process, debounced, under the reconcile lock.
 */
@Injectable()
export class ReconcileAfterLinkSaga implements Saga {
  readonly name = 'forgejo-reconcile-after-link';

  constructor(private readonly reconciler: Reconciler) {}

  react(event: RecordedEvent): JobRequest[] {
    if (event.type !== 'ForgejoIssueLinked') return [];
    const { owner, name } = event.data as { owner?: string; name?: string };
    // a link recorded before the repository was kept: every repository
    this.reconciler.soon(owner && name ? `${owner.toLowerCase()}/${name.toLowerCase()}` : null);
    return [];
  }
}
