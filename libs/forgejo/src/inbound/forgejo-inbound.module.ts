import { Module, type MiddlewareConsumer, type NestModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TicketByIssueQuery } from '../../../read-models/src/index.js';
import { ReposModule } from '../../../repos/src/repos.module.js';
import { ForgejoWebhookController } from './forgejo-webhook.controller.js';
import { ForgejoWebhooks } from './forgejo-webhooks.service.js';
import { RawWebhookBodyMiddleware, registerWebhookBodyParser } from './raw-webhook-body.js';

/** POST /webhooks/forgejo/:slug: signed Forgejo deliveries that close tickets. Needs the API's Fastify adapter. */
@Module({
  imports: [ReposModule],
  controllers: [ForgejoWebhookController],
  providers: [ForgejoWebhooks, TicketByIssueQuery],
  exports: [ForgejoWebhooks],
})
export class ForgejoInboundModule implements NestModule, OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RawWebhookBodyMiddleware).forRoutes(ForgejoWebhookController);
  }

  onModuleInit(): void {
    registerWebhookBodyParser(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }
}
