/**
 * `dsp sweep` as a library: the grid of policies to run (dsp for every τ and β, fixed:K for a range of K,
 * sequential and the oracle), the frontier of each suite, and a plain-text rendering. Pure.
 */
import type { BenchRow, BenchSummary } from '../bench/run-bench.js';
import { InvalidInputError } from '../errors.js';
import { parsePolicySpec, type PolicySpec } from '../policies/registry.js';
import { frontierOfRows } from './build-results.js';

/** The grid of a sweep. */
export interface SweepGrid {
  /** Expectile levels τ of the dsp policy, each in (0, 1). Empty: no dsp point. */
  tau: readonly number[];
  /** Offsets β of the dsp policy (whole numbers). Empty: no dsp point. */
  beta: readonly number[];
  /** The k of each fixed:K point. */
  fixed: readonly number[];
  /** False leaves every dsp point out (e.g. where the dsp policy is not available). Default true. */
  dsp?: boolean;
  /** More policies to run beside the grid, e.g. additive. */
  also?: readonly PolicySpec[];
}

/** The default grid values, as typed on the command line. */
export const sweepDefaults = { tau: '0.1,0.3,0.5,0.7,0.9,0.99', beta: '-1,0,1,2', fixed: '1-8' } as const;

/** Parses a comma-separated list of numbers; an empty text is an empty list. */
export function parseNumberList(text: string, option: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(value)) {
      throw new InvalidInputError(`expected comma-separated numbers such as 0.1,0.5,0.9, got "${text}"`, { source: option });
    }
    return value;
  });
}

/** Parses the k values of fixed points: a range `1-8`, a list `1,2,4`, or both (`1-3,6`); empty means none. */
export function parseKRange(text: string, option: string): number[] {
  if (text.trim() === '') return [];
  const values: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const low = Number(match?.[1]);
    const high = match?.[2] === undefined ? low : Number(match[2]);
    if (match === null || low < 1 || high < low) {
      throw new InvalidInputError(`expected k values ≥ 1 as a range or list such as 1-8 or 1,2,4, got "${text}"`, { source: option });
    }
    for (let k = low; k <= high; k += 1) values.push(k);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The name of the dsp point with expectile τ and offset β. */
export function dspPointName(tau: number, beta: number): string {
  return `dsp:tau=${tau},beta=${beta}`;
}

/**
 * The policies of a sweep, in order: sequential, fixed:K for each K, dsp for each (τ, β) (τ varying slowest), the
 * extra policies, then the oracle. Duplicates are dropped.
 */
export function sweepPolicies(grid: SweepGrid): PolicySpec[] {
  for (const tau of grid.tau) {
    if (!(tau > 0 && tau < 1)) throw new InvalidInputError(`τ must be between 0 and 1 (exclusive), got ${tau}`, { source: '--tau' });
  }
  for (const beta of grid.beta) {
    if (!Number.isInteger(beta)) throw new InvalidInputError(`β must be a whole number, got ${beta}`, { source: '--beta' });
  }
  const specs: PolicySpec[] = [parsePolicySpec('sequential'), ...grid.fixed.map((k) => parsePolicySpec(`fixed:${k}`, '--fixed'))];
  if (grid.dsp !== false) {
    for (const tau of grid.tau) for (const beta of grid.beta) specs.push(parsePolicySpec(dspPointName(tau, beta), '--tau/--beta'));
  }
  specs.push(...(grid.also ?? []), parsePolicySpec('oracle'));
  const seen = new Set<string>();
  return specs.filter((spec) => (seen.has(spec.name) ? false : (seen.add(spec.name), true)));
}

/** One suite's sweep, as printed by `dsp sweep --format json`. */
export interface SweepSummary {
  suite: string;
  /** One row per policy, as in `dsp bench --format json`. */
  points: BenchRow[];
  /** The policies not dominated in (mean latency, mean cost), fastest first; the oracle is never among them. */
  frontier: string[];
}

/** The sweep summary of a bench summary. */
export function sweepSummary(summary: BenchSummary): SweepSummary {
  return { suite: summary.suite, points: summary.rows, frontier: frontierOfRows(summary.rows) };
}

function usd(value: number): string {
  return value === 0 ? '0' : value.toPrecision(4);
}

function ratio(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

/** The frontier of one suite as a plain-text table, fastest first, with the oracle as the limit below it. */
export function renderSweepTable(summary: BenchSummary): string {
  const frontier = frontierOfRows(summary.rows);
  const rows = frontier.map((name) => summary.rows.find((row) => row.policy === name)!);
  const columns: Array<[string, (row: BenchRow) => string]> = [
    ['policy', (row) => row.policy],
    ['latency s', (row) => row.latencySec.toFixed(2)],
    ['speedup', (row) => `${row.speedup.toFixed(2)}x`],
    ['cost $', (row) => usd(row.costUsd)],
    ['wasted $', (row) => usd(row.wastedCostUsd)],
    ['mean k', (row) => row.meanK.toFixed(2)],
    ['lat/k2', (row) => ratio(row.latencyRatio)],
    ['cost/k2', (row) => ratio(row.costRatio)],
  ];
  const cells = rows.map((row) => columns.map(([, value]) => value(row)));
  const widths = columns.map(([header], index) => Math.max(header.length, ...cells.map((line) => line[index]!.length)));
  const line = (values: string[]): string =>
    values.map((value, index) => (index === 0 ? value.padEnd(widths[index]!) : value.padStart(widths[index]!))).join('  ');
  const oracle = summary.rows.find((row) => row.policy === 'oracle');
  const settings = summary.rows.filter((row) => row.policy !== 'oracle').length;
  return [
    `suite ${summary.suite}: ${summary.tasks} tasks, timing ${summary.timing}, prices ${summary.priceTable}`,
    `source: ${summary.source}`,
    `frontier: ${rows.length} of ${settings} settings are not beaten on both mean latency and mean cost`,
    line(columns.map(([header]) => header)),
    ...cells.map(line),
    ...(oracle === undefined
      ? []
      : [`limit (oracle, reads the future): ${oracle.latencySec.toFixed(2)} s, ${oracle.speedup.toFixed(2)}x, ${usd(oracle.costUsd)} $`]),
  ].join('\n');
}
