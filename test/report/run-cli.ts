/** Runs `dsp bench`, `dsp report` and `dsp sweep` in-process, capturing what they print. */
import { Command } from 'commander';
import { vi } from 'vitest';
import { registerBenchCommand } from '../../src/cli/commands/bench.js';
import { registerReportCommand } from '../../src/cli/commands/report.js';
import { registerSweepCommand } from '../../src/cli/commands/sweep.js';

/** What a command printed. */
export interface CliOutput {
  stdout: string;
  stderr: string;
}

/** Runs `dsp <args>`; rejects with the command's error. */
export async function runCli(args: readonly string[]): Promise<CliOutput> {
  const program = new Command().name('dsp').exitOverride();
  registerBenchCommand(program);
  registerReportCommand(program);
  registerSweepCommand(program);
  const output: CliOutput = { stdout: '', stderr: '' };
  const capture = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      output[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    });
  const spies = [capture('stdout'), capture('stderr')];
  try {
    await program.parseAsync(['node', 'dsp', ...args]);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return output;
}
