/** `dsp report`: turn a results file (`dsp bench --out`, `dsp sweep --out`) into an HTML report and PNG charts. */
import type { Command } from 'commander';
import { buildResults } from '../../report/build-results.js';
import { loadResults } from '../../report/results-schema.js';
import { writeOutputs, type WrittenFile } from '../../report/write-outputs.js';
import type { CliIo } from '../io.js';
import { createProgress, type Progress } from '../progress.js';

interface ReportCommandOptions {
  out?: string;
  png?: string;
  quiet?: boolean;
}

/** The default report path of a results file: `results.json` → `results.html`. */
export function defaultReportPath(resultsPath: string): string {
  return resultsPath.toLowerCase().endsWith('.json') ? `${resultsPath.slice(0, -'.json'.length)}.html` : `${resultsPath}.html`;
}

/**
 * The command line that ran `command`, rebuilt from what the user typed (options left at their defaults are
 * omitted), e.g. `dsp bench --suite synthetic --out r.json`. Recorded in results files and reports.
 */
export function describeCommandLine(command: Command): string {
  const quote = (value: string): string => (/^[\w.,:=/+@-]+$/.test(value) ? value : JSON.stringify(value));
  const parts = ['dsp', command.name(), ...command.args.map(quote)];
  for (const option of command.options) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = command.getOptionValue(key);
    const flag = option.long ?? option.short ?? key;
    if (typeof value === 'boolean') parts.push(flag);
    else if (Array.isArray(value)) parts.push(flag, ...value.map((item) => quote(String(item))));
    else parts.push(flag, quote(String(value)));
  }
  return parts.join(' ');
}

/** Describes files written, one per line (`report: path`). */
export function describeWritten(files: readonly WrittenFile[]): string {
  return files.map((file) => `${file.kind}: ${file.path}\n`).join('');
}

/**
 * After `dsp bench` or `dsp sweep`: writes the results file (`--out`) and the HTML report (`--report`) when asked
 * for, atomically, and lists them on stderr unless `--quiet`.
 */
export async function writeRequestedOutputs(input: {
  io: CliIo;
  command: Command;
  options: { out?: string; report?: string; quiet?: boolean };
  run: Omit<Parameters<typeof buildResults>[0], 'command' | 'createdAt'>;
  progress: Progress;
}): Promise<void> {
  const { io, command, options, run, progress } = input;
  if (options.out === undefined && options.report === undefined) return;
  const written = await writeOutputs({
    results: buildResults({ ...run, command: describeCommandLine(command), createdAt: new Date() }),
    out: options.out,
    report: options.report,
    onProgress: (done, total, label) => progress.update(done, total, `rendering ${label}`),
  });
  progress.done();
  if (options.quiet !== true) io.stderr.write(describeWritten(written));
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
    .action(async (resultsPath: string, options: ReportCommandOptions) => {
      const results = loadResults(resultsPath);
      const progress = createProgress(io.stderr, { quiet: options.quiet });
      const written = await writeOutputs({
        results,
        report: options.out ?? defaultReportPath(resultsPath),
        png: options.png,
        onProgress: (done, total, label) => progress.update(done, total, `rendering ${label}`),
      });
      progress.done();
      io.stdout.write(describeWritten(written));
    });
}
