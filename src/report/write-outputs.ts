/**
 * Writes what `--out`, `--report` and `--png` ask for: the results file, the HTML report and PNG charts. Every API
 * key set in the environment is removed from what is written (a model's reply may echo one into a recorded action).
 */
import { writeFileAtomic } from '../io/atomic-write.js';
import { redactSecretsIn, type Environment } from '../io/api-keys.js';
import { renderCharts, writeReportPngs, type RenderReportOptions } from './render-report.js';
import { reportHtml } from './report-html.js';
import { formatResults, type ResultsFile } from './results-schema.js';

/** Options of `writeOutputs`; every path is optional. */
export interface WriteOutputsOptions extends RenderReportOptions {
  results: ResultsFile;
  /** Where to write the results JSON. */
  out?: string;
  /** Where to write the HTML report. */
  report?: string;
  /** A folder to write PNG charts into. */
  png?: string;
  /** The environment whose API keys are redacted from everything written (`redactSecretsIn`). Default `process.env`. */
  env?: Environment;
}

/** One file written: what it is and where. */
export interface WrittenFile {
  kind: 'results' | 'report' | 'png';
  path: string;
}

/**
 * Writes the requested files, each atomically, and returns them in the order written. Every API key of `env` is
 * redacted from the results first, and the results are checked (see `formatResults`): results that could not be
 * read back stop everything before any file is written.
 */
export async function writeOutputs(given: WriteOutputsOptions): Promise<WrittenFile[]> {
  const options = { ...given, results: redactSecretsIn(given.results, given.env ?? process.env) };
  const written: WrittenFile[] = [];
  const resultsText = formatResults(options.results, options.out ?? options.report ?? options.png);
  if (options.out !== undefined) {
    writeFileAtomic(options.out, resultsText);
    written.push({ kind: 'results', path: options.out });
  }
  if (options.report === undefined && options.png === undefined) return written;
  const charts = await renderCharts(options.results, options);
  if (options.report !== undefined) {
    writeFileAtomic(options.report, reportHtml(options.results, charts));
    written.push({ kind: 'report', path: options.report });
  }
  if (options.png !== undefined) {
    const paths = await writeReportPngs(options.results, options.png, { ...options, charts });
    written.push(...paths.map((path) => ({ kind: 'png' as const, path })));
  }
  return written;
}
