/**
 * Metrics of a task and of a suite (spec §5), computed from the ledger alone.
 */
import type { ToolRecord } from '../core/environment.js';
import type { CallRecord, RoundRecord, TaskMetrics, TaskResult, Usage } from '../core/types.js';
import { figures, isSuiteFigure, type SuiteFigure, type SuiteRule, type UnknowableFigure } from './figures.js';

/**
 * Whether a call (or a tool execution's model requests) is unpriced: a usage is known but its model has no price. A
 * call whose usage is entirely unknown costs nothing (spec §5) and is not unpriced.
 */
export function isUnpriced(call: { readonly costUsd?: number | undefined; readonly usage?: Usage | undefined }): boolean {
  return call.costUsd === undefined && call.usage !== undefined && (call.usage.inputTokens !== undefined || call.usage.outputTokens !== undefined);
}

/**
 * What a set of calls and tool executions cost in all, or null when one of them is unpriced (a figure that includes
 * an unknown cost is unknown, never a partial sum).
 */
export function knownCostUsd(records: ReadonlyArray<{ readonly costUsd?: number | undefined; readonly usage?: Usage | undefined }>): number | null {
  return records.some((record) => isUnpriced(record)) ? null : records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
}

/**
 * Figures of one task from its call records and rounds. `startMs`/`endMs` bound the task (end = final commit).
 * With tool executions, the sequential latency also counts the committed executions (a sequential run waits for
 * each step's tool before the next call), and the money figures count the model requests executions made (their
 * tool records' usage and cost): a committed execution's in the cost and the sequential cost, any other's in the
 * cost and the wasted cost. `calls` counts the agents' calls only.
 */
export function taskMetrics(input: {
  startMs: number;
  endMs: number;
  records: readonly CallRecord[];
  rounds: readonly RoundRecord[];
  tools?: readonly ToolRecord[];
}): TaskMetrics {
  const { startMs, endMs, records, rounds } = input;
  const latencyMs = endMs - startMs;
  let sequentialLatencyMs = 0;
  // Money adds up the known costs; a figure that includes an unpriced call is unknown (null), never a partial sum.
  let costUsd = 0;
  let sequentialCostUsd = 0;
  let wastedCostUsd = 0;
  let unpricedCalls = 0;
  let unpricedSequential = false;
  let unpricedWasted = false;
  for (const record of records) {
    const cost = record.costUsd ?? 0;
    const unpriced = isUnpriced(record);
    if (unpriced) unpricedCalls += 1;
    costUsd += cost;
    if (record.role === 'target' && record.status === 'committed') {
      sequentialLatencyMs += record.endMs - record.startMs;
      sequentialCostUsd += cost;
      unpricedSequential ||= unpriced;
    }
    if (record.status === 'discarded' || record.status === 'cancelled' || record.status === 'failed') {
      wastedCostUsd += cost;
      unpricedWasted ||= unpriced;
    }
  }
  for (const tool of input.tools ?? []) {
    if (tool.status === 'committed') sequentialLatencyMs += tool.endMs - tool.startMs;
    // A tool's model requests (TravelPlanner's Planner) are billed like calls: a committed execution's in the
    // sequential cost (the target alone makes the same request), any other's as waste.
    if (tool.usage === undefined) continue;
    const cost = tool.costUsd ?? 0;
    const unpriced = isUnpriced(tool);
    if (unpriced) unpricedCalls += 1;
    costUsd += cost;
    if (tool.status === 'committed') {
      sequentialCostUsd += cost;
      unpricedSequential ||= unpriced;
    } else {
      wastedCostUsd += cost;
      unpricedWasted ||= unpriced;
    }
  }
  const knownCost = unpricedCalls === 0 ? costUsd : null;
  const knownSequentialCost = unpricedSequential ? null : sequentialCostUsd;
  const { peak, busyMs } = concurrency(records);
  return {
    latencyMs,
    sequentialLatencyMs,
    speedup: latencyMs > 0 ? sequentialLatencyMs / latencyMs : 1,
    costUsd: knownCost,
    sequentialCostUsd: knownSequentialCost,
    overheadCostUsd: knownCost === null || knownSequentialCost === null ? null : knownCost - knownSequentialCost,
    wastedCostUsd: unpricedWasted ? null : wastedCostUsd,
    peakConcurrency: peak,
    meanConcurrency: latencyMs > 0 ? busyMs / latencyMs : 0,
    meanK: rounds.length > 0 ? rounds.reduce((sum, round) => sum + round.k, 0) / rounds.length : 0,
    rounds: rounds.length,
    steps: rounds.reduce((sum, round) => sum + round.committedCount, 0),
    calls: records.length,
    unpricedCalls,
  };
}

/** The most calls in flight at once, and the sum of all calls' in-flight durations. */
function concurrency(records: readonly CallRecord[]): { peak: number; busyMs: number } {
  const count = records.length;
  const starts = new Float64Array(count);
  const ends = new Float64Array(count);
  let busyMs = 0;
  for (let index = 0; index < count; index += 1) {
    const record = records[index]!;
    starts[index] = record.startMs;
    ends[index] = record.endMs;
    busyMs += record.endMs - record.startMs;
  }
  starts.sort();
  ends.sort();
  // Sweep: a call that ends at the instant another starts does not overlap it (ends are taken first on ties).
  let current = 0;
  let peak = 0;
  let endIndex = 0;
  for (let startIndex = 0; startIndex < count; startIndex += 1) {
    while (endIndex < count && ends[endIndex]! <= starts[startIndex]!) {
      endIndex += 1;
      current -= 1;
    }
    current += 1;
    if (current > peak) peak = current;
  }
  return { peak, busyMs };
}

/**
 * A suite's figures (spec §5), one per figure of `figures` with a `suite` rule: `tasks`, the means per task (times in
 * ms, money in USD), `speedup` as the ratio of the mean sequential latency to the mean latency, `meanTaskSpeedup`,
 * and `unpricedCalls` summed over the tasks. A mean of money over tasks of which one is unknown is unknown (null).
 */
export type SuiteMetrics = {
  [Figure in SuiteFigure as Figure['key']]: Figure extends UnknowableFigure ? number | null : number;
};

/** The figures of a suite from its tasks' results. */
export function suiteMetrics(results: readonly TaskResult[]): SuiteMetrics {
  const entries = figures.filter(isSuiteFigure).map((figure) => [figure.key, suiteValue(figure.suite, figure.key, results)] as const);
  return Object.fromEntries(entries) as SuiteMetrics;
}

function suiteValue(rule: SuiteRule, key: SuiteFigure['key'], results: readonly TaskResult[]): number | null {
  if (rule === 'count') return results.length;
  if (rule === 'sum') return sumOf(results, key as keyof TaskMetrics);
  if (rule === 'mean') return meanOf(results, key as keyof TaskMetrics);
  if ('meanOf' in rule) return meanOf(results, rule.meanOf);
  const [numerator, denominator] = rule.ratioOf.map((figure) => meanOf(results, figure));
  if (numerator === null || denominator === null) return null;
  // As for one task: no time spent is no gain.
  return denominator! > 0 ? numerator! / denominator! : 1;
}

/** The sum of a task figure over the tasks; null when any task's value is unknown. */
function sumOf(results: readonly TaskResult[], key: keyof TaskMetrics): number | null {
  let sum = 0;
  for (const result of results) {
    const value = result.metrics[key];
    if (value === null) return null;
    sum += value;
  }
  return sum;
}

/** The mean of a task figure over the tasks (0 over no task); null when any task's value is unknown. */
function meanOf(results: readonly TaskResult[], key: keyof TaskMetrics): number | null {
  const sum = sumOf(results, key);
  if (sum === null) return null;
  return results.length === 0 ? 0 : sum / results.length;
}
