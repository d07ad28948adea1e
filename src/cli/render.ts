/** Pure renderers of bench summaries: table, CSV. State in, string out. */
import type { BenchRow, BenchSummary } from '../suite/bench.js';

const columns: Array<{ header: string; value: (row: BenchRow) => string }> = [
  { header: 'policy', value: (row) => row.policy },
  { header: 'latency s', value: (row) => row.latencySec.toFixed(2) },
  { header: 'speedup', value: (row) => `${row.speedup.toFixed(2)}x` },
  { header: 'cost $', value: (row) => formatUsd(row.costUsd) },
  { header: 'wasted $', value: (row) => formatUsd(row.wastedCostUsd) },
  { header: 'peak', value: (row) => row.peakConcurrency.toFixed(2) },
  { header: 'mean conc', value: (row) => row.meanConcurrency.toFixed(2) },
  { header: 'mean k', value: (row) => row.meanK.toFixed(2) },
  { header: 'lat/k2', value: (row) => ratio(row.latencyRatio) },
  { header: 'cost/k2', value: (row) => ratio(row.costRatio) },
  { header: 'waste/k2', value: (row) => ratio(row.wastedCostRatio) },
  { header: 'lossless', value: (row) => (row.lossless ? 'yes' : 'NO') },
];

function ratio(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

/** USD with four significant digits, e.g. 0.01234. */
export function formatUsd(value: number): string {
  if (value === 0) return '0';
  return value.toPrecision(4);
}

/** A plain-text table with a heading naming the suite, the tasks, the timing, the source and the price table. */
export function renderTable(summary: BenchSummary): string {
  const first = summary.rows[0];
  const heading = [
    `suite ${summary.suite}: ${summary.tasks} tasks, timing ${summary.timing}, prices ${summary.priceTable}`,
    `source: ${summary.source}`,
    first === undefined
      ? ''
      : `sequential (target alone): ${first.sequentialLatencySec.toFixed(2)} s, ${formatUsd(first.sequentialCostUsd)} $ per task`,
  ].filter((line) => line !== '');
  const cells = summary.rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((row) => row[index]!.length)),
  );
  const line = (values: string[]): string =>
    values.map((value, index) => (index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!))).join('  ');
  return [...heading, line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

const csvFields: Array<keyof BenchRow> = [
  'policy',
  'tasks',
  'latencySec',
  'sequentialLatencySec',
  'speedup',
  'costUsd',
  'sequentialCostUsd',
  'wastedCostUsd',
  'peakConcurrency',
  'meanConcurrency',
  'meanK',
  'lossless',
  'latencyRatio',
  'costRatio',
  'wastedCostRatio',
];

/** CSV with a `suite` column first and one line per suite and policy. */
export function renderCsv(summaries: readonly BenchSummary[]): string {
  const lines = [['suite', 'priceTable', ...csvFields].join(',')];
  for (const summary of summaries) {
    for (const row of summary.rows) {
      lines.push(
        [csvCell(summary.suite), csvCell(summary.priceTable), ...csvFields.map((field) => csvCell(row[field]))].join(','),
      );
    }
  }
  return lines.join('\n');
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
