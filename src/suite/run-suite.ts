/**
 * A suite of tasks with live agents, one task after another, under one policy (which may learn across tasks).
 */
import type { Clock } from '../core/clock.js';
import { RealClock } from '../core/clock.js';
import { suiteMetrics, type SuiteMetrics } from '../ledger/metrics.js';
import type { KPolicy } from '../core/policy.js';
import { runTask, type RunTaskOptions } from '../engine/run-task.js';
import type { TaskInput, TaskResult } from '../core/types.js';

export interface RunSuiteOptions extends Omit<RunTaskOptions, 'task' | 'clock' | 'policy'> {
  tasks: readonly TaskInput[];
  policy: KPolicy;
  /** Default: the real clock. */
  clock?: Clock;
  /** Called after each task. */
  onTask?: (done: number, total: number, result: TaskResult) => void;
}

/** Runs the tasks in order and returns every result and the suite's figures. Stops at the first task failure. */
export async function runSuite(options: RunSuiteOptions): Promise<{ results: TaskResult[]; metrics: SuiteMetrics }> {
  const { tasks, onTask, ...taskOptions } = options;
  const clock = options.clock ?? new RealClock();
  const results: TaskResult[] = [];
  for (const task of tasks) {
    const result = await runTask({ ...taskOptions, task, clock });
    results.push(result);
    onTask?.(results.length, tasks.length, result);
  }
  return { results, metrics: suiteMetrics(results) };
}
