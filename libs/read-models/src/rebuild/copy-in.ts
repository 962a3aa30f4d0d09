import pg from 'pg';

/** A field of a COPY text-format line: null as \N, the characters that would end or escape it escaped. */
export function copyField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : value;
}
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** What pg's connection offers a query that the server asks for COPY data. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

// pg has no COPY FROM STDIN of its own (that is the pg-copy-streams package), but runs any query object it is handed:
// this one answers the server's request for data with `data`, whole, and ends it.
class CopyFromStdin extends pg.Query {
  constructor(
    text: string,
    private readonly data: Buffer,
    done: (error: Error | undefined) => void,
  ) {
    super(text, done);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(this.data);
    connection.endCopyFrom();
  }
}

/** Runs `copy` (a COPY … FROM STDIN in text format) on `db` with `lines` (each ended by a newline) as its data. */
export function copyIn(db: pg.ClientBase, copy: string, lines: string): Promise<void> {
  return new Promise((resolve, reject) => {
    db.query(new CopyFromStdin(copy, Buffer.from(lines), (error) => (error ? reject(error) : resolve())));
  });
}
