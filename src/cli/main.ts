/** The `dsp` command line. Each command lives in its own file under `commands/`. */
import { Command, CommanderError } from 'commander';
import { DspError, isInvalidInputError } from '../errors.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerSuitesCommand } from './commands/suites.js';
import { registerImportCommand } from './commands/import.js';

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
  return program;
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad input. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isInvalidInputError(error)) {
      process.stderr.write(`dsp: ${error.message}\n`);
      return 2;
    }
    const message = DspError.isInstance(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`dsp: ${message}\n`);
    return 1;
  }
}
