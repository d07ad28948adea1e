/** Pure renderers of bench summaries: table, CSV. State in, string out. Columns and fields come from `figures`. */
import type { BenchSummary } from '../suite/bench.js';
import { benchColumns, tableColumns } from '../suite/bench-row.js';
import { formatFixed, formatUsd } from '../ledger/format.js';
import { unpricedRemedy } from '../ledger/prices.js';
import { renderTextTable } from '../report/text-table.js';
import { describeApproxConfidence } from '../traces/approx-confidence.js';

/** A plain-text table with a heading naming the suite, the tasks, the timing, the source and the price table. */
export function renderTable(summary: BenchSummary): string {
  const first = summary.rows[0];
  const heading = [
    `suite ${summary.suite}: ${summary.tasks} tasks, timing ${summary.timing}, prices ${summary.priceTable}`,
    `source: ${summary.source}`,
    summary.approxConfidence === undefined ? '' : describeApproxConfidence(summary.approxConfidence),
    first === undefined
      ? ''
      : `sequential (target alone): ${formatFixed(first.sequentialLatencySec)} s, ${formatUsd(first.sequentialCostUsd)} $ per task`,
  ].filter((line) => line !== '');
  const unknownCost = summary.rows.filter((row) => row.costUsd === null).map((row) => row.policy);
  if (unknownCost.length > 0) {
    const which = unknownCost.length === summary.rows.length ? 'every policy' : unknownCost.join(', ');
    heading.push(`cost unknown (?) for ${which}: the models of some calls are not in the price table (${unpricedRemedy(summary.priceTable)})`);
  }
  return [...heading, renderTextTable(tableColumns('bench', summary.rows), summary.rows)].join('\n');
}

/** CSV with `suite` and `priceTable` columns first, then every field of bench rows; one line per suite and policy. */
export function renderCsv(summaries: readonly BenchSummary[]): string {
  const fields = benchColumns.map((column) => column.field);
  const lines = [['suite', 'priceTable', ...fields].join(',')];
  for (const summary of summaries) {
    for (const row of summary.rows) {
      lines.push([csvCell(summary.suite), csvCell(summary.priceTable), ...fields.map((field) => csvCell(row[field]))].join(','));
    }
  }
  return lines.join('\n');
}

function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
