/** The report module's public surface: results files, sweeps, charts, HTML and PNG. */
export { buildResults, featuredPolicy, frontierOfRows, packageVersion, policyKind, type BuildResultsOptions } from './build-results.js';
export { paretoFrontier, dominates, type FrontierPoint } from './frontier.js';
export {
  formatResults,
  loadResults,
  parseResults,
  resultsFormat,
  resultsSchema,
  type ResultsFile,
  type SuiteResults,
} from './results-schema.js';
export {
  chartNames,
  chartSpec,
  overviewSpec,
  type ChartName,
  type VegaLiteSpec,
} from './chart-specs.js';
export { renderSvg, type RenderSvgOptions } from './render-svg.js';
export { findSansSerifFont, pngSize, renderPixels, renderPng, type RenderPngOptions } from './render-png.js';
export { reportHtml, type SuiteCharts } from './report-html.js';
export { renderCharts, renderOverviewSvg, renderReport, writeReportPngs, type RenderReportOptions } from './render-report.js';
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
} from './sweep.js';
export { writeOutputs, type WriteOutputsOptions, type WrittenFile } from './write-outputs.js';
