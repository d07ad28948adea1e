import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import type { Action, TaskResult } from '../core/types.js';
import type { KPolicy } from '../core/policy.js';
import { engineDefaults, runTask } from '../engine/run-task.js';
import { fixedPolicy, oraclePolicy } from '../policies/basic.js';
import { replayMaxSteps, replaySetup, stepsToBreak, type ReplaySetupOptions } from './replay.js';
import type { Trace } from './schema.js';

/** A trace of T's actions and A's guesses (undefined: no guess recorded). */
function traceOf(steps: Array<[target: Action, guess: Action | undefined]>, terminal?: boolean): Trace {
  const call = (action: Action) => ({ action, latencyMs: 10, inputTokens: 1, outputTokens: 1 });
  return {
    format: 'dsp-trace/1',
    id: 't',
    suite: 's',
    task: 'task',
    timing: 'synthetic',
    models: { approx: 'a', target: 't' },
    ...(terminal === undefined ? {} : { terminal }),
    steps: steps.map(([target, guess]) => (guess === undefined ? { target: call(target) } : { target: call(target), approx: call(guess) })),
  };
}

describe('stepsToBreak', () => {
  const trace = traceOf([
    ['a', 'a'],
    ['b', 'x'],
    ['c', 'c'],
    ['d', undefined],
    ['e', 'e'],
    ['END', 'END'],
  ]);

  it('counts the steps up to and including the next mismatch, missing guess or terminal step', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((committed) => stepsToBreak(trace, committed))).toEqual([2, 1, 2, 1, 2, 1, 1]);
  });

  it('runs to the end of a trace cut by a step limit, whose last action is not terminal', () => {
    const cut = traceOf(
      [
        ['a', 'a'],
        ['b', 'b'],
      ],
      false,
    );
    expect(stepsToBreak(cut, 0)).toBe(3);
    // The same steps ending by a terminal action: the last step is the break.
    const ended = traceOf(cut.steps.map((step) => [step.target.action, step.approx?.action]));
    expect(stepsToBreak(ended, 0)).toBe(2);
  });

  it('decides matches with the given matcher, as replaySetup does', () => {
    const loose = (guess: Action, target: Action): boolean =>
      typeof guess === 'string' && typeof target === 'string' && guess.toLowerCase() === target.toLowerCase();
    const cased = traceOf([
      ['a', 'A'],
      ['END', 'END'],
    ]);
    expect(stepsToBreak(cased, 0)).toBe(1);
    expect(stepsToBreak(cased, 0, loose)).toBe(2);
    const setup = replaySetup(cased, new VirtualClock(), loose);
    expect([0, 1, 2].map(setup.stepsToBreak)).toEqual([0, 1, 2].map((committed) => stepsToBreak(cased, committed, loose)));
  });
});

/**
 * Two steps with distinct figures per step: T 10 ms (step 1: 100 in, 10 out; step 2: 200 in, 20 out), A 2 ms
 * (step 1: 50 in, 5 out; step 2: 60 in, 6 out). A is right at step 1 and wrong at the terminal step 2 with a
 * non-terminal guess, so nothing stops A's speculation at the plan's end but k.
 */
function wrongAtTheEnd(terminal?: boolean): Trace {
  return {
    format: 'dsp-trace/1',
    id: 'wrong-at-the-end',
    suite: 's',
    task: 'task',
    timing: 'synthetic',
    models: { approx: 'a', target: 't' },
    ...(terminal === undefined ? {} : { terminal }),
    steps: [
      {
        target: { action: 'a', latencyMs: 10, inputTokens: 100, outputTokens: 10 },
        approx: { action: 'a', latencyMs: 2, inputTokens: 50, outputTokens: 5 },
      },
      {
        target: { action: 'END', latencyMs: 10, inputTokens: 200, outputTokens: 20 },
        approx: { action: 'x', latencyMs: 2, inputTokens: 60, outputTokens: 6 },
      },
    ],
  };
}

async function replayOne(trace: Trace, policy: (setup: ReturnType<typeof replaySetup>) => KPolicy, options?: ReplaySetupOptions): Promise<TaskResult> {
  const clock = new VirtualClock();
  const setup = replaySetup(trace, clock, undefined, options);
  return clock.run(() =>
    runTask({
      task: setup.task,
      approx: setup.approx,
      target: setup.target,
      policy: policy(setup),
      clock,
      isTerminal: setup.isTerminal,
      maxSteps: setup.maxSteps,
      models: setup.models,
    }),
  );
}

const callsOf = (result: TaskResult): string[] =>
  result.records.map((record) => `${record.role}${record.step}:${record.status}:${record.usage.inputTokens}/${record.usage.outputTokens}`);

describe('replay knows no more than a live run', () => {
  it('replays a plan that ended by its terminal action under the live step limit, never under its own length', () => {
    expect(replayMaxSteps(wrongAtTheEnd())).toBe(engineDefaults.maxSteps);
    expect(replayMaxSteps(wrongAtTheEnd(true), 12)).toBe(12);
    // A limit below the plan's length cannot have produced it: the plan's length wins.
    expect(replayMaxSteps(wrongAtTheEnd(), 1)).toBe(2);
    expect(replaySetup(wrongAtTheEnd(), new VirtualClock()).maxSteps).toBe(engineDefaults.maxSteps);
    expect(replaySetup(wrongAtTheEnd(), new VirtualClock(), undefined, { maxSteps: 7 }).maxSteps).toBe(7);
  });

  it('keeps the length of a plan cut by its step limit as the limit, which its run did know', async () => {
    const cut = wrongAtTheEnd(false);
    expect(replayMaxSteps(cut, 50)).toBe(2);
    expect(replaySetup(cut, new VirtualClock(), undefined, { maxSteps: 50 }).maxSteps).toBe(2);
    // fixed:4 is clamped to the 2 steps left: no call past step 2, and the plan ends at its limit.
    const result = await replayOne(cut, () => fixedPolicy(4), { maxSteps: 50 });
    expect(result.rounds.map((round) => round.k)).toEqual([2]);
    expect(result.endReason).toBe('max-steps');
    expect(Math.max(...result.records.map((record) => record.step))).toBe(2);
    // The same steps ending by a terminal action are not clamped: k = 4.
    const ended = await replayOne(wrongAtTheEnd(true), () => fixedPolicy(4), { maxSteps: 50 });
    expect(ended.rounds.map((round) => round.k)).toEqual([4]);
    expect(ended.endReason).toBe('terminal');
  });

  it('lets k run past the steps left: speculative calls past the last step are made and billed like the last step', async () => {
    // Round 0, k = 4 (not 2, the steps left): T1 [0,10], A1 → a at 2; A2, T2 at 2; A2 → x at 4, not terminal, so
    // A3, T3 at 4 (past the plan's end: step 2's figures); A3 → x at 6; A4, T4 at 6; A4 → x at 8 (j = k: stop).
    // T1 = a at 10: accepted; T2 = END at 12 ≠ x: commit END. T3 and T4 are cancelled at 12 after 8 and 6 of their
    // 10 ms: input 200 in full, output 16 and 12 of 20 tokens.
    const result = await replayOne(wrongAtTheEnd(), () => fixedPolicy(4));
    expect(result.plan).toEqual(['a', 'END']);
    expect(result.rounds.map((round) => [round.k, round.end])).toEqual([[4, 'terminal']]);
    expect(result.metrics.latencyMs).toBe(12);
    expect(callsOf(result).sort()).toEqual(
      [
        'target1:committed:100/10',
        'approx1:accepted:50/5',
        'approx2:discarded:60/6',
        'target2:committed:200/20',
        'approx3:discarded:60/6',
        'target3:cancelled:200/16',
        'approx4:discarded:60/6',
        'target4:cancelled:200/12',
      ].sort(),
    );
    const pastTheEnd = result.records.filter((record) => record.step > 2);
    expect(pastTheEnd.every((record) => record.prefix === 'speculative')).toBe(true);
  });

  it("never lets the oracle speculate past the plan's end: its k stops at the break, the last step at the latest", async () => {
    const trace = wrongAtTheEnd();
    expect([0, 1].map((committed) => stepsToBreak(trace, committed))).toEqual([2, 1]);
    const result = await replayOne(trace, (setup) => oraclePolicy(setup.stepsToBreak));
    expect(result.rounds.map((round) => round.k)).toEqual([2]);
    expect(Math.max(...result.records.map((record) => record.step))).toBe(2);
    expect(result.plan).toEqual(['a', 'END']);
  });
});
