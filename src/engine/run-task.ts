/**
 * One task under speculative planning (spec §2). Pure given its agents, policy and clock: it reads time only from
 * the clock and does no I/O of its own.
 *
 * Every round launches T on the committed prefix at once, then asks the policy for k, then (k ≥ 1) launches A.
 * Each guess of A launches the next A call and a speculative T call. T's answers are checked in step order; the
 * round ends at the first step where A's guess differs from T's action, where T's action is terminal, where all k
 * guesses were confirmed, or where T answers before A has guessed. Only T's actions are ever committed.
 */
import type { Clock } from '../core/clock.js';
import {
  DeadlineExceededError,
  InvalidInputError,
  SpeculationCancelledError,
  TargetCallError,
  describeCause,
  isDeadlineExceededError,
  isTargetCallError,
} from '../core/errors.js';
import type { KPolicy, RoundState } from '../core/policy.js';
import { builtinPriceTable, costOf, type PriceTable } from '../ledger/prices.js';
import { taskMetrics } from '../ledger/metrics.js';
import { exactMatch, type ActionsMatch } from '../core/actions.js';
import type {
  Action,
  Agent,
  AgentResult,
  CallRecord,
  FailedAttempt,
  Role,
  RoundRecord,
  TaskInput,
  TaskResult,
  Usage,
} from '../core/types.js';

/** Options of `runTask`. */
export interface RunTaskOptions {
  task: TaskInput;
  /** The cheap approximation agent A. */
  approx: Agent;
  /** The target agent T, whose actions define the plan. */
  target: Agent;
  /** Chooses k per round. */
  policy: KPolicy;
  /** The clock all times are read from (a `RealClock` live, a `VirtualClock` in replay). */
  clock: Clock;
  /** Whether A's guess equals T's action. Default: exact equality of canonical forms (lossless). */
  actionsMatch?: ActionsMatch;
  /** Whether an action ends the plan. Default: no action does (the plan ends at `maxSteps`). */
  isTerminal?: (action: Action) => boolean;
  /** The most steps a plan may have. Default 50. */
  maxSteps?: number;
  /** The largest k any policy may choose. Default 8. */
  kMax?: number;
  /** Prices for the ledger's costs. Default: the built-in table. */
  priceTable?: PriceTable;
  /** Model names used to price calls whose agent did not say which model served them. */
  models?: { approx?: string; target?: string };
  /** Called after each round, e.g. for progress or recording. */
  onRound?: (round: RoundRecord) => void;
  /** Stops the task when it aborts: the calls in flight are cancelled and `runTask` rejects with its reason. */
  signal?: AbortSignal;
  /**
   * When the task must be over, on `clock` (a value of `clock.now()`, in milliseconds): past it the calls in flight
   * are cancelled and `runTask` rejects with `DeadlineExceededError`, which holds the ledger so far.
   */
  deadlineMs?: number;
  /**
   * The longest the engine waits, after cancelling calls, for their agents to settle, in milliseconds. An agent
   * that ignores its abort signal is abandoned after it: its call stays `cancelled` with `abandoned: true`, billed
   * by its last partial report, and the task's result is returned without it. Default 1000.
   */
  abandonAfterMs?: number;
}

/** Defaults of `runTask`. */
export const engineDefaults = { maxSteps: 50, kMax: 8, abandonAfterMs: 1000 } as const;

interface CallHandle {
  record: CallRecord;
  /** What the agent was told: its prefix held guesses not confirmed yet. */
  speculative: boolean;
  /** Set when the agent's promise settled before any abort. */
  finished: boolean;
  /** Set when the agent's promise settled, aborted or not. */
  done: boolean;
  cancelled: boolean;
  result?: AgentResult;
  error?: unknown;
  partialUsage?: Usage;
  /** The usage of a failed attempt its agent reported (the record is then the attempt's own). */
  attemptUsage?: Usage;
  /** Settles (never rejects) when the agent's promise settles. */
  settled: Promise<void>;
}

/** Runs one task to its end and returns its plan, ledger and metrics. Throws `TargetCallError` if T fails. */
export async function runTask(options: RunTaskOptions): Promise<TaskResult> {
  return new TaskRun(options).run();
}

class TaskRun {
  private readonly clock: Clock;
  private readonly match: ActionsMatch;
  private readonly isTerminal: (action: Action) => boolean;
  private readonly maxSteps: number;
  private readonly kMax: number;
  private readonly priceTable: PriceTable;
  private readonly handles: CallHandle[] = [];
  private readonly rounds: RoundRecord[] = [];
  private readonly committed: Action[] = [];
  private wake: (() => void) | undefined;
  /** Set when the caller's signal aborted or the deadline passed: the task stops with it at the next step. */
  private stopReason: { error: unknown } | undefined;
  /** Shared by the calls of the current round (see `SpeculationCancelledError`). */
  private roundController = new AbortController();
  private startMs = 0;

  constructor(private readonly options: RunTaskOptions) {
    this.clock = options.clock;
    this.match = options.actionsMatch ?? exactMatch;
    this.isTerminal = options.isTerminal ?? (() => false);
    this.maxSteps = options.maxSteps ?? engineDefaults.maxSteps;
    this.kMax = options.kMax ?? engineDefaults.kMax;
    this.priceTable = options.priceTable ?? builtinPriceTable;
    if (!Number.isInteger(this.maxSteps) || this.maxSteps < 1) {
      throw new InvalidInputError(`maxSteps must be a whole number ≥ 1, got ${this.maxSteps}`);
    }
    if (!Number.isInteger(this.kMax) || this.kMax < 1) {
      throw new InvalidInputError(`kMax must be a whole number ≥ 1, got ${this.kMax}`);
    }
  }

  async run(): Promise<TaskResult> {
    const { task, policy } = this.options;
    this.options.signal?.throwIfAborted();
    this.startMs = this.clock.now();
    let endReason: TaskResult['endReason'] | undefined;
    const unwatch = this.watchForStop();
    try {
      policy.taskStarted?.(task);
      while (endReason === undefined) {
        this.throwIfStopped();
        if (await this.runRound()) endReason = 'terminal';
        else if (this.committed.length >= this.maxSteps) endReason = 'max-steps';
      }
    } catch (error) {
      this.cancelInFlight('task-failed');
      await this.allSettled();
      if (isTargetCallError(error) || isDeadlineExceededError(error)) {
        error.records.push(...this.handles.map((handle) => this.finalRecord(handle)));
      }
      throw error;
    } finally {
      unwatch();
    }
    const endMs = this.clock.now();
    await this.allSettled();
    const records = this.handles.map((handle) => this.finalRecord(handle));
    const result: TaskResult = {
      taskId: task.id,
      plan: [...this.committed],
      endReason,
      records,
      rounds: this.rounds,
      metrics: taskMetrics({ startMs: this.startMs, endMs, records, rounds: this.rounds }),
    };
    policy.taskEnded?.(result);
    return result;
  }

  /** Runs one round; resolves true when it committed a terminal action. */
  private async runRound(): Promise<boolean> {
    const { policy, task } = this.options;
    const prefix = [...this.committed];
    const n = prefix.length;
    const roundIndex = this.rounds.length;
    const remainingSteps = this.maxSteps - n;
    const roundStartMs = this.clock.now();
    this.roundController = new AbortController();
    const targetCalls: CallHandle[] = [this.launch('target', n + 1, prefix, roundIndex)];

    const state: RoundState = {
      task,
      committed: prefix,
      roundIndex,
      previousRounds: this.rounds,
      kMax: this.kMax,
      remainingSteps,
    };
    const chosen = policy.chooseK(state);
    if (!Number.isFinite(chosen) || chosen < 0) {
      throw new InvalidInputError(`policy ${policy.name} chose k = ${chosen}; k must be a number ≥ 0`);
    }
    const k = Math.min(Math.floor(chosen), this.kMax, remainingSteps);

    const approxCalls: CallHandle[] = [];
    if (k >= 1) approxCalls.push(this.launch('approx', n + 1, prefix, roundIndex));
    const guesses: Action[] = [];
    let approxStopped = k === 0;
    /** The guesses this round may verify: k, or fewer when the policy stops the speculation early. */
    let limit = k;
    let stoppedAfter: number | undefined;
    let accepted = 0;
    let end: RoundRecord['end'] | undefined;
    let committedCount = 0;

    while (end === undefined) {
      let progressed = true;
      while (progressed && end === undefined) {
        progressed = false;
        const approxCall = approxCalls[guesses.length];
        if (!approxStopped && approxCall?.finished) {
          if (approxCall.error !== undefined) {
            // An approximation failure only ends this round's speculation.
            approxStopped = true;
          } else {
            const guess = approxCall.result!.action;
            guesses.push(guess);
            progressed = true;
            const j = guesses.length;
            const goOn = j < k && !this.isTerminal(guess);
            if (goOn && policy.continueAfterGuess !== undefined && !policy.continueAfterGuess(state, guesses)) {
              approxStopped = true;
              limit = j;
              stoppedAfter = j;
            } else if (goOn) {
              const speculativePrefix = [...prefix, ...guesses];
              approxCalls.push(this.launch('approx', n + j + 1, speculativePrefix, roundIndex));
              targetCalls.push(this.launch('target', n + j + 1, speculativePrefix, roundIndex));
            } else {
              approxStopped = true;
            }
          }
        }

        const targetCall = targetCalls[accepted];
        if (targetCall?.finished) {
          if (targetCall.error !== undefined && targetCall.speculative) {
            // A speculative T call failed (say, refused by a rate limit) but every guess before it was confirmed:
            // its prefix is the true one now, so the plan needs it. Launch it again, on the true prefix.
            targetCalls[accepted] = this.launch('target', n + accepted + 1, [...prefix, ...guesses.slice(0, accepted)], roundIndex, false);
            progressed = true;
            continue;
          }
          if (targetCall.error !== undefined) {
            // All earlier guesses were accepted, so this call was on the true prefix: the task cannot go on.
            targetCall.record.status = 'failed';
            throw new TargetCallError({ taskId: task.id, step: n + accepted + 1, cause: targetCall.error });
          }
          const targetAction = targetCall.result!.action;
          const guess = accepted < guesses.length ? guesses[accepted] : undefined;
          if (guess === undefined) {
            committedCount = accepted + 1;
            end = this.isTerminal(targetAction) ? 'terminal' : k === 0 ? 'sequential' : 'no-guess';
          } else if (this.match(guess, targetAction)) {
            accepted += 1;
            progressed = true;
            if (this.isTerminal(targetAction)) {
              committedCount = accepted;
              end = 'terminal';
            } else if (accepted === limit) {
              committedCount = accepted;
              end = 'exhausted';
            }
          } else {
            committedCount = accepted + 1;
            end = this.isTerminal(targetAction) ? 'terminal' : 'mismatch';
          }
        }
      }
      if (end === undefined) {
        await this.nextSettlement();
        this.throwIfStopped();
      }
    }

    for (let index = 0; index < committedCount; index += 1) {
      this.committed.push(targetCalls[index]!.result!.action);
    }
    this.settleRound(approxCalls, targetCalls, accepted, committedCount);
    const round: RoundRecord = {
      index: roundIndex,
      startStep: n + 1,
      k,
      guesses,
      ...(stoppedAfter === undefined ? {} : { stoppedAfter }),
      acceptedCount: accepted,
      committedCount,
      end,
      startMs: roundStartMs,
      endMs: this.clock.now(),
    };
    this.rounds.push(round);
    policy.observeRound?.(round, state);
    this.options.onRound?.(round);
    return end === 'terminal';
  }

  /** Sets the status of every call of a finished round and aborts those still in flight. */
  private settleRound(
    approxCalls: CallHandle[],
    targetCalls: CallHandle[],
    accepted: number,
    committedCount: number,
  ): void {
    approxCalls.forEach((handle, index) => {
      handle.record.prefix = index <= accepted ? 'true' : 'speculative';
      if (handle.finished) handle.record.status = index < accepted ? 'accepted' : 'discarded';
    });
    targetCalls.forEach((handle, index) => {
      handle.record.prefix = index <= accepted ? 'true' : 'speculative';
      if (handle.finished) handle.record.status = index < committedCount ? 'committed' : 'discarded';
    });
    this.cancelInFlight('round-ended');
  }

  /**
   * Launches a call. `speculative` (default: whether `prefix` runs past the committed plan) is what the agent is
   * told; a speculative T call launched again once its guesses were confirmed is not speculative any more.
   */
  private launch(role: Role, step: number, prefix: Action[], round: number, speculative = step !== this.committed.length + 1): CallHandle {
    const agent = role === 'approx' ? this.options.approx : this.options.target;
    const signal = this.roundController.signal;
    const record: CallRecord = {
      id: this.handles.length,
      taskId: this.options.task.id,
      role,
      step,
      round,
      prefix: step === this.committed.length + 1 ? 'true' : 'speculative',
      startMs: this.clock.now(),
      endMs: Number.NaN,
      status: 'discarded',
      usage: {},
      costUsd: undefined,
    };
    const handle: CallHandle = {
      record,
      speculative,
      finished: false,
      done: false,
      cancelled: false,
      settled: Promise.resolve(),
    };
    let promise: Promise<AgentResult>;
    try {
      promise = agent(
        { task: this.options.task, prefix, step, speculative },
        {
          signal,
          reportPartialUsage: (usage) => {
            handle.partialUsage = { ...usage };
          },
          callId: record.id,
          reportFailedAttempt: (attempt) => this.recordFailedAttempt(handle, attempt),
        },
      );
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    handle.settled = promise.then(
      (result) => this.onSettled(handle, result, undefined),
      (error: unknown) => this.onSettled(handle, undefined, error ?? new Error('agent rejected without a reason')),
    );
    this.handles.push(handle);
    return handle;
  }

  /** Writes a failed, repeated attempt of a call in flight to the ledger as a finished record of its own. */
  private recordFailedAttempt(call: CallHandle, attempt: FailedAttempt): void {
    if (call.finished || call.cancelled) return;
    const endMs = this.clock.now();
    const record: CallRecord = {
      ...call.record,
      id: this.handles.length,
      startMs: endMs - Math.max(0, attempt.latencyMs),
      endMs,
      status: 'failed',
      usage: {},
      costUsd: undefined,
      error: describeCause(attempt.error),
      attemptOf: call.record.id,
    };
    if (attempt.model !== undefined) record.model = attempt.model;
    this.handles.push({
      record,
      speculative: call.speculative,
      finished: true,
      done: true,
      cancelled: false,
      attemptUsage: { ...attempt.usage },
      settled: Promise.resolve(),
    });
  }

  private onSettled(handle: CallHandle, result: AgentResult | undefined, error: unknown): void {
    handle.done = true;
    if (handle.cancelled) return;
    handle.finished = true;
    handle.record.endMs = this.clock.now();
    if (error !== undefined) {
      handle.error = error;
      handle.record.error = describeCause(error);
    } else {
      handle.result = result;
    }
    this.wake?.();
  }

  /** Marks every call still in flight as cancelled and aborts the current round's signal once. */
  private cancelInFlight(why: SpeculationCancelledError['why']): void {
    let any = false;
    const endMs = this.clock.now();
    for (let index = this.handles.length - 1; index >= 0; index -= 1) {
      const handle = this.handles[index]!;
      if (handle.record.round < this.rounds.length) break;
      if (handle.finished || handle.cancelled) continue;
      handle.cancelled = true;
      handle.record.status = 'cancelled';
      handle.record.endMs = endMs;
      any = true;
    }
    if (any) {
      // A cancellation reason needs no stack trace, and capturing one per round is a measurable cost in replay.
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      const reason = new SpeculationCancelledError({
        round: this.rounds.length,
        lastCommittedStep: this.committed.length,
        why,
      });
      Error.stackTraceLimit = stackTraceLimit;
      this.roundController.abort(reason);
    }
  }

  private nextSettlement(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }

  /**
   * Waits until every call has settled, or `abandonAfterMs` at most: a call whose agent ignores its abort signal is
   * then marked `abandoned` and left behind.
   */
  private async allSettled(): Promise<void> {
    if (this.handles.every((handle) => handle.done)) return;
    const grace = new AbortController();
    const allSettled = Promise.all(this.handles.map((handle) => handle.settled)).then(() => false);
    const graceOver = this.clock.sleep(this.options.abandonAfterMs ?? engineDefaults.abandonAfterMs, grace.signal).then(
      () => true,
      () => false,
    );
    const abandoned = await Promise.race([allSettled, graceOver]);
    grace.abort();
    if (!abandoned) return;
    for (const handle of this.handles) if (!handle.done) handle.record.abandoned = true;
  }

  /** Watches the caller's signal and deadline; returns the function that stops watching. */
  private watchForStop(): () => void {
    const { signal, deadlineMs, task } = this.options;
    const stop = (error: unknown): void => {
      this.stopReason ??= { error };
      this.wake?.();
    };
    const onAbort = (): void => stop(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = new AbortController();
    if (deadlineMs !== undefined) {
      void this.clock.sleep(deadlineMs - this.clock.now(), deadline.signal).then(
        () => stop(new DeadlineExceededError({ taskId: task.id, deadlineMs, committedSteps: this.committed.length })),
        () => undefined,
      );
    }
    return () => {
      signal?.removeEventListener('abort', onAbort);
      if (deadlineMs !== undefined) deadline.abort();
    };
  }

  private throwIfStopped(): void {
    if (this.stopReason !== undefined) throw this.stopReason.error;
  }

  /** The call's final ledger record, with usage and cost. */
  private finalRecord(handle: CallHandle): CallRecord {
    const record = handle.record;
    const reported = handle.result?.usage;
    const model =
      handle.result?.model ??
      record.model ??
      (record.role === 'approx' ? this.options.models?.approx : this.options.models?.target);
    let usage: Usage;
    if (handle.attemptUsage !== undefined) {
      usage = handle.attemptUsage;
    } else if (handle.cancelled) {
      usage = { ...(handle.partialUsage ?? {}), estimated: true };
    } else if (reported !== undefined) {
      usage = { ...reported };
    } else {
      usage = { ...(handle.partialUsage ?? {}) };
      if (handle.partialUsage !== undefined) usage.estimated = true;
    }
    // The record is the engine's own until the task ends: complete it in place.
    record.usage = usage;
    record.costUsd = costOf(this.priceTable, model, usage);
    if (model !== undefined) record.model = model;
    if (handle.result !== undefined) record.action = handle.result.action;
    return record;
  }
}
