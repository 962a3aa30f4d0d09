import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LINE_BUDGET = 200;

/** Each "The way of …, file by file:" list of README.md: its title and the project files its steps name. */
function waysOf(readme: string): Array<{ title: string; steps: number; files: string[] }> {
  const ways: Array<{ title: string; steps: number; files: string[] }> = [];
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^The way of .*file by file:$/.test(lines[i])) continue;
    const way = { title: lines[i], steps: 0, files: [] as string[] };
    // the numbered steps and their indented continuations, up to the first other line
    for (let j = i + 1; j < lines.length && /^(\d+\. |   )/.test(lines[j]); j++) {
      if (/^\d+\. /.test(lines[j])) way.steps++;
      for (const [, path] of lines[j].matchAll(/`((?:apps|libs)\/[^`\s]+\.tsx?)`/g)) if (!way.files.includes(path)) way.files.push(path);
    }
    ways.push(way);
  }
  return ways;
}

describe("README's ways of a request", () => {
  const ways = waysOf(readFileSync(join(root, 'README.md'), 'utf8'));

  it('are there: POST /tickets and the webhook close, each a numbered list naming its files', () => {
    expect(ways.map((way) => way.title)).toEqual([
      expect.stringContaining('`POST /tickets`'),
      expect.stringContaining('the webhook close'),
    ]);
    for (const way of ways) expect(way.files.length).toBeGreaterThanOrEqual(way.steps);
  });

  it(`name files that exist, each under ${LINE_BUDGET} lines`, () => {
    const files = ways.flatMap((way) => way.files);
    expect(files.filter((file) => !existsSync(join(root, file)))).toEqual([]);
    const over = files
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines >= LINE_BUDGET);
    expect(over).toEqual([]);
  });

  it('reader itself: takes the steps and their continuations, not what follows', () => {
    const text = [
      'The way of `GET /x`, file by file:',
      '1. `libs/a/src/a.ts`: does a, with `libs/a/src/b.ts`.',
      '   and then `apps/c/src/c.ts`; `not/a/file.ts` is no project path.',
      '2. `libs/a/src/a.ts` again.',
      '',
      'Elsewhere `libs/z/src/z.ts`.',
    ].join('\n');
    expect(waysOf(text)).toEqual([{ title: 'The way of `GET /x`, file by file:', steps: 2, files: ['libs/a/src/a.ts', 'libs/a/src/b.ts', 'apps/c/src/c.ts'] }]);
  });
});
