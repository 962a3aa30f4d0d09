import { createRequire } from 'node:module';
import pg from 'pg';

// pg's own conversion of a parameter to its text form (arrays as Postgres array literals, dates, buffers, JSON)
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils') as { prepareValue(value: unknown): string | Buffer | null };

/** One value as an SQL literal: what the server would have received for it as a parameter. */
export function sqlLiteral(value: unknown): string {
  const prepared = prepareValue(value);
  if (prepared === null) return 'NULL';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'::bytea`;
  return pg.escapeLiteral(prepared);
}

/**
 * A parameterised statement with its values written in as literals, so that it can travel with others in one
 * simple query. A literal is as untyped as a parameter, so the server reads it the same way; the statement's text
 * must hold no `$n` of its own outside its parameters (none of this codebase's do).
 */
export function renderStatement(text: string, values: readonly unknown[] = []): string {
  return text.replace(/\$(\d+)/g, (whole, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= values.length) throw new Error(`statement refers to ${whole} but has ${values.length} values`);
    return sqlLiteral(values[index]);
  });
}
