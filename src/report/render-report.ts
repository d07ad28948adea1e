/**
 * Renders a results file: every chart to SVG, the HTML page around them, and PNG exports. The only I/O here is
 * writing PNG files into a folder the caller names.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { chartAvailable, chartNames, chartSpec, overviewSpec, type ChartName } from './chart-specs.js';
import { renderPng, type RenderPngOptions } from './render-png.js';
import { renderSvg } from './render-svg.js';
import { reportHtml, slug, type SuiteCharts } from './report-html.js';
import type { ResultsFile } from './results-schema.js';

/** Options of the report renderers. */
export interface RenderReportOptions {
  /** Progress: called after each chart is rendered. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Receives Vega-Lite and Vega warnings. Default: dropped. */
  onWarning?: (message: string) => void;
}

/** Renders every available chart of every suite to SVG. */
export async function renderCharts(results: ResultsFile, options: RenderReportOptions = {}): Promise<SuiteCharts> {
  const jobs = results.suites.flatMap((suite, suiteIndex) =>
    chartNames.filter((chart) => chartAvailable(suite, chart)).map((chart) => ({ suite, suiteIndex, chart })),
  );
  const charts: Array<Partial<Record<ChartName, string>>> = results.suites.map(() => ({}));
  let done = 0;
  for (const job of jobs) {
    charts[job.suiteIndex]![job.chart] = await renderSvg(chartSpec(job.suite, job.chart), {
      idPrefix: `s${job.suiteIndex}-${job.chart}-`,
      onWarning: options.onWarning,
    });
    done += 1;
    options.onProgress?.(done, jobs.length, `${job.suite.suite} ${job.chart}`);
  }
  return charts;
}

/** The self-contained HTML report of a results file. */
export async function renderReport(results: ResultsFile, options: RenderReportOptions = {}): Promise<string> {
  return reportHtml(results, await renderCharts(results, options));
}

/** The four charts of one suite in one SVG (two rows of two). */
export async function renderOverviewSvg(results: ResultsFile, suiteIndex = 0, options: RenderReportOptions = {}): Promise<string> {
  const suite = results.suites[suiteIndex];
  if (suite === undefined) throw new RangeError(`no suite ${suiteIndex} in the results (${results.suites.length} suites)`);
  return renderSvg(overviewSpec(suite), { onWarning: options.onWarning });
}

/**
 * Writes a PNG of every chart of every suite into `folder` (created if missing): `<suite>-<chart>.png` and
 * `<suite>-overview.png` with all four. Returns the paths written.
 */
export async function writeReportPngs(
  results: ResultsFile,
  folder: string,
  options: RenderReportOptions & RenderPngOptions & { charts?: SuiteCharts } = {},
): Promise<string[]> {
  const charts = options.charts ?? (await renderCharts(results, options));
  mkdirSync(folder, { recursive: true });
  const paths: string[] = [];
  const usedSlugs = new Map<string, number>();
  for (const [suiteIndex, suite] of results.suites.entries()) {
    let name = slug(suite.suite);
    const seen = usedSlugs.get(name) ?? 0;
    usedSlugs.set(name, seen + 1);
    if (seen > 0) name = `${name}-${seen + 1}`;
    const svgs: Array<[string, string]> = Object.entries(charts[suiteIndex] ?? {});
    svgs.push(['overview', await renderOverviewSvg(results, suiteIndex, options)]);
    for (const [chart, svg] of svgs) {
      const path = join(folder, `${name}-${chart}.png`);
      writeFileAtomic(path, renderPng(svg, options));
      paths.push(path);
    }
  }
  return paths;
}
