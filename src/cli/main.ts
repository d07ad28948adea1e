/** The `dsp` command line. Each command lives in its own file under `commands/`. */
import { Command, CommanderError } from 'commander';
import { describeCause, DspError, type ExitCode } from '../core/errors.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerSuitesCommand } from './commands/suites.js';
import { registerImportCommand } from './commands/import.js';
import { registerRunCommand } from './commands/run.js';
import { registerServeCommand } from './commands/serve.js';
import { registerReportCommand } from './commands/report.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerEvalPredictorCommand } from './commands/eval-predictor.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('dsp')
    .description('Dynamic Speculative Planning: make LLM agents faster without changing what they do')
    .showHelpAfterError()
    .exitOverride();
  registerBenchCommand(program);
  registerSuitesCommand(program);
  registerImportCommand(program);
  registerRunCommand(program);
  registerServeCommand(program);
  registerReportCommand(program);
  registerSweepCommand(program);
  registerEvalPredictorCommand(program);
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

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad input, 130 interrupted (Ctrl-C). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    // Commander has already printed its usage errors.
    if (!(error instanceof CommanderError)) process.stderr.write(`dsp: ${describeCause(error)}\n`);
    return exitCodeOf(error);
  }
}
