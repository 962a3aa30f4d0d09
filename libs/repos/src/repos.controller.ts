import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { RepoSlugDto } from './repo.dto.js';
import { ReposRepository } from './repos.repository.js';

/** What any signed-in user may file a ticket against: slugs only. */
@ApiTags('repos')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@Controller('repos')
export class ReposController {
  constructor(private readonly repos: ReposRepository) {}

  @Get()
  @ApiOkResponse({ type: RepoSlugDto, isArray: true, description: 'Every repo, ordered by slug' })
  async list(): Promise<RepoSlugDto[]> {
    return (await this.repos.listSlugs()).map((slug) => ({ slug }));
  }
}
