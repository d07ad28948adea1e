/**
 * The engine under the failures of live runs: failed attempts reported by agents, a speculative T call that fails
 * and is launched again once its prefix is confirmed, and the ledger of a task that fails. Hand-computed on the
 * virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import {
  isDeadlineExceededError,
  isTargetCallError,
  isTaskInterruptedError,
  type DeadlineExceededError,
  type TargetCallError,
  type TaskInterruptedError,
} from '../core/errors.js';
import type { PriceTable } from '../ledger/prices.js';
import { fixedPolicy, sequentialPolicy } from '../policies/basic.js';
import type { Agent, AgentCallOptions, AgentContext } from '../core/types.js';
import { runTask } from './run-task.js';

// $1 per 1,000 input tokens and $2 per 1,000 output tokens: 100 in + 10 out = $0.12.
const prices: PriceTable = { name: 'test', models: { t: { inputUsdPerMTok: 1000, outputUsdPerMTok: 2000 } } };

const isEnd = (action: unknown): boolean => action === 'END';

describe('failed attempts reported by an agent', () => {
  it('are records of their own: status failed, their latency, their cost, counted as waste', async () => {
    // T1 fails twice after 3 ms each (the agent waits 1 ms between attempts), then answers after 10 ms:
    // attempts at [0,3] and [4,7], success at [8,18]. T2 = END at [18,28].
    const clock = new VirtualClock();
    const target: Agent = async ({ step }, { signal, reportFailedAttempt }) => {
      if (step === 1) {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          await clock.sleep(3, signal);
          reportFailedAttempt?.({ latencyMs: 3, usage: { inputTokens: 100, outputTokens: 0, estimated: true }, model: 't', error: new Error('HTTP 503') });
          await clock.sleep(1, signal);
        }
      }
      await clock.sleep(10, signal);
      return { action: step === 2 ? 'END' : 's1', usage: { inputTokens: 100, outputTokens: 10 } };
    };
    const result = await clock.run(() =>
      runTask({
        task: { id: 'retried', text: 't' },
        approx: () => Promise.reject(new Error('unused')),
        target,
        policy: sequentialPolicy(),
        clock,
        isTerminal: isEnd,
        priceTable: prices,
        models: { target: 't' },
      }),
    );
    expect(result.plan).toEqual(['s1', 'END']);
    const rows = result.records.map((record) => [record.id, record.step, record.status, record.startMs, record.endMs, record.attemptOf]);
    expect(rows).toEqual([
      [0, 1, 'committed', 0, 18, undefined],
      [1, 1, 'failed', 0, 3, 0],
      [2, 1, 'failed', 4, 7, 0],
      [3, 2, 'committed', 18, 28, undefined],
    ]);
    const failed = result.records[1]!;
    expect(failed.error).toBe('HTTP 503');
    expect(failed.usage).toEqual({ inputTokens: 100, outputTokens: 0, estimated: true });
    expect(failed.costUsd).toBeCloseTo(0.1, 12);
    expect(failed.prefix).toBe('true');
    // Two committed calls at $0.12 and two failed attempts at $0.10, which are waste.
    expect(result.metrics.costUsd).toBeCloseTo(0.44, 12);
    expect(result.metrics.wastedCostUsd).toBeCloseTo(0.2, 12);
    expect(result.metrics.sequentialCostUsd).toBeCloseTo(0.24, 12);
  });

  it('are ignored once the call was cancelled', async () => {
    const clock = new VirtualClock();
    const target: Agent = async ({ step }, { signal }) => {
      await clock.sleep(10, signal);
      return { action: step === 2 ? 'END' : `s${step}` };
    };
    // A guesses wrong at step 1 after 1 ms; its step-2 calls ignore the abort and report a failed attempt 20 ms
    // after they started, when their rounds have ended: that must not reach the ledger.
    const approx: Agent = async ({ step }, { reportFailedAttempt }) => {
      if (step === 1) {
        await clock.sleep(1);
        return { action: 'wrong' };
      }
      await clock.sleep(20);
      reportFailedAttempt?.({ latencyMs: 20, usage: {}, error: new Error('late') });
      return { action: 'wrong' };
    };
    const result = await clock.run(() =>
      runTask({ task: { id: 'late', text: 't' }, approx, target, policy: fixedPolicy(2), clock, isTerminal: isEnd }),
    );
    expect(result.records.some((record) => record.status === 'failed')).toBe(false);
  });
});

describe('a speculative T call that fails', () => {
  it('is launched again on the true prefix when its guesses are confirmed, and the plan is unchanged', async () => {
    // Round 0 (k=2): T1 [0,10] → s1; A1 → s1 at 1, which launches A2 and T2 on [s1]; T2 is speculative and is
    // refused at 3; A2 → s2 at 2. At 10, T1 confirms s1: the plan needs T2 now, so it is launched again, not
    // speculative, [10,20] → s2, which confirms A2's guess: 2 steps. Round 1: T3 [20,30] → END.
    const clock = new VirtualClock();
    const seen: Array<Pick<AgentContext, 'step' | 'speculative'>> = [];
    const target: Agent = async ({ step, speculative }, { signal }) => {
      seen.push({ step, speculative });
      if (step === 2 && speculative) {
        await clock.sleep(2, signal);
        throw new Error('HTTP 429: too many requests');
      }
      await clock.sleep(10, signal);
      return { action: step === 3 ? 'END' : `s${step}` };
    };
    const approx: Agent = async ({ step }, { signal }) => {
      await clock.sleep(1, signal);
      return { action: step === 3 ? 'END' : `s${step}` };
    };
    const result = await clock.run(() =>
      runTask({ task: { id: 'relaunch', text: 't' }, approx, target, policy: fixedPolicy(2), clock, isTerminal: isEnd }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    expect(seen).toEqual([
      { step: 1, speculative: false },
      { step: 2, speculative: true },
      { step: 2, speculative: false },
      { step: 3, speculative: false },
    ]);
    const targets = result.records.filter((record) => record.role === 'target');
    expect(targets.map((record) => [record.step, record.status, record.startMs, record.endMs])).toEqual([
      [1, 'committed', 0, 10],
      [2, 'discarded', 1, 3],
      [2, 'committed', 10, 20],
      [3, 'committed', 20, 30],
    ]);
    expect(targets[1]!.error).toContain('HTTP 429');
    expect(result.metrics.latencyMs).toBe(30);
  });
});

describe('a speculative call whose guesses are confirmed while it runs', () => {
  it('is told so once, at the confirmation; calls on the true prefix and calls past a mismatch never are', async () => {
    // Round 0 (k=3): A guesses s1, s2 at 1 and 2, then x at 3; T1 [0,10] → s1, T2 [1,16] → s2, T3 [2,22] → s3.
    // T1 confirms s1 at 10: T2 is now the call the plan needs. T2 confirms s2 at 16: T3 is. A2 and A3 had answered
    // by then. T3's answer s3 differs from x. Round 1: T4 [22,52] → END; A guesses x, so T5 and T6 are never told.
    const clock = new VirtualClock();
    const told: Array<{ role: string; step: number; atMs: number }> = [];
    const offered: Array<{ role: string; step: number; speculative: boolean; offered: boolean }> = [];
    const listen = (role: string, context: AgentContext, options: AgentCallOptions): void => {
      offered.push({ role, step: context.step, speculative: context.speculative, offered: options.onPrefixConfirmed !== undefined });
      options.onPrefixConfirmed?.(() => told.push({ role, step: context.step, atMs: clock.now() }));
    };
    const target: Agent = async (context, options) => {
      listen('target', context, options);
      const { step } = context;
      await clock.sleep(step >= 4 ? 30 : [10, 15, 20][step - 1]!, options.signal);
      return { action: step >= 4 ? 'END' : `s${step}` };
    };
    const approx: Agent = async (context, options) => {
      listen('approx', context, options);
      await clock.sleep(1, options.signal);
      return { action: context.step <= 2 ? `s${context.step}` : 'x' };
    };
    const result = await clock.run(() =>
      runTask({ task: { id: 'confirmed', text: 't' }, approx, target, policy: fixedPolicy(3), clock, isTerminal: isEnd }),
    );
    expect(result.plan).toEqual(['s1', 's2', 's3', 'END']);
    expect(told).toEqual([
      { role: 'target', step: 2, atMs: 10 },
      { role: 'target', step: 3, atMs: 16 },
    ]);
    // Only speculative calls are offered the hook.
    expect(offered.every((call) => call.offered === call.speculative)).toBe(true);
    expect(offered.filter((call) => call.role === 'target' && call.speculative).map((call) => call.step)).toEqual([2, 3, 5, 6]);
  });
});

describe('a task that fails', () => {
  it('throws TargetCallError holding the whole ledger, the failing call marked failed', async () => {
    const clock = new VirtualClock();
    const target: Agent = async ({ step }, { signal }) => {
      await clock.sleep(10, signal);
      if (step === 2) throw new Error('HTTP 401: bad key');
      return { action: `s${step}`, usage: { inputTokens: 100, outputTokens: 10 } };
    };
    const approx: Agent = async ({ step }, { signal }) => {
      await clock.sleep(1, signal);
      return { action: `s${step}`, usage: { inputTokens: 100, outputTokens: 10 } };
    };
    const failure = await clock
      .run(() =>
        runTask({
          task: { id: 'fails', text: 't' },
          approx,
          target,
          policy: fixedPolicy(1),
          clock,
          priceTable: prices,
          models: { approx: 't', target: 't' },
        }),
      )
      .catch((error: unknown) => error);
    expect(isTargetCallError(failure)).toBe(true);
    const { records, step } = failure as TargetCallError;
    expect(step).toBe(2);
    // Round 0: T1, A1 (accepted). Round 1: T2 fails at 20 while A2 is cancelled.
    expect(records.map((record) => `${record.role}${record.step}:${record.status}`)).toEqual([
      'target1:committed',
      'approx1:accepted',
      'target2:failed',
      'approx2:discarded',
    ]);
    // Priced from their usage; the failing call reported none, so its cost is unknown.
    expect(records.map((record) => record.costUsd)).toEqual([0.12, 0.12, undefined, 0.12]);
  });
});

describe('stopping a task from outside', () => {
  /** T answers `s<step>` (END at step 3) after 10 ms; A guesses right after 1 ms. */
  const agents = (clock: VirtualClock): { approx: Agent; target: Agent } => ({
    target: async ({ step }, { signal }) => {
      await clock.sleep(10, signal);
      return { action: step === 3 ? 'END' : `s${step}`, usage: { inputTokens: 100, outputTokens: 10 } };
    },
    approx: async ({ step }, { signal }) => {
      await clock.sleep(1, signal);
      return { action: step === 3 ? 'END' : `s${step}`, usage: { inputTokens: 100, outputTokens: 10 } };
    },
  });

  it('an aborted signal cancels the calls in flight and rejects with TaskInterruptedError: its reason and the ledger so far', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    const { approx, target: answering } = agents(clock);
    // T reports its prompt as it starts, so that a call cancelled in flight is billed its estimate.
    const target: Agent = (context, options) => {
      options.reportPartialUsage({ inputTokens: 100, outputTokens: 0 });
      return answering(context, options);
    };
    let settledAtRejection: number | undefined;
    const failure = clock
      .run(async () => {
        const task = runTask({
          task: { id: 'stopped', text: 't' },
          approx,
          target,
          policy: fixedPolicy(2),
          clock,
          signal: controller.signal,
          isTerminal: isEnd,
          priceTable: prices,
          models: { approx: 't', target: 't' },
        });
        await clock.sleep(15);
        controller.abort(reason);
        return task.catch((error: unknown) => {
          settledAtRejection = clock.now();
          throw error;
        });
      })
      .catch((error: unknown) => error);
    const error = (await failure) as TaskInterruptedError;
    expect(isTaskInterruptedError(error)).toBe(true);
    expect(error.reason).toBe(reason);
    expect(error.cause).toBe(reason);
    expect(error.exitCode).toBe(130);
    expect(error.message).toBe('task stopped was stopped with 2 steps committed: stopped by the user');
    // Round 0 (k=2): T1 [0,10] and A1 [0,1], A2 [1,2] and T2 [1,11] on the guess s1; both guesses confirmed. Round 1:
    // T3 [11,..] and A3 [11,12] (END, terminal: A stops). At 15 the stop cancels T3, billed its prompt, estimated.
    expect(error.records.map((record) => [record.role, record.step, record.status, record.endMs, record.costUsd])).toEqual([
      ['target', 1, 'committed', 10, 0.12],
      ['approx', 1, 'accepted', 1, 0.12],
      ['approx', 2, 'accepted', 2, 0.12],
      ['target', 2, 'committed', 11, 0.12],
      ['target', 3, 'cancelled', 15, 0.1],
      ['approx', 3, 'discarded', 12, 0.12],
    ]);
    expect(error.records[4]!.usage).toEqual({ inputTokens: 100, outputTokens: 0, estimated: true });
    expect(error.toolRecords).toEqual([]);
    // Every call had settled when it rejected, at the instant of the stop.
    expect(settledAtRejection).toBe(15);
  });

  it('a signal aborted before the task starts rejects with TaskInterruptedError and an empty ledger', async () => {
    const clock = new VirtualClock();
    const reason = new Error('stopped before');
    const { approx, target } = agents(clock);
    const error = (await runTask({
      task: { id: 'never', text: 't' },
      approx,
      target,
      policy: sequentialPolicy(),
      clock,
      signal: AbortSignal.abort(reason),
    }).catch((failure: unknown) => failure)) as TaskInterruptedError;
    expect(isTaskInterruptedError(error) && error.reason).toBe(reason);
    expect(error.records).toEqual([]);
  });

  it('a deadline stops the task with DeadlineExceededError and the ledger so far', async () => {
    const clock = new VirtualClock();
    const { approx, target } = agents(clock);
    const failure = await clock
      .run(() =>
        runTask({
          task: { id: 'late', text: 't' },
          approx,
          target,
          policy: sequentialPolicy(),
          clock,
          deadlineMs: 25,
          isTerminal: isEnd,
          priceTable: prices,
          models: { target: 't' },
        }),
      )
      .catch((error: unknown) => error);
    expect(isDeadlineExceededError(failure)).toBe(true);
    const error = failure as DeadlineExceededError;
    expect(error.deadlineMs).toBe(25);
    expect(error.message).toBe('task late ran past its deadline with 2 steps committed');
    // T1 [0,10], T2 [10,20] committed; T3 cancelled at 25 and billed its estimate (none reported: unknown).
    expect(error.records.map((record) => [record.step, record.status, record.endMs])).toEqual([
      [1, 'committed', 10],
      [2, 'committed', 20],
      [3, 'cancelled', 25],
    ]);
    expect(clock.now()).toBe(25);
  });

  it('an agent that ignores its abort is abandoned after the grace, and the result keeps its time', async () => {
    // Round 0 (k=2): T1 [0,10] → s1; A1 guesses wrong at 1, so A2 and T2 start on [wrong]. T2 ignores its abort
    // and would run until 5000. At 10 the round ends (mismatch). Round 1: T2 [10,20] → s2, A2 → s2 at 11, which
    // launches T3 on [s1, s2] [11,21] → END: the task ends at 21.
    const clock = new VirtualClock();
    const target: Agent = async ({ step, speculative }, { signal, reportPartialUsage }) => {
      if (speculative && step === 2) {
        reportPartialUsage({ inputTokens: 100, outputTokens: 0 });
        await clock.sleep(4999);
        return { action: 'too late' };
      }
      await clock.sleep(10, signal);
      return { action: step === 3 ? 'END' : `s${step}` };
    };
    const approx: Agent = async ({ step }, { signal }) => {
      await clock.sleep(1, signal);
      return { action: step === 1 ? 'wrong' : step === 3 ? 'END' : `s${step}` };
    };
    const result = await clock.run(() =>
      runTask({ task: { id: 'stuck', text: 't' }, approx, target, policy: fixedPolicy(2), clock, isTerminal: isEnd, abandonAfterMs: 200 }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    expect(result.metrics.latencyMs).toBe(21);
    // The engine returned once the grace after the last commit was over, long before the stuck agent settled.
    expect(clock.now()).toBe(221);
    const stuck = result.records.filter((record) => record.abandoned === true);
    expect(stuck.map((record) => [record.role, record.step, record.status, record.endMs])).toEqual([['target', 2, 'cancelled', 10]]);
    expect(stuck[0]!.usage).toEqual({ inputTokens: 100, outputTokens: 0, estimated: true });
  });

  it('waits for agents that honour their abort without any grace', async () => {
    const clock = new VirtualClock();
    const { approx, target } = agents(clock);
    const result = await clock.run(() =>
      runTask({ task: { id: 'prompt', text: 't' }, approx, target, policy: fixedPolicy(3), clock, isTerminal: isEnd }),
    );
    expect(result.plan).toEqual(['s1', 's2', 'END']);
    expect(clock.now()).toBe(result.metrics.latencyMs);
    expect(result.records.some((record) => record.abandoned === true)).toBe(false);
  });
});
