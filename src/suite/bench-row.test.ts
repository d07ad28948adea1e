import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TaskMetrics } from '../core/types.js';
import { figures, isRatioFigure, isRowFigure, type Figure } from '../ledger/figures.js';
import { suiteMetrics, type SuiteMetrics } from '../ledger/metrics.js';
import { benchRowSchema, perTaskSchema, type BenchRowData } from '../report/results-schema.js';
import { benchColumns, benchRows, tableColumns, type BenchRow } from './bench-row.js';
import type { SuiteRun } from './replay-suite.js';

function run(policy: string, metrics: Partial<SuiteMetrics>, lossless = true): SuiteRun {
  return { policy, results: [], metrics: { ...suiteMetrics([]), tasks: 2, ...metrics }, lossless };
}

/** The field names other tools parse: fixed. */
const fixedFields = [
  'policy', 'tasks', 'latencySec', 'sequentialLatencySec', 'speedup', 'meanTaskSpeedup', 'costUsd', 'sequentialCostUsd',
  'wastedCostUsd', 'peakConcurrency', 'meanConcurrency', 'meanK', 'unpricedCalls', 'lossless', 'latencyRatio', 'costRatio',
  'wastedCostRatio',
];

describe('the fields and columns derived from the figures', () => {
  it('gives bench rows the policy, the figures with a row field, lossless, then the ratios, under the fixed names', () => {
    const fields = benchColumns.map((column) => column.field);
    expect(fields).toEqual([
      'policy',
      ...figures.filter(isRowFigure).map((figure) => figure.row.field),
      'lossless',
      ...figures.filter(isRatioFigure).map((figure) => figure.ratio.field),
    ]);
    expect(fields).toEqual(fixedFields);
  });

  it("gives the tables of dsp bench and dsp sweep their headers, lossless last", () => {
    expect(tableColumns('bench', []).map((column) => column.header)).toEqual([
      'policy', 'latency s', 'speedup', 'cost $', 'wasted $', 'peak', 'mean conc', 'mean k', 'lat/k2', 'cost/k2', 'waste/k2', 'lossless',
    ]);
    expect(tableColumns('sweep', []).map((column) => column.header)).toEqual([
      'policy', 'latency s', 'speedup', 'cost $', 'wasted $', 'mean k', 'lat/k2', 'cost/k2',
    ]);
  });

  it('adds the column of unpriced calls to a table only when some row has them', () => {
    const rows = benchRows([run('sequential', { unpricedCalls: 0 }), run('fixed:2', { costUsd: null, unpricedCalls: 3 })]);
    expect(tableColumns('bench', rows).map((column) => column.header)).toContain('unpriced calls');
    expect(tableColumns('sweep', rows).map((column) => column.header)).toContain('unpriced calls');
    expect(tableColumns('bench', rows.slice(0, 1)).map((column) => column.header)).not.toContain('unpriced calls');
  });

  it('gives the results file a schema with the same fields, and per-task arrays of the figures marked perTask', () => {
    expect(Object.keys(benchRowSchema.shape)).toEqual(fixedFields);
    expect(Object.keys(perTaskSchema.shape)).toEqual(
      figures.filter((figure) => figure.perTask).map((figure) => figure.key),
    );
    expect(Object.keys(perTaskSchema.shape)).toEqual([
      'latencyMs', 'sequentialLatencyMs', 'speedup', 'costUsd', 'sequentialCostUsd', 'wastedCostUsd', 'meanK',
    ]);
  });

  it('describes every figure of a task once, under distinct names', () => {
    expectTypeOf<Exclude<keyof TaskMetrics, Figure['key']>>().toBeNever();
    expectTypeOf<BenchRowData>().toEqualTypeOf<{ [Field in keyof BenchRow]: BenchRow[Field] }>();
    expect(new Set(figures.map((figure) => figure.key)).size).toBe(figures.length);
    expect(new Set(benchColumns.map((column) => column.field)).size).toBe(benchColumns.length);
    expect(new Set(tableColumns('bench', []).map((column) => column.header)).size).toBe(tableColumns('bench', []).length);
  });
});

describe('benchRows', () => {
  const sequential = run('sequential', { latencyMs: 8000, sequentialLatencyMs: 8000, speedup: 1, costUsd: 0.01, sequentialCostUsd: 0.01, peakConcurrency: 1, meanConcurrency: 1 });
  const fixed2 = run('fixed:2', {
    latencyMs: 4000,
    sequentialLatencyMs: 8000,
    speedup: 2,
    costUsd: 0.02,
    sequentialCostUsd: 0.01,
    overheadCostUsd: 0.01,
    wastedCostUsd: 0.005,
    peakConcurrency: 3,
    meanConcurrency: 1.75,
    meanK: 1.5,
    meanTaskSpeedup: 2.5,
  });

  it('shows times in seconds, ratios to fixed:2, and the fields in the order of the columns', () => {
    const [first, second] = benchRows([sequential, fixed2]);
    expect(Object.keys(first!)).toEqual(fixedFields);
    expect(second).toEqual({
      policy: 'fixed:2',
      tasks: 2,
      latencySec: 4,
      sequentialLatencySec: 8,
      speedup: 2,
      meanTaskSpeedup: 2.5,
      costUsd: 0.02,
      sequentialCostUsd: 0.01,
      wastedCostUsd: 0.005,
      peakConcurrency: 3,
      meanConcurrency: 1.75,
      meanK: 1.5,
      unpricedCalls: 0,
      lossless: true,
      latencyRatio: 1,
      costRatio: 1,
      wastedCostRatio: 1,
    });
    expect(first).toMatchObject({ latencySec: 8, latencyRatio: 2, costRatio: 0.5, wastedCostRatio: 0 });
  });

  it('has no ratio without a fixed:2 row, nor against a fixed:2 figure of zero', () => {
    const [alone] = benchRows([sequential]);
    expect(alone).toMatchObject({ latencyRatio: null, costRatio: null, wastedCostRatio: null });
    const [, againstZeros] = benchRows([run('fixed:2', { latencyMs: 4000 }), sequential]);
    expect(againstZeros).toMatchObject({ latencyRatio: 2, costRatio: null, wastedCostRatio: null });
  });

  it("formats each table cell with its figure's formatter", () => {
    const [, row] = benchRows([sequential, run('fixed:2', { ...fixed2.metrics }, false)]);
    expect(tableColumns('bench', [row!]).map((column) => column.cell(row!))).toEqual([
      'fixed:2', '4.00', '2.00x', '0.02000', '0.005000', '3.00', '1.75', '1.50', '1.00', '1.00', '1.00', 'NO',
    ]);
  });

  it('keeps an unknown cost unknown: null in the row and in its ratios, ? in tables, never 0', () => {
    // A's model is unpriced: T alone (sequential) has a known cost, every speculating policy an unknown one.
    const unknown = { costUsd: null, overheadCostUsd: null, wastedCostUsd: null, unpricedCalls: 12 };
    const rows = benchRows([sequential, run('fixed:2', { ...fixed2.metrics, ...unknown }), run('fixed:4', { ...fixed2.metrics, ...unknown })]);
    expect(rows[1]).toMatchObject({ costUsd: null, sequentialCostUsd: 0.01, wastedCostUsd: null, unpricedCalls: 12, costRatio: null, wastedCostRatio: null });
    expect(rows[0]).toMatchObject({ costUsd: 0.01, costRatio: null, latencyRatio: 2 });
    expect(benchRowSchema.parse(rows[1])).toEqual(rows[1]);
    const columns = tableColumns('bench', rows);
    const cells = (row: BenchRow): Record<string, string> => Object.fromEntries(columns.map((column) => [column.header, column.cell(row)]));
    expect(cells(rows[2]!)).toMatchObject({ 'cost $': '?', 'wasted $': '?', 'unpriced calls': '12', 'cost/k2': '?', 'waste/k2': '?', 'lat/k2': '1.00' });
    // The sequential row's cost is known, but not that of the fixed:2 row it is compared with.
    expect(cells(rows[0]!)).toMatchObject({ 'cost $': '0.01000', 'unpriced calls': '0', 'cost/k2': '?', 'lat/k2': '2.00' });
    // Without a fixed:2 row a ratio is missing, not unknown.
    expect(tableColumns('bench', [rows[0]!]).find((column) => column.header === 'cost/k2')!.cell(benchRows([sequential])[0]!)).toBe('-');
  });

  it('passes the results file schema, which refuses a row without a field or with a fractional task count', () => {
    const [row] = benchRows([fixed2]);
    expect(benchRowSchema.parse(row)).toEqual(row);
    const withoutMeanK: Record<string, unknown> = { ...row };
    delete withoutMeanK.meanK;
    expect(benchRowSchema.safeParse(withoutMeanK).success).toBe(false);
    expect(benchRowSchema.safeParse({ ...row, tasks: 1.5 }).success).toBe(false);
    expect(benchRowSchema.safeParse({ ...row, latencyRatio: null }).success).toBe(true);
  });
});
