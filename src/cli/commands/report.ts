/** `dsp report`: turn a results file (`dsp bench --out`, `dsp sweep --out`) into an HTML report and PNG charts. */
import type { Command } from 'commander';
import { checkCommandFiles } from '../../io/command-files.js';
import { loadResults } from '../../report/results-schema.js';
import { writeOutputs } from '../../report/write-outputs.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { describeWritten } from '../replay-command.js';

interface ReportCommandOptions {
  out?: string;
  png?: string;
  quiet?: boolean;
}

/** The default report path of a results file: `results.json` → `results.html`. */
export function defaultReportPath(resultsPath: string): string {
  return resultsPath.toLowerCase().endsWith('.json') ? `${resultsPath.slice(0, -'.json'.length)}.html` : `${resultsPath}.html`;
}

/** Registers `dsp report RESULTS.json [--out FILE.html] [--png DIR] [--quiet]`. */
export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report')
    .description('render a results file (from `dsp bench --out` or `dsp sweep --out`) as one self-contained HTML page')
    .argument('<results>', 'results JSON written by `dsp bench --out` or `dsp sweep --out`')
    .option('--out <file>', 'the HTML report to write (default: the results path with .html)')
    .option('--png <dir>', 'also write every chart as PNG into this folder (<suite>-<chart>.png, <suite>-overview.png)')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ dsp bench --suite synthetic --policies fixed:2,dsp --out results.json --quiet\n' +
        '  $ dsp report results.json --out report.html --png charts --quiet\n',
    )
    .action(async (resultsPath: string, options: ReportCommandOptions) => {
      const reportPath = options.out ?? defaultReportPath(resultsPath);
      checkCommandFiles([
        { path: resultsPath, flag: '<results>', use: 'read' },
        { path: reportPath, flag: '--out', use: 'write' },
        { path: options.png, flag: '--png', use: 'folder' },
      ]);
      const results = loadResults(resultsPath);
      const progress = createProgress(io.stderr, { quiet: options.quiet });
      const written = await writeOutputs({
        results,
        report: reportPath,
        png: options.png,
        env: io.env,
        onProgress: (done, total, label) => progress.update(done, total, `rendering ${label}`),
      });
      progress.done();
      io.stdout.write(describeWritten(written));
    });
}
