import { Module, type MiddlewareConsumer, type NestModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TicketByIssueQuery } from '../../../read-models/src/index.js';
import { ReposModule } from '../../../repos/src/repos.module.js';
import { ForgejoChanges } from './forgejo-changes.js';
import { ForgejoWebhookController } from './forgejo-webhook.controller.js';
import { RawWebhookBodyMiddleware, registerWebhookBodyParser } from './raw-webhook-body.js';
import { SignedDeliveries } from './signed-deliveries.js';

/** The inbound side: POST /webhooks/forgejo/:slug, signed deliveries → the inbound table → commands. Needs the API's Fastify adapter. */
@Module({
  imports: [ReposModule],
  controllers: [ForgejoWebhookController],
  providers: [SignedDeliveries, ForgejoChanges, TicketByIssueQuery],
  exports: [ForgejoChanges],
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
