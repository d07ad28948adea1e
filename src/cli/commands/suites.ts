/** `dsp suites`: list the embedded suites. */
import type { Command } from 'commander';
import { availableSuiteNames, embeddedSuite, type Suite } from '../../suite/embedded-suites.js';
import { renderTextTable, type TextColumn } from '../../report/text-table.js';
import type { CliIo } from '../io.js';

const columns: ReadonlyArray<TextColumn<Suite>> = [
  { header: 'suite', cell: (suite) => suite.name },
  { header: 'tasks', cell: (suite) => String(suite.traces.length) },
  { header: 'steps', cell: (suite) => String(suite.traces.reduce((sum, trace) => sum + trace.steps.length, 0)) },
  { header: 'timing', cell: (suite) => [...new Set(suite.traces.map((trace) => trace.timing))].join('+'), align: 'left' },
  { header: 'source', cell: (suite) => suite.source, align: 'left' },
];

export function registerSuitesCommand(program: Command, io: CliIo): void {
  program
    .command('suites')
    .description('list the embedded suites that `dsp bench --suite` can run')
    .addHelpText(
      'after',
      '\nA suite is named <environment>-<target>: its tasks and how the target agent planned (react, cot, mad =\n' +
        'debate). The environment alone stands for all its suites in `dsp bench --suite openagi`, and in\n' +
        '`dsp run --suite` for its tasks with any target strategy.\n\n' +
        'Examples:\n' +
        '  $ dsp suites\n' +
        '  $ dsp bench --suite openagi-react,synthetic --policies fixed:2,dsp --quiet\n',
    )
    .action(() => {
      const suites = availableSuiteNames().map((name) => embeddedSuite(name, 1));
      io.stdout.write(`${renderTextTable(columns, suites)}\n`);
    });
}
