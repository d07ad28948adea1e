import { describe, expect, it } from 'vitest';
import { RealClock } from '../core/clock.js';
import { isDeadlineExceededError, isTargetCallError } from '../core/errors.js';
import type { Agent, TaskInput } from '../core/types.js';
import { VirtualClock } from '../core/virtual-clock.js';
import { fixedPolicy } from '../policies/basic.js';
import { runSuite, type RunSuiteOptions } from './run-suite.js';

const plans: Record<string, string[]> = { a: ['x', 'y', 'END'], b: ['z', 'w', 'END'], c: ['v', 'END'] };
const tasks: TaskInput[] = Object.keys(plans).map((id) => ({ id, text: `task ${id}` }));

/**
 * An agent on `clock` that answers each task's plan after `delayMs`, keeping the reasons of the calls it saw
 * aborted. `failOn` makes the call for that task and step throw; `wrongAt` makes it answer a wrong action there.
 */
function scriptedAgent(
  clock: VirtualClock | RealClock,
  options: { delayMs: number; wrongAt?: number; failOn?: (taskId: string, step: number) => boolean },
): Agent & { abortReasons: unknown[] } {
  const agent = async ({ task, step }: Parameters<Agent>[0], { signal }: Parameters<Agent>[1]) => {
    try {
      await clock.sleep(options.delayMs, signal);
    } catch (error) {
      agent.abortReasons.push(error);
      throw error;
    }
    if (options.failOn?.(task.id, step) === true) throw new Error(`no answer for ${task.id} at step ${step}`);
    const action = plans[task.id]![step - 1] ?? 'END';
    return { action: step === options.wrongAt ? 'wrong' : action, usage: { inputTokens: 10, outputTokens: 2 } };
  };
  agent.abortReasons = [] as unknown[];
  return agent;
}

/**
 * Runs a suite of a, b, c on a virtual clock (A answers in 1 ms and is always right, T in 10 ms; fixed k = 2), with
 * the options `overrides` gives for that clock.
 */
function runOnVirtualClock(overrides: (clock: VirtualClock) => Partial<RunSuiteOptions>) {
  const clock = new VirtualClock();
  return clock.run(() =>
    runSuite({
      tasks,
      approx: scriptedAgent(clock, { delayMs: 1 }),
      target: scriptedAgent(clock, { delayMs: 10 }),
      policy: fixedPolicy(2),
      clock,
      isTerminal: (action) => action === 'END',
      ...overrides(clock),
    }),
  );
}

describe('runSuite on the real clock', () => {
  it('runs every task in order and really aborts speculative calls', async () => {
    const clock = new RealClock();
    const approx = scriptedAgent(clock, { delayMs: 1, wrongAt: 1 });
    const target = scriptedAgent(clock, { delayMs: 15 });
    const order: string[] = [];
    const { results, metrics, failures, interrupted } = await runSuite({
      tasks: tasks.slice(0, 2),
      approx,
      target,
      policy: fixedPolicy(3),
      clock,
      isTerminal: (action) => action === 'END',
      onTaskFinished: ({ result }) => order.push(result.taskId),
    });
    expect(order).toEqual(['a', 'b']);
    expect(results.map((result) => result.plan)).toEqual([plans.a, plans.b]);
    expect(metrics.tasks).toBe(2);
    expect(failures).toEqual([]);
    expect(interrupted).toBe(false);
    // A's wrong step-1 guess makes the speculative T calls on it useless: they were aborted for real.
    expect(target.abortReasons.length).toBeGreaterThan(0);
    const cancelled = results.flatMap((result) => result.records).filter((record) => record.status === 'cancelled');
    expect(cancelled.length).toBe(target.abortReasons.length + approx.abortReasons.length);
  });
});

describe('runSuite isolates failures', () => {
  it('reports a task whose target throws, with its step, and finishes the next tasks', async () => {
    const failed: string[] = [];
    const recorded: string[] = [];
    const outcome = await runOnVirtualClock((clock) => ({
      target: scriptedAgent(clock, { delayMs: 10, failOn: (taskId, step) => taskId === 'b' && step === 2 }),
      onTaskFailed: ({ task, step }) => failed.push(`${task.id}@${step}`),
      record: ({ result }) => recorded.push(result.taskId),
    }));
    expect(outcome.results.map((result) => result.taskId)).toEqual(['a', 'c']);
    expect(outcome.results.map((result) => result.plan)).toEqual([plans.a, plans.c]);
    expect(outcome.interrupted).toBe(false);
    expect(outcome.metrics.tasks).toBe(2);
    expect(failed).toEqual(['b@2']);
    // The recorder hook sees finished tasks only.
    expect(recorded).toEqual(['a', 'c']);
    expect(outcome.failures).toHaveLength(1);
    const failure = outcome.failures[0]!;
    expect(failure).toMatchObject({ task: tasks[1], index: 1, total: 3, run: 'speculative', step: 2 });
    expect(isTargetCallError(failure.error)).toBe(true);
    expect((failure.error as Error).message).toBe('target agent failed at step 2 of task b: no answer for b at step 2');
  });

  it('still throws bad options, which would fail every task', async () => {
    await expect(runOnVirtualClock(() => ({ maxSteps: 0 }))).rejects.toThrow('maxSteps must be a whole number ≥ 1, got 0');
  });

  it("throws an error of a hook instead of taking it for the task's failure", async () => {
    const hookError = new Error('disk full');
    const failed: string[] = [];
    const run = runOnVirtualClock(() => ({
      onRound: (_round, { task }) => {
        if (task.id === 'b') throw hookError;
      },
      onTaskFailed: ({ task }) => failed.push(task.id),
    }));
    await expect(run).rejects.toBe(hookError);
    expect(failed).toEqual([]);
  });
});

describe('runSuite stopped by its signal', () => {
  it('cancels the calls in flight and returns the finished tasks, marked interrupted', async () => {
    const clock = new VirtualClock();
    const stop = new AbortController();
    const target = scriptedAgent(clock, { delayMs: 10 });
    const started: string[] = [];
    const failed: string[] = [];
    const outcome = await clock.run(async () => {
      // Task a takes two rounds of T (21 ms), task b as long: at 40 ms b's second round is in flight.
      void clock.sleep(40).then(() => stop.abort(new Error('stopped by the user')));
      return runSuite({
        tasks,
        approx: scriptedAgent(clock, { delayMs: 1 }),
        target,
        policy: fixedPolicy(2),
        clock,
        isTerminal: (action) => action === 'END',
        signal: stop.signal,
        onTaskStarted: ({ task }) => started.push(task.id),
        onTaskFailed: ({ task }) => failed.push(task.id),
      });
    });
    expect(outcome.interrupted).toBe(true);
    expect(outcome.results.map((result) => result.taskId)).toEqual(['a']);
    expect(outcome.results[0]!.metrics.latencyMs).toBe(21);
    expect(outcome.metrics.tasks).toBe(1);
    expect(outcome.failures).toEqual([]);
    expect(failed).toEqual([]);
    expect(started).toEqual(['a', 'b']);
    // b's calls in flight were cancelled by the suite's signal, with its reason.
    expect(target.abortReasons).toContain(stop.signal.reason);
    // What b spent before the stop is returned with it: its second round's T call, cancelled at 40, included.
    expect(outcome.interruptedTasks.map(({ task, run }) => `${task.id} ${run}`)).toEqual(['b speculative']);
    expect(outcome.interruptedTasks[0]!.records.map((record) => `${record.role}${record.step}:${record.status}@${record.endMs}`)).toEqual([
      'target1:committed@31',
      'approx1:accepted@22',
      'approx2:accepted@23',
      'target2:committed@32',
      'target3:cancelled@40',
      'approx3:discarded@33',
    ]);
  });

  it('returns nothing run when the signal has already aborted', async () => {
    const started: string[] = [];
    const outcome = await runOnVirtualClock(() => ({
      signal: AbortSignal.abort(),
      onTaskStarted: ({ task }) => started.push(task.id),
    }));
    expect(outcome).toMatchObject({ results: [], failures: [], baselines: [], interrupted: true, interruptedTasks: [] });
    expect(started).toEqual([]);
  });
});

describe('runSuite with a deadline', () => {
  it('fails the task running at the deadline with its ledger, starts no other, and is marked interrupted', async () => {
    // k = 1: a round per step, T 10 ms each. Task a takes 30 ms; b starts at 30, commits its first step at 40 and
    // is cut at 45, its second T call in flight (its guess, back at 41, never verified); c never starts.
    const outcome = await runOnVirtualClock(() => ({ deadlineMs: 45, policy: fixedPolicy(1) }));
    expect(outcome.results.map((result) => result.taskId)).toEqual(['a']);
    expect(outcome.interrupted).toBe(true);
    expect(outcome.failures).toHaveLength(1);
    const failure = outcome.failures[0]!;
    expect(failure.task.id).toBe('b');
    expect(isDeadlineExceededError(failure.error)).toBe(true);
    expect(failure.records?.map((record) => `${record.role}${record.step}:${record.status}`)).toEqual([
      'target1:committed',
      'approx1:accepted',
      'target2:cancelled',
      'approx2:discarded',
    ]);
  });
});

describe('runSuite hooks and baseline', () => {
  it('calls the hooks of each task in order, and runs T alone after each finished task', async () => {
    const events: string[] = [];
    const outcome = await runOnVirtualClock((clock) => ({
      tasks: tasks.slice(0, 2),
      target: scriptedAgent(clock, { delayMs: 10, failOn: (taskId, step) => taskId === 'b' && step === 1 }),
      sequentialBaseline: true,
      onTaskStarted: ({ task, index, total }) => events.push(`started ${task.id} ${index + 1}/${total}`),
      onRound: (round, { task }) => events.push(`round ${task.id} ${round.index} k=${round.k}`),
      record: ({ task }) => events.push(`record ${task.id}`),
      onTaskFinished: ({ task, baseline }) => events.push(`finished ${task.id} baseline ${JSON.stringify(baseline?.plan)}`),
      onTaskFailed: ({ task, run }) => events.push(`failed ${task.id} ${run}`),
    }));
    expect(events).toEqual([
      'started a 1/2',
      // Round 0 commits x and y (both guesses right), round 1 commits the terminal action.
      'round a 0 k=2',
      'round a 1 k=2',
      'record a',
      'finished a baseline ["x","y","END"]',
      'started b 2/2',
      'failed b speculative',
    ]);
    expect(outcome.baselines.map((baseline) => [baseline.taskId, baseline.plan])).toEqual([['a', plans.a]]);
    // The baseline is T alone: one call per step, no speculation.
    expect(outcome.baselines[0]!.rounds.map((round) => round.k)).toEqual([0, 0, 0]);
    expect(outcome.baselines[0]!.records.every((record) => record.role === 'target')).toBe(true);
    expect(outcome.metrics.tasks).toBe(1);
  });

  it('reports a failed baseline, and keeps the task it followed as finished', async () => {
    let stepOneCalls = 0;
    const failed: string[] = [];
    const finished: string[] = [];
    const outcome = await runOnVirtualClock((clock) => ({
      tasks: tasks.slice(0, 1),
      // Step 1 is asked of T once by the speculative run (never speculatively), then again by the baseline.
      target: scriptedAgent(clock, { delayMs: 10, failOn: (_taskId, step) => step === 1 && ++stepOneCalls === 2 }),
      sequentialBaseline: true,
      onTaskFailed: ({ task, run, step }) => failed.push(`${task.id} ${run} @${step}`),
      onTaskFinished: ({ task, baseline }) => finished.push(`${task.id} ${baseline === undefined ? 'without' : 'with'} baseline`),
    }));
    expect(outcome.results.map((result) => result.plan)).toEqual([plans.a]);
    expect(outcome.baselines).toEqual([]);
    expect(failed).toEqual(['a sequential-baseline @1']);
    expect(finished).toEqual(['a without baseline']);
  });
});
