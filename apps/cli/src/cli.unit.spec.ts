import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { parseArgs, UsageError } from './args.js';
import { promptHidden, PromptCancelled, readFirstLine, type PasswordInput } from './password.js';
import { progressReporter } from './progress.js';

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

/** A terminal's stdin: raw mode recorded, keys typed as chunks. */
function fakeTty(): PasswordInput & PassThrough & { raw: boolean[] } {
  const input = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[] });
  return Object.assign(input, { setRawMode: (raw: boolean) => input.raw.push(raw) });
}

describe('admin command line: arguments', () => {
  it('parses each command', () => {
    expect(parseArgs(['history', 'ABC'])).toEqual({ command: 'history', ticketId: 'ABC', json: false });
    expect(parseArgs(['history', '--json', 'abc'])).toEqual({ command: 'history', ticketId: 'abc', json: true });
    expect(parseArgs(['rebuild'])).toEqual({ command: 'rebuild' });
    expect(parseArgs(['resync', 'abc'])).toEqual({ command: 'resync', ticketId: 'abc' });
    expect(parseArgs(['create-admin', 'a@b.c'])).toEqual({ command: 'create-admin', email: 'a@b.c' });
    expect(parseArgs(['create-admin', '--', '-odd@b.c'])).toEqual({ command: 'create-admin', email: '-odd@b.c' });
  });

  it('gives help for --help anywhere, -h and help', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['history', '--help'], ['nonsense', '--help']]) expect(parseArgs(argv)).toEqual({ command: 'help' });
  });

  it.each([[[]], [['nope']], [['history']], [['history', 'a', 'b']], [['rebuild', 'now']], [['rebuild', '--json']], [['resync', '--force', 'x']]])(
    'refuses %j as a usage error',
    (argv) => {
      expect(() => parseArgs(argv)).toThrow(UsageError);
    },
  );
});

describe('admin command line: progress', () => {
  it('draws one bar in place on a terminal, at most every redraw interval, and ends the line', () => {
    let clock = 0;
    const out = Object.assign(new Collect(), { isTTY: true, columns: 120 });
    const progress = progressReporter(out, 'rebuilding', 200, { now: () => clock });
    progress.update(50);
    clock += 10;
    progress.update(60); // too soon: not drawn
    clock += 200;
    progress.update(100);
    progress.finish();
    const frames = out.text.split('\r').filter(Boolean);
    expect(frames).toHaveLength(3);
    expect(frames[0]).toContain(' 25% 50/200 events');
    expect(frames[1]).toContain(' 50% 100/200 events');
    expect(frames[1]).toContain(`[${'#'.repeat(15)}${'-'.repeat(15)}]`);
    expect(frames[2]).toBe(`rebuilding [${'#'.repeat(30)}] 100% 200/200 events\x1b[K\n`);
  });

  it('writes plain lines elsewhere, the first at once and then at most one a second', () => {
    let clock = 0;
    const out = new Collect();
    const progress = progressReporter(out, 'rebuilding', null, { now: () => clock });
    progress.update(5000);
    clock += 500;
    progress.update(10000);
    clock += 600;
    progress.update(15000);
    progress.finish();
    expect(out.text).toBe('rebuilding: 5000 events replayed\nrebuilding: 15000 events replayed\n');
  });
});

describe('admin command line: passwords', () => {
  it('reads a line from a terminal in raw mode, showing stars, with backspace', async () => {
    const input = fakeTty();
    const out = new Collect();
    const read = promptHidden('Password: ', input, out);
    input.write('secreX');
    input.write('\x7f');
    input.write('t pass\r');
    expect(await read).toBe('secret pass');
    expect(input.raw).toEqual([true, false]);
    expect(out.text).toBe(`Password: ${'*'.repeat(6)}\b \b${'*'.repeat(6)}\n`);
    expect(out.text).not.toContain('secret');
  });

  it('ignores escape sequences, clears with Ctrl-U and is cancelled by Ctrl-C', async () => {
    const input = fakeTty();
    const read = promptHidden('Password: ', input, new Collect());
    input.write('abc');
    input.write('\x1b[A');
    input.write('\x15');
    input.write('xyz\n');
    expect(await read).toBe('xyz');
    const cancelled = promptHidden('Password: ', input, new Collect());
    input.write('ab\x03');
    await expect(cancelled).rejects.toThrow(PromptCancelled);
    expect(input.raw.at(-1)).toBe(false);
  });

  it('takes the first line of piped input, without its line break', async () => {
    const piped = (text: string) => {
      const input = new PassThrough();
      input.end(text);
      return readFirstLine(input);
    };
    expect(await piped('a strong password\nignored\n')).toBe('a strong password');
    expect(await piped('windows line\r\n')).toBe('windows line');
    expect(await piped('no line break')).toBe('no line break');
    expect(await piped('')).toBe('');
  });
});
