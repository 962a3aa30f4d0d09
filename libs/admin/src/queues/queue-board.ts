import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import type { ControllerHandlerReturnType, IServerAdapter } from '@bull-board/api/typings/app';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bull';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RequestAuthenticator } from '../../../auth/src/nest.js';
import { isConnectionError } from '../../../database/src/index.js';
import { adminOnlyHook } from './admin-only.hook.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export interface QueueBoardOptions {
  queues: Queue[];
  authenticator: RequestAuthenticator;
  /** the API's security headers, relaxed for one route: the board's page needs inline styles */
  allowInlineStyles: (route: RouteOptions) => void;
  logError: (error: unknown) => void;
}

/**
 * Bull Board: the background queues (Forgejo, mail) at /admin/queues, its page, its JSON API and its files, for
 * admins only. Read-only: a job is started again by an admin's resync (POST /admin/tickets/:id/resync), which
 * records it in the ticket's history and gives a fresh retry budget; retrying, adding or removing jobs behind the
 * event log's back stays out of reach.
 */
export async function registerQueueBoard(fastify: FastifyInstance, { queues, authenticator, allowInlineStyles, logError }: QueueBoardOptions): Promise<void> {
  const board = new BullBoardFastifyAdapter();
  createBullBoard({
    queues: queues.map((queue) => new BullAdapter(queue, { readOnlyMode: true, allowRetries: false })),
    // @bull-board/fastify 9.10.1 declares its types against its own copy of @bull-board/api (9.10.1, here 9.10.2):
    // the same shape, but TypeScript tells the two copies' private fields apart
    serverAdapter: board as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'Ticket bridge queues' } },
  });
  board.setBasePath(QUEUE_BOARD_PATH);
  // Bull Board's own handler answers any error with its message and a 500: here Redis being away is a 503, a
  // client's mistake keeps its 4xx, and nothing else leaks a detail
  board.setErrorHandler((error: Error & { statusCode?: number }) => {
    if (isConnectionError(error)) return errorReply(503, 'Service Unavailable', 'The queues are temporarily unavailable; try again shortly');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return errorReply(error.statusCode, 'Error', error.message);
    logError(error);
    return errorReply(500, 'Internal Server Error', 'Internal server error');
  });
  await fastify.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      // its page: external scripts, but CodeMirror (the job data viewer) writes <style> elements and the loading
      // placeholder uses style attributes; its JSON API and files are no documents, so keep the global policy
      const path = route.url ?? '';
      if (route.method === 'GET' && !path.startsWith(`${QUEUE_BOARD_PATH}/api/`) && !path.startsWith(`${QUEUE_BOARD_PATH}/static/`)) allowInlineStyles(route);
    });
    scope.addHook('onRequest', adminOnlyHook(authenticator));
    await scope.register(board.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

const errorReply = (statusCode: number, error: string, message: string) =>
  ({ status: statusCode, body: { statusCode, error, message } }) as ControllerHandlerReturnType;
