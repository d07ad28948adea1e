/**
 * Progress for commands that work through many tasks: a bar redrawn in place on a terminal, plain periodic lines
 * otherwise (logs, CI), nothing with `--quiet`. Commands draw it on stderr, so stdout stays clean for tables and JSON.
 */
import type { OutputStream } from './io.js';

export interface Progress {
  update(done: number, total: number, label: string): void;
  done(): void;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** Minimum milliseconds between plain lines. Default 2,000. */
  intervalMs?: number;
  now?: () => number;
}

/** Progress drawn on `stream` (a command's `io.stderr`). */
export function createProgress(stream: OutputStream, options: ProgressOptions = {}): Progress {
  if (options.quiet === true) return { update: () => undefined, done: () => undefined };
  const now = options.now ?? (() => Date.now());
  const intervalMs = options.intervalMs ?? 2000;
  let lastLineMs = -Infinity;
  let drawn = false;
  if (stream.isTTY === true) {
    return {
      update: (done, total, label) => {
        const width = 24;
        const filled = total > 0 ? Math.round((done / total) * width) : width;
        const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\u001b[K`);
        drawn = true;
      },
      done: () => {
        if (drawn) stream.write('\r\u001b[K');
      },
    };
  }
  return {
    update: (done, total, label) => {
      const time = now();
      if (done !== total && time - lastLineMs < intervalMs) return;
      lastLineMs = time;
      stream.write(`progress: ${done}/${total} ${label}\n`);
    },
    done: () => undefined,
  };
}
