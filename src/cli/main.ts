/** The `dsp` command line. Each command lives in its own file under `commands/`. */
import { Command, CommanderError } from 'commander';
import { DspError, isInvalidInputError } from '../core/errors.js';
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

/** Errors that mean the user's input (options, files, environment) was wrong: exit code 2. */
const inputErrorNames = new Set(['InvalidInputError', 'MissingApiKeyError', 'CorruptStateError']);

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad input, 130 interrupted (Ctrl-C). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isInvalidInputError(error) || (DspError.isInstance(error) && inputErrorNames.has(error.name))) {
      process.stderr.write(`dsp: ${error.message}\n`);
      return 2;
    }
    if (DspError.isInstance(error) && error.name === 'RunInterruptedError') {
      process.stderr.write(`dsp: ${error.message}\n`);
      return 130;
    }
    const message = DspError.isInstance(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`dsp: ${message}\n`);
    return 1;
  }
}
