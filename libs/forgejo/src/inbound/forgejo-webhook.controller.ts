import { Controller, HttpCode, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
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
import { Public } from '../../../auth/src/index.js';
import { ForgejoWebhooks } from './forgejo-webhooks.service.js';
import { originalContentType } from './raw-webhook-body.js';
import { WebhookResultDto } from './webhook-result.dto.js';

/** Forgejo (or Gitea) deliveries: no bearer token, the HMAC signature under the repo's secret instead. */
@ApiTags('webhooks')
@Public()
@Controller('webhooks/forgejo')
export class ForgejoWebhookController {
  constructor(private readonly webhooks: ForgejoWebhooks) {}

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
  receive(@Param('slug') slug: string, @Req() request: RawBodyRequest<FastifyRequest>): Promise<WebhookResultDto> {
    return this.webhooks.receive({
      slug,
      rawBody: request.rawBody ?? Buffer.alloc(0),
      headers: request.headers,
      contentType: originalContentType(request),
      requestId: String(request.id),
    });
  }
}
