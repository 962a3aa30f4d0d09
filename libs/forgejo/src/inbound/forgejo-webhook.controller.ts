import { BadRequestException, Controller, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { Public } from '../../../auth/src/nest.js';
import { logOutcome } from '../../../observability/src/nest.js';
import { ReposRepository } from '../../../repos/src/index.js';
import { changeOfDelivery, deliveryIdOf, eventKindOf } from './forgejo-delivery.js';
import { ForgejoChanges } from './forgejo-changes.js';
import { SignedDeliveries } from './signed-deliveries.js';
import { WebhookResultDto } from './webhook-result.dto.js';

/**
 * Forgejo (or Gitea) deliveries: no bearer token, the HMAC signature under the repo's secret instead. A signed
 * delivery is read (forgejo-delivery.ts) into the one ForgejoChange it tells of, which ForgejoChanges turns into
 * its ticket's command by the inbound table.
 */
@ApiTags('webhooks')
@Public()
@Controller('webhooks/forgejo')
export class ForgejoWebhookController {
  constructor(
    private readonly deliveries: SignedDeliveries,
    private readonly repos: ReposRepository,
    private readonly changes: ForgejoChanges,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoWebhooks');
  }

  @Post(':slug')
  @HttpCode(200)
  @ApiOperation({ summary: 'A Forgejo webhook delivery; an issues/closed event closes the linked ticket' })
  @ApiHeader({ name: 'X-Forgejo-Signature', required: true, description: 'hex HMAC-SHA256 of the body under the repo’s secret (or X-Gitea-Signature)' })
  @ApiHeader({ name: 'X-Forgejo-Event', required: false, description: 'issues, issue_comment, pull_request… (else the payload’s shape decides)' })
  @ApiHeader({ name: 'X-Forgejo-Delivery', required: false, description: 'the delivery’s UUID, recorded with the close' })
  @ApiOkResponse({ type: WebhookResultDto, description: 'Answered after the read model shows the result' })
  @ApiBadRequestResponse({ description: 'The signed body is not JSON' })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong signature' })
  @ApiNotFoundResponse({ description: 'No repo has that slug' })
  @ApiPayloadTooLargeResponse({ description: 'Body over 1 MiB' })
  @ApiTooManyRequestsResponse({
    description: 'Over WEBHOOK_RATE_LIMIT valid deliveries per minute to this slug, or (a budget of its own) over WEBHOOK_RATE_LIMIT badly signed ones',
  })
  async receive(@Param('slug') slug: string, @Req() request: RawBodyRequest<FastifyRequest>): Promise<WebhookResultDto> {
    // 404, 401 or 429 unless the repo's secret signed it
    const signed = await this.deliveries.verify(slug, request);
    let payload: unknown;
    try {
      payload = JSON.parse(signed.toString('utf8'));
    } catch {
      throw new BadRequestException('body must be JSON');
    }

    const kind = eventKindOf(request.headers, payload);
    const delivered = changeOfDelivery(kind, payload);
    const deliveryId = deliveryIdOf(request.headers);
    if (delivered.kind === 'invalid') throw new BadRequestException(delivered.message);
    if (delivered.kind === 'ignore') {
      this.logger.debug({ slug, deliveryId, event: kind, reason: delivered.reason }, 'webhook ignored');
      return { result: 'ignored' };
    }
    const { change } = delivered;
    const source = { via: 'webhook' as const, deliveryId, correlationId: deliveryId ?? String(request.id), replyMode: await this.repos.replyModeOf(slug) };
    const result = await this.changes.apply(slug, change, source);
    logOutcome(request, { webhook: { slug, deliveryId, event: `${change.kind}/${change.action}`, issueNumber: change.issueNumber, result } });
    return { result };
  }
}
