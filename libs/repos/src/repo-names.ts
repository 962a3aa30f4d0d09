/** What a repo slug can be (the repos_slug_format constraint): anything else is no repo, and never reaches SQL. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A Forgejo owner or repository name: 1–100 of A-Z a-z 0-9 _ . -, and neither "." nor "..". */
export const FORGEJO_NAME_PATTERN = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$/;

/** Which Forgejo comments reach the customer as replies. */
export const REPLY_MODES = ['marked', 'all'] as const;
export type ReplyMode = (typeof REPLY_MODES)[number];
