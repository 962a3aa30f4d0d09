import type { TicketStatus } from '../api/types.js';

export function StatusPill({ status, testId }: { status: TicketStatus; testId?: string }) {
  return (
    <span class={`pill pill-${status}`} data-testid={testId}>
      {status === 'open' ? 'Open' : 'Closed'}
    </span>
  );
}

export function ForgejoState({ issueNumber, testId }: { issueNumber: number | null; testId?: string }) {
  return (
    <span class={issueNumber === null ? 'forgejo forgejo-pending' : 'forgejo'} data-testid={testId}>
      {issueNumber === null ? 'Not yet in Forgejo' : `Forgejo #${issueNumber}`}
    </span>
  );
}
