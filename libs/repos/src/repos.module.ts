import { Module } from '@nestjs/common';
import { ReposController } from './repos.controller.js';
import { ReposRepository } from './repos.repository.js';

/** Forgejo repos that tickets are filed against: the table, and the customers' list (admins' routes: libs/admin). */
@Module({
  controllers: [ReposController],
  providers: [ReposRepository],
  exports: [ReposRepository],
})
export class ReposModule {}
