export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporter {
  update(done: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

/**
 * Progress of `total` units (null: unknown). On a terminal, one bar redrawn in place at most every
 * `redrawMs`; elsewhere (a log, a pipe), a plain line at most every `lineEveryMs`, the first one at once.
 */
export function progressReporter(
  out: ProgressOutput,
  label: string,
  total: number | null,
  { redrawMs = 100, lineEveryMs = 1000, now = () => Date.now() } = {},
): ProgressReporter {
  let last = -Infinity;
  let latest = 0;
  let drawn = false;
  const fraction = (done: number) => (total === null ? 0 : total === 0 ? 1 : Math.min(1, done / total));
  const bar = (done: number) => {
    if (total === null) return `${label}: ${done} events replayed`;
    const filled = Math.round(fraction(done) * BAR_WIDTH);
    const percent = Math.floor(fraction(done) * 100);
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(percent).padStart(3)}% ${done}/${Math.max(total, done)} events`;
  };
  const draw = (done: number) => {
    const line = bar(done);
    const width = out.columns && out.columns > 1 ? out.columns - 1 : line.length;
    out.write(`\r${line.slice(0, width)}\x1b[K`);
    drawn = true;
  };
  return {
    update(done) {
      latest = done;
      const at = now();
      if (out.isTTY) {
        if (at - last < redrawMs) return;
        last = at;
        draw(done);
      } else {
        if (at - last < lineEveryMs) return;
        last = at;
        out.write(`${label}: ${done}${total === null ? '' : `/${Math.max(total, done)}`} events replayed\n`);
      }
    },
    finish() {
      if (out.isTTY) {
        draw(Math.max(latest, total ?? 0));
        out.write('\n');
      }
    },
  };
}
