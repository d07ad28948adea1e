import { describe, expect, it } from 'vitest';
import type { TaskMetrics, TaskResult } from '../core/types.js';
import { figures, isSuiteFigure } from './figures.js';
import { suiteMetrics } from './metrics.js';

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
    expect(metrics.speedup).toBe(1.25);
    expect(metrics.costUsd).toBe(0.02);
    expect(metrics.wastedCostUsd).toBe(0.001);
    expect(metrics.peakConcurrency).toBe(2);
    expect(metrics.meanK).toBe(1);
  });

  it('adds up the unpriced calls instead of averaging them', () => {
    expect(suiteMetrics(results).unpricedCalls).toBe(3);
  });

  it('has exactly the figures described with a suite rule, in their order', () => {
    expect(Object.keys(suiteMetrics(results))).toEqual(figures.filter(isSuiteFigure).map((figure) => figure.key));
    expect(Object.keys(suiteMetrics(results))).toEqual([
      'tasks', 'latencyMs', 'sequentialLatencyMs', 'speedup', 'costUsd', 'sequentialCostUsd', 'overheadCostUsd',
      'wastedCostUsd', 'peakConcurrency', 'meanConcurrency', 'meanK', 'unpricedCalls',
    ]);
  });

  it('is all zeros over no task', () => {
    expect(Object.values(suiteMetrics([])).every((value) => value === 0)).toBe(true);
  });
});
