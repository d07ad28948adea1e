/**
 * `dsp sweep` as a library: the grid of policies to run (dsp for every τ and β, fixed:K for a range of K,
 * sequential and the oracle), the frontier of each suite, and a plain-text rendering. Pure.
 */
import type { BenchSummary } from '../suite/bench.js';
import { tableColumns, type BenchRow } from '../suite/bench-row.js';
import { formatFixed, formatTimes, formatUsd } from '../ledger/format.js';
import { unpricedRemedy } from '../ledger/prices.js';
import { InvalidInputError } from '../core/errors.js';
import { parseDecimal, parsePolicySpec, type PolicySpec } from '../policies/registry.js';
import { frontierOfRows, unknownCostPolicies } from './build-results.js';
import { renderTextTable } from './text-table.js';
import { describeApproxConfidence, type ApproxConfidenceSummary } from '../traces/approx-confidence.js';

/** The grid of a sweep. */
export interface SweepGrid {
  /** Expectile levels τ of the dsp policy, each in (0, 1). Empty: no dsp point. */
  tau: readonly number[];
  /** Offsets β of the dsp policy (whole numbers). Empty: no dsp point. */
  beta: readonly number[];
  /** The k of each fixed:K point. */
  fixed: readonly number[];
  /** The smallest k of the dsp points once trained (0 or 1, see `dsp:kmin`). Default [1]. */
  kmin?: readonly number[];
  /** Values of an hour of latency, USD, of the economic dsp points (`dsp:value=…`), each > 0. Default none. */
  value?: readonly number[];
  /** False leaves every dsp point out (e.g. where the dsp policy is not available). Default true. */
  dsp?: boolean;
  /** More policies to run beside the grid, e.g. additive. */
  also?: readonly PolicySpec[];
}

/** The default grid values, as typed on the command line. */
export const sweepDefaults = { tau: '0.1,0.3,0.5,0.7,0.9,0.99', beta: '-1,0,1,2,3', kmin: '1,0', value: '1,3,10,30,100,300,1000', fixed: '1-8' } as const;

/** The policies of `dsp sweep` with its default grid: sequential, fixed:1 … 8, every default dsp point, the oracle. */
export function defaultSweepPolicies(): PolicySpec[] {
  const numbers = (text: string): number[] => parseNumberList(text, 'sweepDefaults');
  return sweepPolicies({
    tau: numbers(sweepDefaults.tau),
    beta: numbers(sweepDefaults.beta),
    kmin: numbers(sweepDefaults.kmin),
    value: numbers(sweepDefaults.value),
    fixed: parseKRange(sweepDefaults.fixed, 'sweepDefaults'),
  });
}

/** Parses a comma-separated list of numbers; an empty text is an empty list. */
export function parseNumberList(text: string, option: string): number[] {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    // Decimal only, as in policy specs: 0x1 or Infinity is a typing slip, not a τ.
    const value = parseDecimal(part.trim());
    if (value === undefined) {
      throw new InvalidInputError(`expected comma-separated decimal numbers such as 0.1,0.5,0.9, got "${text}"`, { source: option });
    }
    return value;
  });
}

/**
 * Parses the k values of fixed points: a range `1-8`, a list `1,2,4`, or both (`1-3,6`); empty means none. With
 * `largestK` (the caller's k-max), a range is listed no further than one k past it, enough for the caller to refuse
 * that k by name, so that `1-100000000` is refused at once instead of being listed in full.
 */
export function parseKRange(text: string, option: string, largestK = Number.POSITIVE_INFINITY): number[] {
  if (text.trim() === '') return [];
  const values: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const low = Number(match?.[1]);
    const high = match?.[2] === undefined ? low : Number(match[2]);
    if (match === null || low < 1 || high < low) {
      throw new InvalidInputError(`expected k values ≥ 1 as a range or list such as 1-8 or 1,2,4, got "${text}"`, { source: option });
    }
    for (let k = low; k <= Math.min(high, largestK + 1); k += 1) values.push(k);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The name of the dsp point with expectile τ, offset β and smallest k `kmin` (written only when it is not the default 1). */
export function dspPointName(tau: number, beta: number, kmin = 1): string {
  return `dsp:tau=${tau},beta=${beta}${kmin === 1 ? '' : `,kmin=${kmin}`}`;
}

/** The name of the economic dsp point for `value` USD per hour and smallest k `kmin` (written only when it is not 1). */
export function valuePointName(value: number, kmin = 1): string {
  return `dsp:value=${value}${kmin === 1 ? '' : `,kmin=${kmin}`}`;
}

/** What the errors of `sweepPolicies` name for each part of the grid; a command passes its options (`--tau`…). */
export interface SweepGridSources {
  tau: string;
  beta: string;
  kmin: string;
  fixed: string;
  /** Default `grid.value`. */
  value?: string;
}

const gridArguments: SweepGridSources = { tau: 'grid.tau', beta: 'grid.beta', kmin: 'grid.kmin', fixed: 'grid.fixed', value: 'grid.value' };

/**
 * The policies of a sweep, in order: sequential, fixed:K for each K, dsp for each (kmin, τ, β) (kmin varying slowest,
 * then τ), the economic dsp points for each (kmin, value), the extra policies, then the oracle. Duplicates are dropped.
 * A bad grid value throws `InvalidInputError` naming its part of the grid (`sources`, default `grid.tau` and so on).
 */
export function sweepPolicies(grid: SweepGrid, sources: SweepGridSources = gridArguments): PolicySpec[] {
  for (const tau of grid.tau) {
    if (!(tau > 0 && tau < 1)) throw new InvalidInputError(`τ must be between 0 and 1 (exclusive), got ${tau}`, { source: sources.tau });
  }
  for (const beta of grid.beta) {
    if (!Number.isInteger(beta)) throw new InvalidInputError(`β must be a whole number, got ${beta}`, { source: sources.beta });
  }
  const kmins = grid.kmin ?? [1];
  for (const kmin of kmins) {
    if (kmin !== 0 && kmin !== 1) throw new InvalidInputError(`kmin must be 0 or 1, got ${kmin}`, { source: sources.kmin });
  }
  const valueSource = sources.value ?? 'grid.value';
  for (const value of grid.value ?? []) {
    if (!(value > 0 && Number.isFinite(value))) throw new InvalidInputError(`a value of an hour must be a number > 0 (USD), got ${value}`, { source: valueSource });
  }
  const specs: PolicySpec[] = [parsePolicySpec('sequential'), ...grid.fixed.map((k) => parsePolicySpec(`fixed:${k}`, sources.fixed))];
  if (grid.dsp !== false) {
    const dspSource = `${sources.tau}/${sources.beta}/${sources.kmin}`;
    for (const kmin of kmins) {
      for (const tau of grid.tau) for (const beta of grid.beta) specs.push(parsePolicySpec(dspPointName(tau, beta, kmin), dspSource));
    }
    for (const kmin of kmins) for (const value of grid.value ?? []) specs.push(parsePolicySpec(valuePointName(value, kmin), `${valueSource}/${sources.kmin}`));
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
  /** For each fixed:K point: the cheapest dsp point at least as fast and strictly cheaper, or null (empty without dsp points). */
  beatsFixed: FixedBeaten[];
  /**
   * For each fixed:K point with K ≥ 2: its headroom over the oracle and the largest share of it a dsp point captures
   * (empty without an oracle row or without dsp points). See `headroomCaptured`.
   */
  headroom: HeadroomEntry[];
  /** How well A's recorded confidence tells right guesses from wrong; only when some guess carries one. */
  approxConfidence?: ApproxConfidenceSummary;
}

/** Whether some dsp point beats one fixed:K point: at least as fast (mean latency) and cheaper (mean cost). */
export interface FixedBeaten {
  fixed: string;
  /** The cheapest such dsp point, or null. */
  by: string | null;
}

/**
 * For each fixed:K row, the cheapest dsp row with a mean latency no higher and a mean cost strictly lower. Empty when
 * there is no dsp row (nothing was compared). Rows whose cost is unknown (an unpriced call) are not compared: a
 * fixed:K row of unknown cost is left out, a dsp row of unknown cost beats nothing.
 */
export function fixedBeatenBy(rows: readonly Pick<BenchRow, 'policy' | 'latencySec' | 'costUsd'>[]): FixedBeaten[] {
  const priced = rows.flatMap((row) => (row.costUsd === null ? [] : [{ ...row, costUsd: row.costUsd }]));
  const dsp = priced.filter((row) => isDspPolicy(row.policy));
  if (dsp.length === 0) return [];
  return priced
    .filter((row) => row.policy.startsWith('fixed:'))
    .map((fixed) => {
      const beating = dsp
        .filter((row) => row.latencySec <= fixed.latencySec && row.costUsd < fixed.costUsd)
        .sort((a, b) => a.costUsd - b.costUsd || a.latencySec - b.latencySec);
      return { fixed: fixed.policy, by: beating[0]?.policy ?? null };
    });
}

/** A row counts as being as fast as fixed:K when its mean latency is at most this multiple of fixed:K's. */
export const headroomLatencyTolerance = 1.005;

/** How much of one fixed:K point's headroom the best dsp point captures. */
export interface HeadroomEntry {
  /** The fixed point, e.g. `fixed:4`. */
  fixed: string;
  /** Its k. */
  k: number;
  /** cost(fixed:K) − cost(oracle), USD per task: what a policy as fast as fixed:K could save at most by knowing the future. */
  headroomUsd: number;
  /**
   * The dsp point with the largest captured share among those at most `headroomLatencyTolerance` × fixed:K's mean
   * latency, or null when none is that fast (or the headroom is not positive).
   */
  best: string | null;
  /**
   * (cost(fixed:K) − cost(best)) ÷ headroom: 1 = as cheap as the oracle, 0 = no saving, negative = costlier than
   * fixed:K, above 1 = cheaper than the oracle (possible: a k = 0 round skips A's call). Null with `best`.
   */
  captured: number | null;
}

type HeadroomRow = Pick<BenchRow, 'policy' | 'latencySec' | 'costUsd'>;

/**
 * The headroom captured at each fixed:K (K ≥ 2, fixed:1 costs what the oracle costs): headroom = cost(fixed:K) −
 * cost(oracle); a dsp row whose mean latency is at most `headroomLatencyTolerance` × fixed:K's captures
 * (cost(fixed:K) − cost(row)) ÷ headroom; the entry names the row that captures most. Empty without an oracle row or
 * without dsp rows (nothing to compare). Rows whose cost is unknown (an unpriced call) are left out, as in
 * `fixedBeatenBy`.
 */
export function headroomCaptured(rows: readonly HeadroomRow[]): HeadroomEntry[] {
  const priced = rows.flatMap((row) => (row.costUsd === null ? [] : [{ ...row, costUsd: row.costUsd }]));
  const oracle = priced.find((row) => row.policy === 'oracle');
  const dsp = priced.filter((row) => isDspPolicy(row.policy));
  if (oracle === undefined || dsp.length === 0) return [];
  const entries: HeadroomEntry[] = [];
  for (const fixed of priced) {
    const k = fixedK(fixed.policy);
    if (k === undefined || k < 2) continue;
    const headroomUsd = fixed.costUsd - oracle.costUsd;
    let best: { policy: string; captured: number } | undefined;
    if (headroomUsd > 0) {
      for (const row of dsp) {
        if (row.latencySec > headroomLatencyTolerance * fixed.latencySec) continue;
        const captured = (fixed.costUsd - row.costUsd) / headroomUsd;
        if (best === undefined || captured > best.captured) best = { policy: row.policy, captured };
      }
    }
    entries.push({ fixed: fixed.policy, k, headroomUsd, best: best?.policy ?? null, captured: best?.captured ?? null });
  }
  return entries.sort((a, b) => a.k - b.k);
}

function isDspPolicy(policy: string): boolean {
  return policy === 'dsp' || policy.startsWith('dsp:');
}

function fixedK(policy: string): number | undefined {
  const match = /^fixed:(\d+)$/.exec(policy);
  return match === null ? undefined : Number(match[1]);
}

/** The sweep summary of a bench summary. */
export function sweepSummary(summary: BenchSummary): SweepSummary {
  return {
    suite: summary.suite,
    points: summary.rows,
    frontier: frontierOfRows(summary.rows),
    beatsFixed: fixedBeatenBy(summary.rows),
    headroom: headroomCaptured(summary.rows),
    ...(summary.approxConfidence === undefined ? {} : { approxConfidence: summary.approxConfidence }),
  };
}

/** The headroom lines of the sweep table (none when `headroomCaptured` is empty). */
export function renderHeadroomLines(rows: readonly HeadroomRow[]): string[] {
  const entries = headroomCaptured(rows);
  if (entries.length === 0) return [];
  return [
    `headroom captured (cost(fixed:K) − cost(oracle); best dsp point within ${formatFixed((headroomLatencyTolerance - 1) * 100, 1)}% of fixed:K's latency):`,
    ...entries.map((entry) => {
      const head = `  ${entry.fixed.padEnd(8)} headroom ${formatUsd(entry.headroomUsd)} $`;
      return entry.best === null || entry.captured === null
        ? `${head}  no dsp point as fast`
        : `${head}  captured ${formatPercent(entry.captured)} by ${entry.best}`;
    }),
  ];
}

/** A share as a percentage with one decimal, e.g. `34.1%`. */
export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * The frontier's count among the settings it was chosen from: those with a known cost, since a setting whose cost is
 * unknown is left out of it (and listed on the line below); the oracle is the limit, not a setting.
 */
function frontierHeading(onFrontier: number, settings: readonly BenchSummary['rows'][number][]): string {
  const priced = settings.filter((row) => row.costUsd !== null).length;
  const unpriced = settings.length - priced;
  const beaten = 'are not beaten on both mean latency and mean cost';
  if (unpriced === 0) return `frontier: ${onFrontier} of ${settings.length} settings ${beaten}`;
  if (priced === 0) return `frontier: none, since no setting has a known cost (${unpriced} ${unpriced === 1 ? 'setting' : 'settings'} left out)`;
  return `frontier: ${onFrontier} of ${priced} settings with a known cost ${beaten}; ${unpriced} more, whose cost is unknown, left out`;
}

/** The frontier of one suite as a plain-text table, fastest first, with the oracle as the limit below it. */
export function renderSweepTable(summary: BenchSummary): string {
  const frontier = frontierOfRows(summary.rows);
  const rows = frontier.map((name) => summary.rows.find((row) => row.policy === name)!);
  const unknownCost = unknownCostPolicies(summary.rows);
  const oracle = summary.rows.find((row) => row.policy === 'oracle');
  const settings = summary.rows.filter((row) => row.policy !== 'oracle');
  const beaten = fixedBeatenBy(summary.rows);
  const beatenLines =
    beaten.length === 0
      ? []
      : [
        `fixed:K beaten by a dsp point (as fast or faster, and cheaper): ${beaten.filter((entry) => entry.by !== null).length} of ${beaten.length}`,
        ...beaten.map((entry) => `  ${entry.fixed.padEnd(8)} ${entry.by === null ? 'no dsp point' : `by ${entry.by}`}`),
      ];
  return [
    `suite ${summary.suite}: ${summary.tasks} tasks, timing ${summary.timing}, prices ${summary.priceTable}`,
    `source: ${summary.source}`,
    ...(summary.approxConfidence === undefined ? [] : [describeApproxConfidence(summary.approxConfidence)]),
    frontierHeading(rows.length, settings),
    ...(unknownCost.length === 0
      ? []
      : [`cost unknown (unpriced calls; ${unpricedRemedy(summary.priceTable)}), so left out of the frontier: ${unknownCost.join(', ')}`]),
    renderTextTable(tableColumns('sweep', rows, summary.rows), rows),
    ...(oracle === undefined
      ? []
      : [`limit (oracle, reads the future): ${formatFixed(oracle.latencySec)} s, ${formatTimes(oracle.speedup)}, ${formatUsd(oracle.costUsd)} $`]),
    ...beatenLines,
    ...renderHeadroomLines(summary.rows),
  ].join('\n');
}
