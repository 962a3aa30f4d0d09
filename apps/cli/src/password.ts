import type { Readable, Writable } from 'node:stream';

export type PasswordInput = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** Ctrl-C or Ctrl-D at the prompt. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'PromptCancelled';
  }
}

/**
 * Reads a line from a terminal in raw mode, echoing '*' for each character; backspace and Ctrl-U edit,
 * Enter ends, Ctrl-C and Ctrl-D (on an empty line) cancel. The prompt and the stars go to `output`.
 */
export function promptHidden(prompt: string, input: PasswordInput, output: Writable): Promise<string> {
  output.write(prompt);
  input.setRawMode?.(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let value: string[] = [];
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value.join(''));
    };
    const onData = (chunk: string) => {
      // an escape sequence (arrow keys, function keys) is one chunk: it is no part of a password
      if (chunk.startsWith('\x1b')) return;
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\x03') return finish(new PromptCancelled());
        if (ch === '\x04') return value.length === 0 ? finish(new PromptCancelled()) : finish();
        if (ch === '\x7f' || ch === '\b') {
          if (value.length > 0) {
            value = value.slice(0, -1);
            output.write('\b \b');
          }
        } else if (ch === '\x15') {
          output.write('\b \b'.repeat(value.length));
          value = [];
        } else if (ch >= ' ') {
          value.push(ch);
          output.write('*');
        }
      }
    };
    input.on('data', onData);
  });
}

/** The first line of everything piped in (without its line break); '' when nothing came. */
export async function readFirstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (/\r?\n/.test(text)) break;
  }
  return text.split(/\r?\n/)[0];
}
