import type { Migration } from './index.js';

export const accounts: Migration = {
  name: '0002-accounts',
  up: `
    CREATE TABLE accounts (
      id            uuid PRIMARY KEY,
      -- as the user typed it (trimmed); shown back to them and used as their mail address
      email         text NOT NULL,
      -- emails compare case-insensitively: the unique key is the lower-cased address, derived by Postgres itself
      email_key     text GENERATED ALWAYS AS (lower(email)) STORED,
      -- scrypt$N$r$p$salt$hash (see libs/auth/src/password.ts); never the password itself
      password_hash text NOT NULL,
      role          text NOT NULL CHECK (role IN ('customer', 'admin')),
      created_at    timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT accounts_email_key_key UNIQUE (email_key)
    );

    CREATE TABLE access_tokens (
      -- sha256 of the bearer token: the token itself is never stored
      token_hash bytea PRIMARY KEY,
      account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- per-account cleanup of expired tokens at each login, and a global sweep by expiry
    CREATE INDEX access_tokens_account_expiry ON access_tokens (account_id, expires_at);
    CREATE INDEX access_tokens_expires_at ON access_tokens (expires_at);
  `,
};
