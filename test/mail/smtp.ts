import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message as the SMTP server received it: the envelope, the raw text, and its decoded parts. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: string;
  /** header name (lower case) → unfolded values, in order */
  headers: Map<string, string[]>;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  /** RCPT TO attempts per recipient, refused ones included */
  attempts: Map<string, number>;
  /** Refuses the next `times` attempts to `recipient` with a temporary 451. */
  refuse(recipient: string, times: number): void;
  mailsTo(recipient: string): ReceivedMail[];
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server), in-process on a free port: no TLS, no auth, keeps every message. */
export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const attempts = new Map<string, number>();
  const refusals = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const rcpt = address.address.toLowerCase();
      attempts.set(rcpt, (attempts.get(rcpt) ?? 0) + 1);
      const left = refusals.get(rcpt) ?? 0;
      if (left > 0) {
        refusals.set(rcpt, left - 1);
        const error = Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    attempts,
    refuse: (recipient, times) => void refusals.set(recipient.toLowerCase(), times),
    mailsTo: (recipient) => mails.filter((m) => m.envelopeTo.includes(recipient.toLowerCase())),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- a small MIME reader: enough for what nodemailer writes (multipart/alternative, 7bit/QP/base64, RFC 2047) ----

function splitHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  return headers;
}

function splitEntity(entity: string): { headers: Map<string, string[]>; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  if (!match) return { headers: splitHeaders(entity), body: '' };
  return { headers: splitHeaders(entity.slice(0, match.index)), body: entity.slice(match.index + match[0].length) };
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** RFC 2047 encoded words (=?UTF-8?Q?…?= and =?UTF-8?B?…?=); whitespace between adjacent words is dropped. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function boundaryOf(contentType: string | undefined): string | null {
  return /boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1] ?? null;
}

function parseMessage(raw: string): { headers: Map<string, string[]>; subject: string; text: string; html: string } {
  const { headers, body } = splitEntity(raw);
  const parts: { type: string; body: string }[] = [];
  const walk = (entityHeaders: Map<string, string[]>, entityBody: string) => {
    const type = entityHeaders.get('content-type')?.[0] ?? 'text/plain';
    const boundary = boundaryOf(type);
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      const sections = entityBody.split(`--${boundary}`).slice(1);
      for (const section of sections) {
        if (section.startsWith('--')) break;
        const part = splitEntity(section.replace(/^\r?\n/, ''));
        walk(part.headers, part.body);
      }
      return;
    }
    parts.push({ type: type.toLowerCase(), body: decodeBody(entityBody, entityHeaders.get('content-transfer-encoding')?.[0]) });
  };
  walk(headers, body);
  return {
    headers,
    subject: decodeWords(headers.get('subject')?.[0] ?? ''),
    text: parts.find((p) => p.type.startsWith('text/plain'))?.body.replace(/\r\n/g, '\n') ?? '',
    html: parts.find((p) => p.type.startsWith('text/html'))?.body.replace(/\r\n/g, '\n') ?? '',
  };
}
