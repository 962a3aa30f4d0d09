import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminOnly } from '../../../auth/src/nest.js';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { AdminRepoDto, CreateRepoDto, UpdateRepoDto } from '../../../repos/src/repo.dto.js';
import { ReposRepository, type Repo } from '../../../repos/src/repos.repository.js';

/** Admins manage the Forgejo repos; no response ever carries the webhook secret. */
@ApiTags('admin: repos')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid bearer token' })
@ApiForbiddenResponse({ description: 'Not an admin' })
@AdminOnly()
@Controller('admin/repos')
export class AdminReposController {
  constructor(
    private readonly repos: ReposRepository,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: AdminRepoDto })
  @ApiBadRequestResponse({ description: 'Invalid input; the message names the field' })
  @ApiConflictResponse({ description: 'The slug is taken' })
  async create(@Body() body: CreateRepoDto): Promise<AdminRepoDto> {
    return this.view(await this.repos.create(body));
  }

  @Get()
  @ApiOkResponse({ type: AdminRepoDto, isArray: true, description: 'Every repo, ordered by slug' })
  async list(): Promise<AdminRepoDto[]> {
    return (await this.repos.list()).map((repo) => this.view(repo));
  }

  @Get(':slug')
  @ApiOkResponse({ type: AdminRepoDto })
  @ApiNotFoundResponse()
  async get(@Param('slug') slug: string): Promise<AdminRepoDto> {
    return this.view(await this.repos.get(slug));
  }

  @Patch(':slug')
  @ApiOkResponse({ type: AdminRepoDto, description: 'An empty body changes nothing and answers the repo' })
  @ApiBadRequestResponse({ description: 'Invalid input; the message names the field' })
  @ApiNotFoundResponse()
  async update(@Param('slug') slug: string, @Body() body: UpdateRepoDto): Promise<AdminRepoDto> {
    return this.view(await this.repos.update(slug, body));
  }

  @Delete(':slug')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted, with its webhook secret' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Tickets are filed against the repo' })
  async delete(@Param('slug') slug: string): Promise<void> {
    await this.repos.delete(slug);
  }

  private view(repo: Repo): AdminRepoDto {
    return {
      id: repo.id,
      slug: repo.slug,
      owner: repo.owner,
      name: repo.name,
      replyMode: repo.replyMode,
      webhookUrl: `${this.config.baseUrl}/webhooks/forgejo/${repo.slug}`,
      hasWebhookSecret: repo.hasWebhookSecret,
      createdAt: repo.createdAt,
      updatedAt: repo.updatedAt,
    };
  }
}
