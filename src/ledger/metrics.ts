/**
 * Metrics of a task and of a suite (spec §5), computed from the ledger alone.
 */
import type { CallRecord, RoundRecord, TaskMetrics, TaskResult } from '../core/types.js';

/** Figures of one task from its call records and rounds. `startMs`/`endMs` bound the task (end = final commit). */
export function taskMetrics(input: {
  startMs: number;
  endMs: number;
  records: readonly CallRecord[];
  rounds: readonly RoundRecord[];
}): TaskMetrics {
  const { startMs, endMs, records, rounds } = input;
  const latencyMs = endMs - startMs;
  let sequentialLatencyMs = 0;
  let costUsd = 0;
  let sequentialCostUsd = 0;
  let wastedCostUsd = 0;
  let unpricedCalls = 0;
  for (const record of records) {
    const cost = record.costUsd ?? 0;
    const usageKnown = record.usage.inputTokens !== undefined || record.usage.outputTokens !== undefined;
    if (record.costUsd === undefined && usageKnown) unpricedCalls += 1;
    costUsd += cost;
    if (record.role === 'target' && record.status === 'committed') {
      sequentialLatencyMs += record.endMs - record.startMs;
      sequentialCostUsd += cost;
    }
    if (record.status === 'discarded' || record.status === 'cancelled' || record.status === 'failed') wastedCostUsd += cost;
  }
  const { peak, busyMs } = concurrency(records);
  return {
    latencyMs,
    sequentialLatencyMs,
    speedup: latencyMs > 0 ? sequentialLatencyMs / latencyMs : 1,
    costUsd,
    sequentialCostUsd,
    overheadCostUsd: costUsd - sequentialCostUsd,
    wastedCostUsd,
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

/** Means per task of a suite's figures (spec §5), plus whether every plan equalled its sequential plan. */
export interface SuiteMetrics {
  tasks: number;
  latencySec: number;
  sequentialLatencySec: number;
  speedup: number;
  costUsd: number;
  sequentialCostUsd: number;
  overheadCostUsd: number;
  wastedCostUsd: number;
  peakConcurrency: number;
  meanConcurrency: number;
  meanK: number;
  unpricedCalls: number;
}

export function suiteMetrics(results: readonly TaskResult[]): SuiteMetrics {
  const count = results.length;
  const mean = (pick: (metrics: TaskMetrics) => number): number =>
    count === 0 ? 0 : results.reduce((sum, result) => sum + pick(result.metrics), 0) / count;
  return {
    tasks: count,
    latencySec: mean((m) => m.latencyMs) / 1000,
    sequentialLatencySec: mean((m) => m.sequentialLatencyMs) / 1000,
    speedup: mean((m) => m.speedup),
    costUsd: mean((m) => m.costUsd),
    sequentialCostUsd: mean((m) => m.sequentialCostUsd),
    overheadCostUsd: mean((m) => m.overheadCostUsd),
    wastedCostUsd: mean((m) => m.wastedCostUsd),
    peakConcurrency: mean((m) => m.peakConcurrency),
    meanConcurrency: mean((m) => m.meanConcurrency),
    meanK: mean((m) => m.meanK),
    unpricedCalls: results.reduce((sum, result) => sum + result.metrics.unpricedCalls, 0),
  };
}
