/**
 * What a command may touch of the world outside it: two output streams, the environment variables and a signal
 * that says the user asked it to stop. `main` builds it from the real process; tests pass captured streams, so a
 * test runs the real program in-process and reads exactly what a user would see.
 */
import { DspError } from '../core/errors.js';

/** Where a command writes text: `process.stdout`, `process.stderr`, or anything that collects what it is given. */
export interface OutputStream {
  write(text: string): unknown;
  /** True on a terminal (progress is then redrawn in place). Default false. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters, when it is one. */
  readonly columns?: number;
}

/** The I/O of one run of the command line, passed to every command. */
export interface CliIo {
  /** Results: tables, JSON, CSV. */
  readonly stdout: OutputStream;
  /** Progress, warnings, the files written, errors. */
  readonly stderr: OutputStream;
  /** Where API keys and other settings are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted when the user asks the command to stop (Ctrl-C). A command that reads it stops gracefully (`dsp run`
   * prints the summary of the tasks done, `dsp serve` its counters); one that never reads it is ended at once by
   * Ctrl-C, as any process is.
   */
  readonly signal: AbortSignal;
}

/** The reason `CliIo.signal` is aborted with: the user asked the command to stop. Exit code 130. */
export class InterruptedError extends DspError {
  override readonly name = 'InterruptedError' as const;
  override readonly exitCode = 130;
  /** The process signal that asked, e.g. `SIGINT` (Ctrl-C). */
  readonly signal: string;

  constructor(signal: string) {
    super(`interrupted (${signal})`);
    this.signal = signal;
  }
}
