/**
 * The `dsp` command line. Each command lives in its own file under `commands/` and receives the I/O object; only
 * `main` touches the real process (its streams, environment and signals).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeCause, DspError, type ExitCode } from '../core/errors.js';
import { redactSecrets } from '../io/api-keys.js';
import { InterruptedError, type CliIo } from './io.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerSuitesCommand } from './commands/suites.js';
import { registerImportCommand } from './commands/import.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerReportCommand } from './commands/report.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerEvalPredictorCommand } from './commands/eval-predictor.js';

/** The package's version, from its package.json (two folders up from both `src/cli/` and `dist/cli/`). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** The whole `dsp` program, writing only through `io` (Commander's help, version and usage errors included). */
export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('dsp')
    .description('Dynamic Speculative Planning: make LLM agents faster without changing what they do')
    .version(packageVersion(), '-V, --version', 'print the version of dsp')
    .showHelpAfterError()
    .exitOverride()
    // Before the commands are added: they inherit it.
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // A usage error quotes the argument, which may be a key pasted in the wrong place.
      outputError: (text, write) => write(redactSecrets(text, io.env)),
      getOutHelpWidth: () => (io.stdout.isTTY === true ? (io.stdout.columns ?? 80) : 80),
      getErrHelpWidth: () => (io.stderr.isTTY === true ? (io.stderr.columns ?? 80) : 80),
    });
  registerBenchCommand(program, io);
  registerSuitesCommand(program, io);
  registerImportCommand(program, io);
  registerRunCommand(program, io);
  registerServeCommand(program, io);
  registerReportCommand(program, io);
  registerSweepCommand(program, io);
  registerEvalPredictorCommand(program, io);
  program.addHelpText(
    'after',
    '\nExamples:\n' +
      '  $ dsp suites\n' +
      '  $ dsp bench --suite synthetic --policies fixed:2,dsp --quiet\n' +
      '  $ dsp run --help\n',
  );
  return program;
}

/**
 * The exit code for what ended a command: a dsp error's own (`exitCode`: 2 bad input, 1 failure, 130 interrupted),
 * 2 for a command-line usage error (0 after `--help`), 1 for anything else.
 */
export function exitCodeOf(error: unknown): ExitCode | 0 {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (DspError.isInstance(error)) return error.exitCode;
  return 1;
}

/**
 * Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad input, 130 interrupted (Ctrl-C). Without
 * `io`, the real process's streams, environment and signals.
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  const processIo = io === undefined ? realProcessIo() : undefined;
  const cliIo = io ?? processIo!.io;
  try {
    await buildProgram(cliIo).parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Commander has already printed its usage errors. A message may quote a server's reply, which may echo a key.
    if (!(error instanceof CommanderError)) cliIo.stderr.write(`dsp: ${redactSecrets(describeCause(error), cliIo.env)}\n`);
    return exitCodeOf(error);
  } finally {
    processIo?.release();
  }
}

/**
 * The real process's I/O. Reading `signal` is how a command says it stops gracefully: from then on the first
 * Ctrl-C (or SIGTERM) aborts the signal and a second one exits at once with 130. A command that never reads it is
 * ended by Ctrl-C at once, as any process is. `release` removes the handlers.
 */
function realProcessIo(): { io: CliIo; release: () => void } {
  // A reader that stops early (`dsp suites | head -1`) closes the pipe: writing more is pointless, so end quietly
  // with 0, as when the output was read in full, instead of crashing on an unhandled EPIPE.
  const onOutputError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  const stop = new AbortController();
  let armed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(new InterruptedError(signal));
  };
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    get signal(): AbortSignal {
      if (!armed) {
        armed = true;
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }
      return stop.signal;
    },
  };
  // The EPIPE handlers stay: output still being flushed after `main` returns may meet a closed pipe too.
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return { io, release };
}
