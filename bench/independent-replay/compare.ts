/**
 * Compares `dsp bench`'s replay with the independent replay of the spec (./simulator.ts) on the same traces: mean
 * latency per policy and the ratios of latency and cost to fixed:2. Shared by bench/independent-replay.ts (which
 * passes the compiled code) and its test (which passes the sources).
 */
import { simulateSuite, simulatedPolicy, type SimulatedPrices, type SimulatedTrace } from './simulator.js';

/** The policies compared, fixed:2 first (the reference of the ratios). */
export const comparedPolicies = ['fixed:2', 'fixed:4', 'fixed:6', 'oracle'] as const;

/** What the comparison needs of `dsp bench`: mean latency and cost per task of each policy over the traces. */
export type BenchFigures = (
  policies: readonly string[],
) => Promise<Array<{ policy: string; latencySec: number; costUsd: number | null }>>;

/** One policy's figures from both replays. */
export interface ComparedRow {
  policy: string;
  bench: { latencySec: number; costUsd: number; latencyRatio: number; costRatio: number };
  independent: { latencySec: number; costUsd: number; latencyRatio: number; costRatio: number; callsPastTheEnd: number };
  /** independent ÷ bench − 1. */
  latencyGap: number;
  latencyRatioGap: number;
  costRatioGap: number;
}

export interface CompareOptions {
  traces: readonly SimulatedTrace[];
  prices: SimulatedPrices;
  bench: BenchFigures;
  maxSteps?: number | 'trace-length';
}

export async function compareReplays(options: CompareOptions): Promise<ComparedRow[]> {
  const benchRows = (await options.bench(comparedPolicies)).map((row) => {
    // The synthetic suite prices every call; an unknown cost here means the comparison cannot be made.
    if (row.costUsd === null) throw new Error(`dsp bench gave no known cost for ${row.policy}`);
    return { ...row, costUsd: row.costUsd };
  });
  const independentRows = comparedPolicies.map((policy) => ({
    policy,
    ...simulateSuite(options.traces, simulatedPolicy(policy), { prices: options.prices, maxSteps: options.maxSteps }),
  }));
  const benchBase = benchRows[0]!;
  const independentBase = independentRows[0]!;
  return comparedPolicies.map((policy, index) => {
    const bench = benchRows.find((row) => row.policy === policy)!;
    const independent = independentRows[index]!;
    const benchFigures = {
      latencySec: bench.latencySec,
      costUsd: bench.costUsd,
      latencyRatio: bench.latencySec / benchBase.latencySec,
      costRatio: bench.costUsd / benchBase.costUsd,
    };
    const independentFigures = {
      latencySec: independent.latencySec,
      costUsd: independent.costUsd,
      latencyRatio: independent.latencySec / independentBase.latencySec,
      costRatio: independent.costUsd / independentBase.costUsd,
      callsPastTheEnd: independent.callsPastTheEnd,
    };
    return {
      policy,
      bench: benchFigures,
      independent: independentFigures,
      latencyGap: independentFigures.latencySec / benchFigures.latencySec - 1,
      latencyRatioGap: independentFigures.latencyRatio / benchFigures.latencyRatio - 1,
      costRatioGap: independentFigures.costRatio / benchFigures.costRatio - 1,
    };
  });
}

/** A plain-text table of the comparison. */
export function renderComparison(rows: readonly ComparedRow[]): string {
  const percent = (gap: number): string => `${gap >= 0 ? '+' : ''}${(gap * 100).toFixed(2)}%`;
  const lines = [
    'policy   latency s (bench / independent, gap)   lat/k2 (bench / independent)   cost/k2 (bench / independent, gap)   calls past the end',
  ];
  for (const row of rows) {
    lines.push(
      `${row.policy.padEnd(8)} ${row.bench.latencySec.toFixed(3).padStart(8)} / ${row.independent.latencySec.toFixed(3).padStart(8)}  ${percent(row.latencyGap).padStart(7)}` +
        `        ${row.bench.latencyRatio.toFixed(3)} / ${row.independent.latencyRatio.toFixed(3)}` +
        `                 ${row.bench.costRatio.toFixed(3)} / ${row.independent.costRatio.toFixed(3)}  ${percent(row.costRatioGap).padStart(7)}` +
        `              ${row.independent.callsPastTheEnd}`,
    );
  }
  return lines.join('\n');
}
