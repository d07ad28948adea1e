/** Runs `dsp bench`, `dsp report` and `dsp sweep` in-process, capturing what they print. */
import { buildProgram } from '../../src/cli/main.js';
import { captureIo } from '../fixtures/cli/captured-io.js';

/** What a command printed. */
export interface CliOutput {
  stdout: string;
  stderr: string;
}

/** Runs `dsp <args>`; rejects with the command's error. */
export async function runCli(args: readonly string[]): Promise<CliOutput> {
  const captured = captureIo();
  await buildProgram(captured.io).parseAsync(['node', 'dsp', ...args]);
  return { stdout: captured.stdout(), stderr: captured.stderr() };
}
