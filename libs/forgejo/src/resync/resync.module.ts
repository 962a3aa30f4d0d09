import { Module } from '@nestjs/common';
import { TicketsModule } from '../../../tickets/src/index.js';
import { ResyncController } from './resync.controller.js';

/** The API side of the Forgejo sync: an admin's resync of one ticket. */
@Module({ imports: [TicketsModule], controllers: [ResyncController] })
export class ResyncModule {}
