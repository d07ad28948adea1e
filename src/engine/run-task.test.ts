/** Hand-computed cases and failure cases of the engine. Every figure below is worked out in the comments. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import { isSpeculationCancelledError, isTargetCallError, TargetCallError } from '../core/errors.js';
import type { PriceTable } from '../ledger/prices.js';
import { fixedPolicy, sequentialPolicy } from '../policies/basic.js';
import { parsePolicySpec } from '../policies/registry.js';
import type { Trace } from '../traces/schema.js';
import { replaySuite } from '../suite/replay-suite.js';
import { runTask } from './run-task.js';
import type { Agent, TaskResult } from '../core/types.js';

// Target calls: 100 input × $0.001 + 10 output × $0.002 = $0.12. Approximation calls: 50 × $0.0001 + 5 × $0.0002 = $0.006.
const prices: PriceTable = {
  name: 'test-prices',
  models: {
    t: { inputUsdPerMTok: 1000, outputUsdPerMTok: 2000 },
    a: { inputUsdPerMTok: 100, outputUsdPerMTok: 200 },
  },
};

function traceOf(id: string, pairs: Array<[target: string, approx: string]>): Trace {
  return {
    format: 'dsp-trace/1',
    id,
    suite: 'hand',
    task: `task ${id}`,
    timing: 'synthetic',
    models: { approx: 'a', target: 't' },
    steps: pairs.map(([target, approx]) => ({
      target: { action: target, latencyMs: 10, inputTokens: 100, outputTokens: 10 },
      approx: { action: approx, latencyMs: 2, inputTokens: 50, outputTokens: 5 },
    })),
  };
}

// A wrong first guess, then three right ones ending with TERMINATE.
const wrongThenRight = traceOf('wrong-then-right', [
  ['X', 'W'],
  ['Y', 'Y'],
  ['Z', 'Z'],
  ['TERMINATE', 'TERMINATE'],
]);

async function replayOne(trace: Trace, policy: string): Promise<TaskResult> {
  const run = await replaySuite({ traces: [trace], policy: parsePolicySpec(policy), priceTable: prices });
  expect(run.lossless).toBe(true);
  return run.results[0]!;
}

function statuses(result: TaskResult): string[] {
  return result.records.map((record) => `${record.role}${record.step}:${record.status}`);
}

describe('hand-computed replays', () => {
  it('fixed:2 on a wrong first guess: cancels the speculative T call and bills it pro rata', async () => {
    // Round 0 (k=2): T1 [0,10], A1 [0,2] → W; A2 and T2 on [W] at 2; A2 → Y at 4; T1 = X at 10 ≠ W: commit X,
    //   cancel T2 after 8 of its 10 ms (input 100 in full, output 8 of 10 tokens: $0.1 + $0.016 = $0.116).
    // Round 1 (k=2): T2' [10,20], A2' → Y at 12; A3, T3 at 12; A3 → Z at 14; T2' = Y, T3 = Z at 22: all confirmed.
    // Round 2 (k=2: replay does not clamp k to where the plan will end): T4 [22,32], A4 → TERMINATE at 24, a
    //   terminal guess, so no call for step 5; T4 = TERMINATE at 32: done.
    const result = await replayOne(wrongThenRight, 'fixed:2');
    expect(result.plan).toEqual(['X', 'Y', 'Z', 'TERMINATE']);
    expect(statuses(result)).toEqual([
      'target1:committed',
      'approx1:discarded',
      'approx2:discarded',
      'target2:cancelled',
      'target2:committed',
      'approx2:accepted',
      'approx3:accepted',
      'target3:committed',
      'target4:committed',
      'approx4:accepted',
    ]);
    const cancelled = result.records[3]!;
    expect(cancelled.usage).toEqual({ inputTokens: 100, outputTokens: 8, estimated: true });
    expect(cancelled.endMs).toBe(10);
    expect(result.rounds.map((round) => [round.k, round.end, round.startMs, round.endMs])).toEqual([
      [2, 'mismatch', 0, 10],
      [2, 'exhausted', 10, 22],
      [2, 'terminal', 22, 32],
    ]);
    const metrics = result.metrics;
    expect(metrics.latencyMs).toBe(32);
    expect(metrics.sequentialLatencyMs).toBe(40);
    expect(metrics.speedup).toBeCloseTo(40 / 32, 12);
    // 4 committed T × 0.12 + cancelled T 0.116 + 5 A × 0.006.
    expect(metrics.costUsd).toBeCloseTo(0.48 + 0.116 + 0.03, 12);
    expect(metrics.sequentialCostUsd).toBeCloseTo(0.48, 12);
    // A1, A2 discarded and T2 cancelled.
    expect(metrics.wastedCostUsd).toBeCloseTo(0.006 + 0.006 + 0.116, 12);
    expect(metrics.peakConcurrency).toBe(3);
    // In-flight time: T 10+8+10+10+10, A 2×5 = 58 ms over 32 ms.
    expect(metrics.meanConcurrency).toBeCloseTo(58 / 32, 12);
    expect(metrics.meanK).toBe(2);
  });

  it('oracle on the same trace: k = 1 then 3, nothing wasted past the break', async () => {
    // Round 0: k=1 (A is wrong at step 1): T1 [0,10], A1 → W at 2, discarded; commit X at 10.
    // Round 1: k=3: A2 → Y at 12 (A3, T3 start), A3 → Z at 14 (A4, T4 start), A4 → TERMINATE at 16;
    //   T2 = Y at 20, T3 = Z at 22, T4 = TERMINATE at 24. Peak at [14,16]: T2, T3, T4, A4 = 4 calls.
    const result = await replayOne(wrongThenRight, 'oracle');
    expect(result.rounds.map((round) => round.k)).toEqual([1, 3]);
    const metrics = result.metrics;
    expect(metrics.latencyMs).toBe(24);
    expect(metrics.costUsd).toBeCloseTo(0.48 + 4 * 0.006, 12);
    expect(metrics.wastedCostUsd).toBeCloseTo(0.006, 12);
    expect(metrics.peakConcurrency).toBe(4);
    expect(metrics.meanK).toBe(2);
  });

  it('fixed:2 when A is right to the end: one mismatch-free task', async () => {
    // Round 0: A1 → P at 2, A2 → Q at 4; T1 = P at 10, T2 = Q at 12: exhausted. Round 1 (k=1): T3 [12,22]: END.
    const trace = traceOf('all-right', [
      ['P', 'P'],
      ['Q', 'Q'],
      ['END', 'END'],
    ]);
    const result = await replayOne(trace, 'fixed:2');
    expect(result.metrics.latencyMs).toBe(22);
    expect(result.metrics.wastedCostUsd).toBe(0);
    expect(result.metrics.costUsd).toBeCloseTo(3 * 0.12 + 3 * 0.006, 12);
    expect(result.metrics.peakConcurrency).toBe(3);
  });

  it('sequential: T alone, latency and cost of T only', async () => {
    const result = await replayOne(wrongThenRight, 'sequential');
    expect(result.metrics.latencyMs).toBe(40);
    expect(result.metrics.costUsd).toBeCloseTo(0.48, 12);
    expect(result.metrics.peakConcurrency).toBe(1);
    expect(result.records.every((record) => record.role === 'target')).toBe(true);
  });
});

/** Agents driven by a script of per-step outcomes, counting calls in flight and aborts. */
function scriptedAgents(clock: VirtualClock, script: {
  target: (step: number, speculative: boolean) => { action: string; ms: number } | Error;
  approx: (step: number) => { action: string; ms: number } | Error;
}) {
  const state = { inFlight: 0, aborted: 0 };
  const make =
    (pick: (step: number, speculative: boolean) => { action: string; ms: number } | Error): Agent =>
    async (context, { signal }) => {
      state.inFlight += 1;
      try {
        const outcome = pick(context.step, context.speculative);
        await clock.sleep(outcome instanceof Error ? 3 : outcome.ms, signal);
        if (outcome instanceof Error) throw outcome;
        return { action: outcome.action, usage: { inputTokens: 1, outputTokens: 1 } };
      } catch (error) {
        if (signal.aborted) {
          state.aborted += 1;
          expect(isSpeculationCancelledError(signal.reason)).toBe(true);
        }
        throw error;
      } finally {
        state.inFlight -= 1;
      }
    };
  return { approx: make((step) => script.approx(step)), target: make(script.target), state };
}

describe('failures', () => {
  it('takes a resolved value that is not an agent result for the call\'s failure, saying what it was', async () => {
    const clock = new VirtualClock();
    const target: Agent = async (context) => {
      await clock.sleep(10);
      return { action: context.step >= 3 ? 'END' : `s${context.step}` };
    };
    // A (plain JavaScript, say) resolves to an object without an action at step 1 and to a confidence of 1.5 at 2:
    // each is one failed guess, and the task still ends with T's own plan.
    const approx = (async (context: { step: number }) => {
      await clock.sleep(1);
      return context.step === 1 ? { acton: 's1' } : { action: `s${context.step}`, confidence: 1.5 };
    }) as unknown as Agent;
    const result = await clock.run(() =>
      runTask({ task: { id: 'odd-a', text: 't' }, approx, target, policy: fixedPolicy(2), clock, isTerminal: (action) => action === 'END' }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    const errors = result.records.filter((record) => record.role === 'approx' && record.error !== undefined).map((record) => record.error);
    expect(errors).toContain('the approximation agent resolved to an object without an action; an agent resolves to { action, usage?, model?, confidence? }');
    expect(errors).toContain('the approximation agent gave the confidence 1.5; a confidence is a number in [0, 1]');

    const silent = (() => Promise.resolve(undefined)) as unknown as Agent;
    const failure = await clock
      .run(() => runTask({ task: { id: 'odd-t', text: 't' }, approx: target, target: silent, policy: sequentialPolicy(), clock }))
      .catch((error: unknown) => error);
    expect(isTargetCallError(failure)).toBe(true);
    expect((failure as Error).message).toContain('the target agent resolved to undefined; an agent resolves to { action');
  });

  it('refuses a deadline or a grace period that is not a number of milliseconds ≥ 0', async () => {
    const agent: Agent = () => Promise.resolve({ action: 'END' });
    const base = { task: { id: 't', text: 't' }, approx: agent, target: agent, policy: fixedPolicy(1), clock: new VirtualClock() };
    await expect(runTask({ ...base, deadlineMs: Number.NaN })).rejects.toThrow('deadlineMs must be a number of milliseconds ≥ 0, got NaN');
    await expect(runTask({ ...base, abandonAfterMs: -5 })).rejects.toThrow('abandonAfterMs must be a number of milliseconds ≥ 0, got -5');
  });

  it('a target failure on the true prefix mid-round fails the task with the step and the cause', async () => {
    const clock = new VirtualClock();
    const boom = new Error('HTTP 500 from the target');
    const agents = scriptedAgents(clock, {
      // Step 1 takes 10 ms; step 2 fails after 3 ms, speculative at first, then again when launched on the true
      // prefix once step 1 is confirmed; steps 3 and 4 take 30 ms, so they are still in flight then.
      target: (step) => (step === 2 ? boom : { action: `s${step}`, ms: step === 1 ? 10 : 30 }),
      approx: (step) => ({ action: `s${step}`, ms: 1 }),
    });
    const failure = await clock
      .run(() =>
        runTask({
          task: { id: 'failing', text: 't' },
          approx: agents.approx,
          target: agents.target,
          policy: fixedPolicy(4),
          clock,
          maxSteps: 6,
        }),
      )
      .catch((error: unknown) => error);
    expect(isTargetCallError(failure)).toBe(true);
    const error = failure as TargetCallError;
    expect(error.step).toBe(2);
    expect(error.taskId).toBe('failing');
    expect(error.cause).toBe(boom);
    expect(error.message).toContain('step 2');
    expect(error.message).toContain('HTTP 500');
    // Speculative calls for steps 3 and 4 were aborted and nothing is left running.
    expect(agents.state.aborted).toBeGreaterThan(0);
    expect(agents.state.inFlight).toBe(0);
  });

  it('a target failure on a prefix that turns out wrong does not fail the task', async () => {
    const clock = new VirtualClock();
    const agents = scriptedAgents(clock, {
      // The speculative step-2 call fails, but A's step-1 guess is wrong, so that call was never needed.
      target: (step, speculative) => (step === 2 && speculative ? new Error('flaky') : { action: step === 3 ? 'END' : `s${step}`, ms: 10 }),
      approx: (step) => ({ action: step === 1 ? 'wrong' : `s${step}`, ms: 1 }),
    });
    const result = await clock.run(() =>
      runTask({
        task: { id: 'ok', text: 't' },
        approx: agents.approx,
        target: agents.target,
        policy: fixedPolicy(3),
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    expect(agents.state.inFlight).toBe(0);
  });

  it('an approximation failure mid-round ends only that round’s speculation', async () => {
    const clock = new VirtualClock();
    const agents = scriptedAgents(clock, {
      target: (step) => ({ action: step === 4 ? 'END' : `s${step}`, ms: 10 }),
      approx: (step) => (step === 2 ? new Error('approx provider down') : { action: step === 4 ? 'END' : `s${step}`, ms: 1 }),
    });
    const result = await clock.run(() =>
      runTask({
        task: { id: 'approx-fails', text: 't' },
        approx: agents.approx,
        target: agents.target,
        policy: fixedPolicy(4),
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['s1', 's2', 's3', 'END']);
    // Round 0: A1 right, A2 fails → step 1 accepted, T2 (true prefix) committed with no guess to compare.
    expect(result.rounds[0]!.end).toBe('no-guess');
    expect(result.rounds[0]!.committedCount).toBe(2);
    const failed = result.records.find((record) => record.role === 'approx' && record.error !== undefined);
    expect(failed?.error).toBe('approx provider down');
    expect(failed?.status).toBe('discarded');
    expect(agents.state.inFlight).toBe(0);
  });

  it('commits T’s step when T answers before A has guessed, and cancels the late guess', async () => {
    const clock = new VirtualClock();
    const agents = scriptedAgents(clock, {
      target: (step) => ({ action: step === 2 ? 'END' : `s${step}`, ms: 5 }),
      approx: (step) => ({ action: `s${step}`, ms: 50 }),
    });
    const result = await clock.run(() =>
      runTask({
        task: { id: 'slow-approx', text: 't' },
        approx: agents.approx,
        target: agents.target,
        policy: fixedPolicy(2),
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['s1', 'END']);
    expect(result.metrics.latencyMs).toBe(10);
    expect(result.rounds.map((round) => round.end)).toEqual(['no-guess', 'terminal']);
    expect(result.records.filter((record) => record.status === 'cancelled').map((record) => record.role)).toEqual([
      'approx',
      'approx',
    ]);
    expect(agents.state.aborted).toBe(2);
  });

  it('stops at maxSteps when no action is terminal', async () => {
    const clock = new VirtualClock();
    const agents = scriptedAgents(clock, {
      target: (step) => ({ action: `s${step}`, ms: 4 }),
      approx: (step) => ({ action: `s${step}`, ms: 1 }),
    });
    const result = await clock.run(() =>
      runTask({
        task: { id: 'endless', text: 't' },
        approx: agents.approx,
        target: agents.target,
        policy: sequentialPolicy(),
        clock,
        maxSteps: 3,
      }),
    );
    expect(result.plan).toEqual(['s1', 's2', 's3']);
    expect(result.endReason).toBe('max-steps');
  });
});

describe('the policy is off the critical path', () => {
  it('asks for k only after T has been launched on the round’s prefix', async () => {
    const clock = new VirtualClock();
    const launched: string[] = [];
    const agent =
      (role: string): Agent =>
      async ({ step }, { signal }) => {
        launched.push(`${role}${step}`);
        await clock.sleep(role === 'T' ? 10 : 1, signal);
        return { action: step === 3 ? 'END' : `s${step}` };
      };
    const seenAtDecision: string[][] = [];
    const result = await clock.run(() =>
      runTask({
        task: { id: 'order', text: 't' },
        approx: agent('A'),
        target: agent('T'),
        policy: {
          name: 'spy',
          chooseK: (state) => {
            seenAtDecision.push([...launched]);
            return state.roundIndex === 0 ? 1 : 2;
          },
        },
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    // Round 0 decides after T1 started; round 1 (after step 1) decides after T2 started, before any A call of it.
    expect(seenAtDecision).toEqual([['T1'], ['T1', 'A1', 'T2']]);
  });

  it('lets a policy stop a round early at a guess, launching nothing on it', async () => {
    // k = 4, but the policy stops after the first guess of each round: every round is T_n and A_n alone, and ends
    // `exhausted` with one step once A's guess is confirmed (A is always right here).
    const clock = new VirtualClock();
    const agents = scriptedAgents(clock, {
      target: (step) => ({ action: step === 3 ? 'END' : `s${step}`, ms: 10 }),
      approx: (step) => ({ action: step === 3 ? 'END' : `s${step}`, ms: 1 }),
    });
    const asked: number[] = [];
    const result = await clock.run(() =>
      runTask({
        task: { id: 'gated', text: 't' },
        approx: agents.approx,
        target: agents.target,
        policy: {
          name: 'gate-all',
          chooseK: () => 4,
          continueAfterGuess: (_state, guesses) => {
            asked.push(guesses.length);
            return false;
          },
        },
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    expect(result.records).toHaveLength(6);
    expect(result.rounds.map((round) => [round.k, round.stoppedAfter, round.end])).toEqual([
      [4, 1, 'exhausted'],
      [4, 1, 'exhausted'],
      [4, undefined, 'terminal'],
    ]);
    // The terminal guess ends speculation by itself: the policy is not asked about it.
    expect(asked).toEqual([1, 1]);
    expect(result.metrics.latencyMs).toBe(30);
  });

  it("hands A's confidence in each guess to the policy and records it with the round, only when A gives one", async () => {
    const trace = traceOf('confident', [
      ['X', 'X'],
      ['Y', 'W'],
      ['TERMINATE', 'TERMINATE'],
    ]);
    // A is sure of its first guess and not of its second; it says nothing about its third.
    trace.steps[0]!.approx!.confidence = 0.9;
    trace.steps[1]!.approx!.confidence = 0.3;
    const seen: Array<Array<number | undefined>> = [];
    const run = await replaySuite({
      traces: [trace],
      policy: { kind: 'fixed', name: 'fixed:3', k: 3 },
      priceTable: prices,
      buildPolicy: () => ({
        name: 'fixed:3',
        chooseK: () => 3,
        continueAfterGuess: (_state, _guesses, confidences) => {
          seen.push([...(confidences ?? [])]);
          return true;
        },
      }),
    });
    expect(seen).toEqual([[0.9], [0.9, 0.3]]);
    const rounds = run.results[0]!.rounds;
    expect(rounds[0]!.guessConfidences).toEqual([0.9, 0.3, null]);
    // The second round's only guess (step 3, the terminal one) came with none: nothing is recorded.
    expect(rounds[1]!.guessConfidences).toBeUndefined();
  });
});

