/**
 * The entry `dsp-agent/report`: `dsp-results/2` files, sweeps and their frontier, charts, HTML and PNG.
 *
 * This entry loads vega, vega-lite and @resvg/resvg-js; the root entry `dsp-agent` never does.
 */
export { buildResults, featuredPolicy, frontierOfRows, packageVersion, policyKind, type BuildResultsOptions } from './report/build-results.js';
export { paretoFrontier, dominates, type FrontierPoint } from './report/frontier.js';
export {
  formatResults,
  loadResults,
  parseResults,
  resultsFormat,
  resultsSchema,
  type ResultsFile,
  type SuiteResults,
} from './report/results-schema.js';
export {
  chartNames,
  chartSpec,
  overviewSpec,
  type ChartName,
  type VegaLiteSpec,
} from './report/chart-specs.js';
export { renderSvg, type RenderSvgOptions } from './report/render-svg.js';
export { findSansSerifFont, pngSize, renderPixels, renderPng, type RenderPngOptions } from './report/render-png.js';
export { reportHtml, type SuiteCharts } from './report/report-html.js';
export { renderCharts, renderOverviewSvg, renderReport, writeReportPngs, type RenderReportOptions } from './report/render-report.js';
export {
  dspPointName,
  fixedBeatenBy,
  parseKRange,
  parseNumberList,
  renderSweepTable,
  sweepDefaults,
  sweepPolicies,
  sweepSummary,
  type FixedBeaten,
  type SweepGrid,
  type SweepGridSources,
  type SweepSummary,
} from './report/sweep.js';
export { writeOutputs, type WriteOutputsOptions, type WrittenFile } from './report/write-outputs.js';
