/**
 * Builds the results file from a bench run: the summaries plus what a report draws. Pure apart from reading the
 * traces already in memory; the creation time and the command line are passed in.
 */
import { readFileSync } from 'node:fs';
import type { BenchSuiteResult } from '../suite/bench.js';
import type { BenchRow } from '../suite/bench-row.js';
import { combinedSummary } from '../suite/bench.js';
import type { Suite } from '../suite/embedded-suites.js';
import { exactMatch, type ActionsMatch } from '../core/actions.js';
import type { SuiteRun } from '../suite/replay-suite.js';
import type { CallStatus, TaskResult } from '../core/types.js';
import { InvalidInputError } from '../core/errors.js';
import { figures, isPerTaskFigure } from '../ledger/figures.js';
import type { PriceTable } from '../ledger/prices.js';
import { parsePolicySpec } from '../policies/registry.js';
import { stepsToBreak } from '../traces/replay.js';
import type { Trace } from '../traces/schema.js';
import { paretoFrontier } from './frontier.js';
import {
  resultsFormat,
  type ExampleTask,
  type PolicyKind,
  type PolicyResult,
  type ResultsFile,
  type SuiteResults,
} from './results-schema.js';

/** What `buildResults` needs. */
export interface BuildResultsOptions {
  /** The bench results, one per suite, in the order of `suites`. */
  results: readonly BenchSuiteResult[];
  /** The suites the results came from (their traces give the oracle's k for every round). */
  suites: readonly Suite[];
  /** The price table every cost was computed with. */
  priceTable: PriceTable;
  /** The largest k the run allowed. */
  kMax: number;
  /** The seed of the run. */
  seed: number;
  /** The command that produced the results, e.g. `dsp bench --suite synthetic`. */
  command: string;
  /** When the results were produced. */
  createdAt: Date;
  /** The version of dsp-agent that produced them. Default: read from package.json. */
  version?: string;
  /** The matcher the run used (the oracle's k depends on it). Default exact. */
  actionsMatch?: ActionsMatch;
}

/** Builds the `dsp-results/2` document of a bench or sweep run. */
export function buildResults(options: BuildResultsOptions): ResultsFile {
  if (options.results.length !== options.suites.length) {
    throw new InvalidInputError(`expected one bench result per suite, got ${options.results.length} for ${options.suites.length} suites`);
  }
  const suites = options.results.map((result, index) =>
    suiteResults(result, options.suites[index]!, options.kMax, options.actionsMatch ?? exactMatch),
  );
  const results: ResultsFile = {
    format: resultsFormat,
    createdAt: options.createdAt.toISOString(),
    generator: { name: 'dsp-agent', version: options.version ?? packageVersion(), command: options.command },
    settings: {
      kMax: options.kMax,
      seed: options.seed,
      policies: options.results[0]?.runs.map((run) => run.policy) ?? [],
    },
    priceTable: options.priceTable,
    suites,
  };
  if (options.results.length > 1) results.combined = combinedSummary(options.results, options.priceTable.name);
  return results;
}

/** The version in dsp-agent's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The kind of a policy from its name (`fixed:4` → fixed). */
export function policyKind(name: string): PolicyKind {
  return parsePolicySpec(name).kind;
}

/**
 * The policies not dominated in (mean latency, mean cost) among a summary's rows, fastest first. The oracle is
 * left out: it reads the trace's future, so it is a limit to compare with, not a setting one can choose. So is a
 * row whose cost is unknown (an unpriced call): it can neither dominate nor be dominated.
 */
export function frontierOfRows(rows: readonly BenchRow[]): string[] {
  return paretoFrontier(
    rows
      .filter((row) => policyKind(row.policy) !== 'oracle')
      .flatMap((row) => (row.costUsd === null ? [] : [{ name: row.policy, latency: row.latencySec, cost: row.costUsd }])),
  );
}

/** The policies of rows whose cost is unknown (some call is unpriced), in row order. */
export function unknownCostPolicies(rows: readonly BenchRow[]): string[] {
  return rows.filter((row) => row.costUsd === null).map((row) => row.policy);
}

function suiteResults(result: BenchSuiteResult, suite: Suite, kMax: number, actionsMatch: ActionsMatch): SuiteResults {
  const traces = suite.traces;
  const policies = result.runs.map((run) => policyResult(run, traces, actionsMatch, kMax));
  const frontier = frontierOfRows(result.summary.rows);
  const featured = featuredPolicy(policies.map((policy) => ({ name: policy.policy, kind: policy.kind })), frontier);
  return {
    suite: suite.name,
    source: suite.source,
    timing: result.summary.timing,
    models: {
      approx: [...new Set(traces.map((trace) => trace.models.approx))].sort(),
      target: [...new Set(traces.map((trace) => trace.models.target))].sort(),
    },
    taskIds: traces.map((trace) => trace.id),
    summary: result.summary,
    frontier,
    featured,
    policies,
    examples: featured === null ? [] : exampleTasks(result.runs, featured, traces),
  };
}

function policyResult(
  run: SuiteRun,
  traces: readonly Trace[],
  actionsMatch: ActionsMatch,
  kMax: number,
): PolicyResult {
  if (run.results.length !== traces.length) {
    throw new InvalidInputError(`policy ${run.policy} has ${run.results.length} task results for ${traces.length} traces`);
  }
  const pick = (field: keyof TaskResult['metrics']): Array<number | null> => run.results.map((task) => task.metrics[field]);
  const rounds: PolicyResult['rounds'] = { task: [], k: [], oracleK: [] };
  run.results.forEach((task, taskIndex) => {
    const trace = traces[taskIndex]!;
    if (task.taskId !== trace.id) {
      throw new InvalidInputError(`policy ${run.policy}: task ${taskIndex} is "${task.taskId}", expected "${trace.id}"`);
    }
    for (const round of task.rounds) {
      const committedLength = round.startStep - 1;
      rounds.task.push(taskIndex);
      rounds.k.push(round.k);
      // The engine clamps every policy's answer to kMax and the steps left; the oracle's k is clamped the same way.
      rounds.oracleK.push(Math.min(stepsToBreak(trace, committedLength, actionsMatch), kMax, trace.steps.length - committedLength));
    }
  });
  return {
    policy: run.policy,
    kind: policyKind(run.policy),
    lossless: run.lossless,
    perTask: Object.fromEntries(figures.filter(isPerTaskFigure).map((figure) => [figure.key, pick(figure.key)])) as PolicyResult['perTask'],
    rounds,
  };
}

const kindPreference: readonly PolicyKind[] = ['dsp', 'additive', 'fixed', 'oracle', 'sequential'];

/**
 * The policy a report features (its timeline comes first): of the first kind present among dsp, additive, fixed,
 * oracle and sequential, the one with default settings when it ran (a spec without options, e.g. `dsp`), else the
 * middle one of its kind on the frontier (a balanced setting, not an extreme), else the first of its kind.
 */
export function featuredPolicy(policies: ReadonlyArray<{ name: string; kind: PolicyKind }>, frontier: readonly string[]): string | null {
  for (const kind of kindPreference) {
    const ofKind = policies.filter((policy) => policy.kind === kind).map((policy) => policy.name);
    if (ofKind.length === 0) continue;
    if (ofKind.includes(kind)) return kind;
    const onFrontier = frontier.filter((name) => ofKind.includes(name));
    if (onFrontier.length > 0) return onFrontier[Math.floor((onFrontier.length - 1) / 2)]!;
    return ofKind[0]!;
  }
  return null;
}

/**
 * The task a timeline shows, as an index into the suite: under the featured policy, one whose calls show as many
 * of the four statuses as any task does (and at least two rounds when some task has them), and among those the
 * one whose speedup is closest to the policy's median speedup (a typical task, not the best one).
 */
export function exampleTaskIndex(results: readonly TaskResult[]): number {
  if (results.length === 0) return -1;
  const statusCount = (result: TaskResult): number => new Set<CallStatus>(result.records.map((record) => record.status)).size;
  const most = Math.max(...results.map(statusCount));
  let candidates = results.map((result, index) => ({ result, index })).filter(({ result }) => statusCount(result) === most);
  if (candidates.some(({ result }) => result.rounds.length >= 2)) {
    candidates = candidates.filter(({ result }) => result.rounds.length >= 2);
  }
  const speedups = results.map((result) => result.metrics.speedup).sort((a, b) => a - b);
  const median = speedups[Math.floor((speedups.length - 1) / 2)]!;
  candidates.sort((a, b) => Math.abs(a.result.metrics.speedup - median) - Math.abs(b.result.metrics.speedup - median) || a.index - b.index);
  return candidates[0]!.index;
}

/** The example task's full ledger under the featured policy, the oracle and sequential (when they ran). */
function exampleTasks(runs: readonly SuiteRun[], featured: string, traces: readonly Trace[]): ExampleTask[] {
  const featuredRun = runs.find((run) => run.policy === featured)!;
  const taskIndex = exampleTaskIndex(featuredRun.results);
  if (taskIndex < 0) return [];
  const shown = [featured, ...runs.filter((run) => run.policy !== featured && ['oracle', 'sequential'].includes(policyKind(run.policy))).map((run) => run.policy)];
  return shown.map((policy) => {
    const task = runs.find((run) => run.policy === policy)!.results[taskIndex]!;
    const startMs = Math.min(...task.rounds.map((round) => round.startMs), ...task.records.map((record) => record.startMs));
    return {
      policy,
      taskId: task.taskId,
      task: traces[taskIndex]!.task,
      startMs,
      latencyMs: task.metrics.latencyMs,
      speedup: task.metrics.speedup,
      costUsd: task.metrics.costUsd,
      records: task.records.map((record) => {
        // An unpriced call has no cost field in JSON: drop the undefined so the copy equals its parsed form.
        const copy = { ...record, usage: { ...record.usage } };
        if (copy.costUsd === undefined) delete copy.costUsd;
        return copy;
      }),
      rounds: task.rounds.map((round) => ({ ...round, guesses: [...round.guesses] })),
    };
  });
}
