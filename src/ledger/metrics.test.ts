import { describe, expect, it } from 'vitest';
import type { CallRecord, TaskMetrics, TaskResult } from '../core/types.js';
import { figures, isSuiteFigure } from './figures.js';
import { suiteMetrics, taskMetrics } from './metrics.js';

function taskResult(metrics: Partial<TaskMetrics>): TaskResult {
  const zero: TaskMetrics = {
    latencyMs: 0,
    sequentialLatencyMs: 0,
    speedup: 1,
    costUsd: 0,
    sequentialCostUsd: 0,
    overheadCostUsd: 0,
    wastedCostUsd: 0,
    peakConcurrency: 0,
    meanConcurrency: 0,
    meanK: 0,
    rounds: 0,
    steps: 0,
    calls: 0,
    unpricedCalls: 0,
  };
  return { taskId: 't', plan: [], endReason: 'terminal', records: [], rounds: [], metrics: { ...zero, ...metrics } };
}

describe('suiteMetrics', () => {
  const results = [
    taskResult({ latencyMs: 2000, sequentialLatencyMs: 3000, speedup: 1.5, costUsd: 0.01, wastedCostUsd: 0.002, peakConcurrency: 3, meanK: 2, unpricedCalls: 1 }),
    taskResult({ latencyMs: 3000, sequentialLatencyMs: 3000, speedup: 1, costUsd: 0.03, wastedCostUsd: 0, peakConcurrency: 1, meanK: 0, unpricedCalls: 2 }),
  ];

  it('takes the mean per task of each figure, in the units of the tasks (ms, USD)', () => {
    const metrics = suiteMetrics(results);
    expect(metrics.tasks).toBe(2);
    expect(metrics.latencyMs).toBe(2500);
    expect(metrics.sequentialLatencyMs).toBe(3000);
    expect(metrics.meanTaskSpeedup).toBe(1.25);
    expect(metrics.costUsd).toBe(0.02);
    expect(metrics.wastedCostUsd).toBe(0.001);
    expect(metrics.peakConcurrency).toBe(2);
    expect(metrics.meanK).toBe(1);
  });

  it("gives the suite's speedup as mean sequential latency ÷ mean latency, so a slower suite never shows a higher one", () => {
    // The mean of the per-task ratios (1.5 and 1) is 1.25; the suite took 2.5 s per task against 3 s alone: 1.2.
    expect(suiteMetrics(results).speedup).toBe(1.2);
    // Two suites with the same sequential latency: the one with the larger per-task mean is the slower one.
    const uneven = [taskResult({ latencyMs: 1000, sequentialLatencyMs: 4000, speedup: 4 }), taskResult({ latencyMs: 8000, sequentialLatencyMs: 8000, speedup: 1 })];
    const even = [taskResult({ latencyMs: 2000, sequentialLatencyMs: 4000, speedup: 2 }), taskResult({ latencyMs: 6000, sequentialLatencyMs: 8000, speedup: 8 / 6 })];
    const [slower, faster] = [suiteMetrics(uneven), suiteMetrics(even)];
    expect(slower.latencyMs).toBeGreaterThan(faster.latencyMs);
    expect(slower.meanTaskSpeedup).toBeGreaterThan(faster.meanTaskSpeedup);
    expect(slower.speedup).toBeLessThan(faster.speedup);
  });

  it('adds up the unpriced calls instead of averaging them', () => {
    expect(suiteMetrics(results).unpricedCalls).toBe(3);
  });

  it('keeps a mean of money unknown when one task is unknown, and the other figures known', () => {
    const metrics = suiteMetrics([...results, taskResult({ costUsd: null, wastedCostUsd: null, overheadCostUsd: null, unpricedCalls: 5 })]);
    expect(metrics).toMatchObject({ costUsd: null, wastedCostUsd: null, overheadCostUsd: null, sequentialCostUsd: 0, unpricedCalls: 8 });
    expect(metrics.latencyMs).toBeCloseTo(5000 / 3, 9);
  });

  it('has exactly the figures described with a suite rule, in their order', () => {
    expect(Object.keys(suiteMetrics(results))).toEqual(figures.filter(isSuiteFigure).map((figure) => figure.key));
    expect(Object.keys(suiteMetrics(results))).toEqual([
      'tasks', 'latencyMs', 'sequentialLatencyMs', 'speedup', 'meanTaskSpeedup', 'costUsd', 'sequentialCostUsd',
      'overheadCostUsd', 'wastedCostUsd', 'peakConcurrency', 'meanConcurrency', 'meanK', 'unpricedCalls',
    ]);
  });

  it('is all zeros over no task, but a speedup of 1 (no time spent, no gain)', () => {
    const { speedup, ...others } = suiteMetrics([]);
    expect(speedup).toBe(1);
    expect(Object.values(others).every((value) => value === 0)).toBe(true);
  });
});

describe('taskMetrics', () => {
  let id = 0;
  const call = (role: CallRecord['role'], status: CallRecord['status'], costUsd: number | undefined, usageKnown = true): CallRecord => ({
    id: (id += 1),
    taskId: 't',
    role,
    step: 1,
    round: 0,
    prefix: 'true',
    startMs: 0,
    endMs: 1000,
    status,
    usage: usageKnown ? { inputTokens: 100, outputTokens: 10 } : {},
    costUsd,
  });
  const metricsOf = (records: CallRecord[]): TaskMetrics => taskMetrics({ startMs: 0, endMs: 1000, records, rounds: [] });

  it('adds up the costs of the calls when every call is priced', () => {
    const metrics = metricsOf([call('target', 'committed', 0.003), call('approx', 'accepted', 0.001), call('approx', 'discarded', 0.0005)]);
    expect(metrics).toMatchObject({ sequentialCostUsd: 0.003, wastedCostUsd: 0.0005, unpricedCalls: 0 });
    expect(metrics.costUsd).toBeCloseTo(0.0045, 12);
    expect(metrics.overheadCostUsd).toBeCloseTo(0.0015, 12);
  });

  it('makes a cost that includes an unpriced call unknown (null), never a partial sum or 0', () => {
    // A's model has no price; T's has one.
    const metrics = metricsOf([call('target', 'committed', 0.003), call('approx', 'accepted', undefined), call('approx', 'discarded', undefined)]);
    expect(metrics).toMatchObject({ costUsd: null, sequentialCostUsd: 0.003, overheadCostUsd: null, wastedCostUsd: null, unpricedCalls: 2 });
    // T's model has no price: even T alone has no known cost.
    const targetUnpriced = metricsOf([call('target', 'committed', undefined), call('approx', 'discarded', 0.001)]);
    expect(targetUnpriced).toMatchObject({ costUsd: null, sequentialCostUsd: null, overheadCostUsd: null, wastedCostUsd: 0.001, unpricedCalls: 1 });
  });

  it('bills nothing for a call whose usage is entirely unknown (spec §5), without making the cost unknown', () => {
    const metrics = metricsOf([call('target', 'committed', 0.003), call('approx', 'cancelled', undefined, false)]);
    expect(metrics).toMatchObject({ costUsd: 0.003, wastedCostUsd: 0, unpricedCalls: 0 });
  });
});
