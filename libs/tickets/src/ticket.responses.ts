import { ApiProperty } from '@nestjs/swagger';
import type { CommentPage, CommentView, TicketPage, TicketView, TicketWithComments } from '../../read-models/src/index.js';

// The ticket and comment shapes of product.md, as the OpenAPI document shows them (the web app's typed calls are
// checked against it). `implements` keeps each class in step with the read model's view.

export class CommentResponse implements CommentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) ticketId: string;
  @ApiProperty() body: string;
  @ApiProperty({ enum: ['customer', 'team'] }) author: 'customer' | 'team';
  @ApiProperty({ description: "the customer's email, or the Forgejo user's full name (else login) for a team reply" }) authorName: string;
  @ApiProperty({ type: String, nullable: true, description: 'null on a team reply' }) authorEmail: string | null;
  @ApiProperty({ type: Number, nullable: true }) forgejoCommentId: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt: string | null;
}

export class TicketResponse implements TicketView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'the repo slug' }) repo: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: ['open', 'closed'] }) status: 'open' | 'closed';
  @ApiProperty({ type: Number, nullable: true }) forgejoIssueNumber: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
}

export class TicketWithCommentsResponse extends TicketResponse implements TicketWithComments {
  @ApiProperty({ type: [CommentResponse], description: 'the first comments in order (at most 200)' }) comments: CommentView[];
  @ApiProperty({ type: String, nullable: true, description: 'where GET /tickets/:id/comments goes on; null when `comments` holds them all' })
  commentsNextCursor: string | null;
}

export class TicketPageResponse implements TicketPage {
  @ApiProperty({ type: [TicketResponse], description: 'newest first' }) items: TicketView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class CommentPageResponse implements CommentPage {
  @ApiProperty({ type: [CommentResponse] }) items: CommentView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AdminTicketResponse extends TicketResponse {
  @ApiProperty({ format: 'uuid', description: 'the customer who filed it' }) ownerId: string;
  @ApiProperty() ownerEmail: string;
}

export class AdminTicketPageResponse {
  @ApiProperty({ type: [AdminTicketResponse], description: 'newest first' }) items: AdminTicketResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
