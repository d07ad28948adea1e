/**
 * `dsp bench` as a library: replay suites under several policies and summarise each policy as a row with the
 * figures of spec §5 and the ratios to `fixed:2` (the paper's normalisation).
 */
import { replaySuite, type PolicyBuilder, type SuiteRun } from './replay-suite.js';
import { builtinPriceTable, type PriceTable } from '../ledger/prices.js';
import { suiteMetrics } from '../ledger/metrics.js';
import { benchRows, type BenchRow } from './bench-row.js';
import type { PolicySpec } from '../policies/registry.js';
import type { Suite } from './embedded-suites.js';
import { approxConfidenceSummary, type ApproxConfidenceSummary } from '../traces/approx-confidence.js';

/** One suite's summary, as printed by `dsp bench --format json`. */
export interface BenchSummary {
  suite: string;
  tasks: number;
  /** The name of the price table used. */
  priceTable: string;
  /** Where the traces came from. */
  source: string;
  /** How the suite's timings were obtained (measured, modelled, synthetic, or a mix). */
  timing: string;
  /** How well A's recorded confidence tells right guesses from wrong; only when some guess carries one. */
  approxConfidence?: ApproxConfidenceSummary;
  rows: BenchRow[];
}

/** A suite's summary plus every run behind it (for reports). */
export interface BenchSuiteResult {
  summary: BenchSummary;
  runs: SuiteRun[];
}

/** Options of `runBench`. */
export interface RunBenchOptions {
  /** The suites to replay, each a named set of traces. */
  suites: readonly Suite[];
  /** The policies to replay each suite under (`parsePolicyList`). */
  policies: readonly PolicySpec[];
  /** Prices for the ledger's costs. Default: the built-in table. */
  priceTable?: PriceTable;
  /** The largest k any policy may choose. Default 8. */
  kMax?: number;
  /** The step limit of the live runs being replayed (see `ReplaySuiteOptions.maxSteps`). Default 50. */
  maxSteps?: number;
  /** Builds each policy. Default: the training-free policies only; pass `createPolicy` for `dsp`. */
  buildPolicy?: PolicyBuilder;
  /** Progress: called after every task of every policy. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/**
 * Replays every suite under every policy, one after another, and returns per suite its summary (one `BenchRow` per
 * policy, as `dsp bench` prints them) and the runs behind it. Throws `InvalidInputError` for a policy that
 * `buildPolicy` cannot build.
 */
export async function runBench(options: RunBenchOptions): Promise<BenchSuiteResult[]> {
  const priceTable = options.priceTable ?? builtinPriceTable;
  const total = options.suites.reduce((sum, suite) => sum + suite.traces.length, 0) * options.policies.length;
  let done = 0;
  const results: BenchSuiteResult[] = [];
  for (const suite of options.suites) {
    const runs: SuiteRun[] = [];
    for (const policy of options.policies) {
      runs.push(
        await replaySuite({
          traces: suite.traces,
          policy,
          priceTable,
          kMax: options.kMax,
          maxSteps: options.maxSteps,
          buildPolicy: options.buildPolicy,
          onTask: () => {
            done += 1;
            options.onProgress?.(done, total, `${suite.name} ${policy.name}`);
          },
        }),
      );
    }
    const timings = [...new Set(suite.traces.map((trace) => trace.timing))].sort();
    const approxConfidence = approxConfidenceSummary(suite.traces);
    results.push({
      summary: {
        suite: suite.name,
        tasks: suite.traces.length,
        priceTable: priceTable.name,
        source: suite.source,
        timing: timings.join('+'),
        ...(approxConfidence === undefined ? {} : { approxConfidence }),
        rows: benchRows(runs),
      },
      runs,
    });
  }
  return results;
}

/** The combined summary over several suites (`"suite": "all"`): rows re-averaged over every task of every suite. */
export function combinedSummary(results: readonly BenchSuiteResult[], priceTable: string): BenchSummary {
  const policies = results[0]?.runs.map((run) => run.policy) ?? [];
  const runs: SuiteRun[] = policies.map((policy) => {
    const parts = results.map((result) => result.runs.find((run) => run.policy === policy)!);
    const taskResults = parts.flatMap((part) => part.results);
    return {
      policy,
      results: taskResults,
      metrics: suiteMetrics(taskResults),
      lossless: parts.every((part) => part.lossless),
    };
  });
  return {
    suite: 'all',
    tasks: results.reduce((sum, result) => sum + result.summary.tasks, 0),
    priceTable,
    source: results.map((result) => result.summary.suite).join(', '),
    timing: [...new Set(results.flatMap((result) => result.summary.timing.split('+')))].sort().join('+'),
    rows: benchRows(runs),
  };
}
