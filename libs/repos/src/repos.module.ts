import { Module } from '@nestjs/common';
import { AdminReposController } from './admin-repos.controller.js';
import { ReposController } from './repos.controller.js';
import { ReposRepository } from './repos.repository.js';

/** Forgejo repos that tickets are filed against: admin CRUD and the customers' list. */
@Module({
  controllers: [AdminReposController, ReposController],
  providers: [ReposRepository],
  exports: [ReposRepository],
})
export class ReposModule {}
