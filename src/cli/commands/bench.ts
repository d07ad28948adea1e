/** `dsp bench`: replay suites under several k-policies and print one summary per suite. */
import { Command, Option } from 'commander';
import type { CliIo } from '../io.js';
import { listOption } from '../options.js';
import { renderCsv, renderTable } from '../render.js';
import {
  addReplayOptions,
  addSuiteOptions,
  defaultSuitesNote,
  parsePolicyOption,
  resolveReplay,
  runReplay,
  type ReplayOptionValues,
} from '../replay-command.js';

export const defaultBenchPolicies = 'sequential,fixed:2,fixed:4,fixed:6,additive,dsp,dsp:tau=0.9,beta=2,oracle';

interface BenchCommandOptions extends ReplayOptionValues {
  policies: string[];
  format: 'table' | 'json' | 'csv';
}

export function registerBenchCommand(program: Command, io: CliIo): void {
  const command = program.command('bench').description('replay recorded agent traces under several k-policies and compare latency and cost');
  addSuiteOptions(command)
    .addOption(listOption('--policies <list...>', 'k-policies (commas, words or repeats)', defaultBenchPolicies))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'));
  addReplayOptions(command)
    .option(
      '--predictor-state <file>',
      'the dsp policy loads its learned state from this file (when it exists) before each suite and saves it after',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ dsp bench --suite synthetic --policies fixed:2,fixed:4,dsp --quiet\n' +
        '  $ dsp bench --suite openagi-react --policies dsp:tau=0.9,beta=2 --format csv --quiet\n' +
        '  $ dsp bench --traces data/examples --policies sequential,fixed:3 --quiet\n',
    )
    .action(async (options: BenchCommandOptions) => {
      const request = resolveReplay(options, parsePolicyOption(options.policies, '--policies'), '--policies');
      await runReplay({
        io,
        command,
        options,
        request,
        render: (summaries) => {
          if (options.format === 'json') return `${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`;
          if (options.format === 'csv') return `${renderCsv(summaries)}\n`;
          return `${defaultSuitesNote(request, 'running')}${summaries.map(renderTable).join('\n\n')}\n`;
        },
      });
    });
}
