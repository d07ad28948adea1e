/**
 * One task under speculative planning (spec §2). Pure given its agents, policy and clock: it reads time only from
 * the clock and does no I/O of its own.
 *
 * Every round launches T on the committed prefix at once, then asks the policy for k, then (k ≥ 1) launches A.
 * Each guess of A launches the next A call and a speculative T call. T's answers are checked in step order; the
 * round ends at the first step where A's guess differs from T's action, where T's action is terminal, where all k
 * guesses were confirmed, or where T answers before A has guessed. Only T's actions are ever committed.
 *
 * With an environment, a step is an action plus the observation its execution returned, and each committed action
 * is executed on the committed state before the next round starts (docs/tools.md).
 */
import type { Clock } from '../core/clock.js';
import {
  DeadlineExceededError,
  InvalidInputError,
  SpeculationCancelledError,
  TargetCallError,
  TaskInterruptedError,
  describeCause,
  ToolCallError,
  isDeadlineExceededError,
  isTargetCallError,
  isTaskInterruptedError,
  isToolCallError,
} from '../core/errors.js';
import type { KPolicy, RoundState } from '../core/policy.js';
import { builtinPriceTable, costOf, type PriceTable } from '../ledger/prices.js';
import { taskMetrics } from '../ledger/metrics.js';
import { canonicalAction, exactMatch, type ActionsMatch } from '../core/actions.js';
import type { EffectClass, Environment, Step, ToolRecord } from '../core/environment.js';
import { StateLayer } from './state.js';
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
  /**
   * Executes actions (tool calls) and returns observations (docs/tools.md). Default: none, pure planning (steps
   * are actions with no observation).
   */
  environment?: Environment;
  /** The task's state at its start (entries are copied). Default: empty. Used only with an environment. */
  initialState?: Iterable<readonly [string, unknown]>;
  /**
   * Stops the task when it aborts: the calls in flight are cancelled and, once they have settled, `runTask` rejects
   * with `TaskInterruptedError`, which holds the ledger so far and the signal's reason.
   */
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
  /** Set when every guess of its prefix was confirmed while it ran (a speculative call only). */
  prefixConfirmed: boolean;
  /** The agent's listeners for that moment (`AgentCallOptions.onPrefixConfirmed`), dropped when the call settles. */
  confirmListeners: Set<() => void>;
}

/** One execution of an action by the environment. */
interface ExecutionHandle {
  record: ToolRecord;
  controller: AbortController;
  finished: boolean;
  cancelled: boolean;
  /** The step's observation fields, once finished. */
  outcome?: Pick<Step, 'observation' | 'error'>;
  /** What the execution threw, once finished (for `Environment.failsTask`). */
  failure?: { error: unknown };
  /** The state after the execution: its own fork when it may write, else the state it read. */
  stateAfter: StateLayer;
  /** A committed step took its observation (a result is used by one committed step at most). */
  consumed: boolean;
  /** A guess of the current round relies on it (a pure result serves one guess at a time). */
  claimed: boolean;
  /** Its key in the memo of pure results. */
  memoKey?: string;
  settled: Promise<void>;
}

/** A guess of A within a round, with what the engine did about it. */
interface Guess {
  action: Action;
  /** The guessed action's effect class; `null` when it calls no tool (or there is no environment). */
  effect: EffectClass | null;
  /** Its speculative execution, when it has one. */
  execution?: ExecutionHandle;
  /** The branch's state after this guess. */
  stateAfter: StateLayer | undefined;
  /** The next pair of calls waits for the execution (set until they are launched). */
  launchPending: boolean;
}

/**
 * Runs one task to its end and returns its plan, ledger and metrics. Rejects with `TargetCallError` if T fails on
 * the true prefix, `ToolCallError` if a committed execution fails in a way `Environment.failsTask` says ends the
 * task, `DeadlineExceededError` past `deadlineMs`, `TaskInterruptedError` when `signal` aborts (its `reason` is the
 * signal's; each of these holds the ledger so far), and `InvalidInputError` for options it cannot run with
 * (`maxSteps`, `kMax`, a policy's k).
 */
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
  private readonly environment: Environment | undefined;
  private readonly handles: CallHandle[] = [];
  private readonly executions: ExecutionHandle[] = [];
  /** Pure results by (action, state version), finished or running, until a committed step consumes them. */
  private readonly memo = new Map<string, ExecutionHandle>();
  private readonly rounds: RoundRecord[] = [];
  private readonly committed: Action[] = [];
  /** The committed steps with their observations (`committed[i]` is `committedSteps[i].action`). */
  private readonly committedSteps: Step[] = [];
  /** The committed state (with an environment). */
  private state: StateLayer | undefined;
  private stateVersions = 0;
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
    this.environment = options.environment;
    checkStepLimits({ maxSteps: this.maxSteps, kMax: this.kMax });
    checkDurations(options);
    if (this.environment !== undefined) {
      this.state = StateLayer.root(options.initialState ?? [], () => `v${(this.stateVersions += 1)}`);
    }
  }

  async run(): Promise<TaskResult> {
    const { task, policy, signal } = this.options;
    if (signal?.aborted === true) throw this.interrupted(signal.reason);
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
    } catch (thrown) {
      this.cancelInFlight('task-failed');
      await this.allSettled();
      // A stop by the caller's signal surfaces as a typed error that carries the ledger, like a failure does: what the
      // task spent before the stop was spent (and billed by the provider).
      const error = this.options.signal?.aborted === true && thrown === this.options.signal.reason ? this.interrupted(thrown) : thrown;
      if (isTargetCallError(error) || isDeadlineExceededError(error) || isToolCallError(error) || isTaskInterruptedError(error)) {
        error.records.push(...this.handles.map((handle) => this.finalRecord(handle)));
      }
      if (isToolCallError(error) || isTaskInterruptedError(error)) error.toolRecords.push(...this.executions.map((handle) => handle.record));
      throw error;
    } finally {
      unwatch();
    }
    const endMs = this.clock.now();
    await this.allSettled();
    const records = this.handles.map((handle) => this.finalRecord(handle));
    const toolRecords = this.environment === undefined ? undefined : this.executions.map((handle) => handle.record);
    const result: TaskResult = {
      taskId: task.id,
      plan: [...this.committed],
      endReason,
      records,
      rounds: this.rounds,
      metrics: taskMetrics({
        startMs: this.startMs,
        endMs,
        records,
        rounds: this.rounds,
        ...(toolRecords === undefined ? {} : { tools: toolRecords }),
      }),
    };
    if (this.environment !== undefined) {
      result.trajectory = [...this.committedSteps];
      result.toolRecords = toolRecords;
      result.state = new Map(this.state!.entries());
    }
    policy.taskEnded?.(result);
    return result;
  }

  /** Runs one round; resolves true when it committed a terminal action. */
  // one piece: the round is an event loop over its calls and tool executions whose state (guesses, accepted
  // count, calls by step, the limit, the end) every branch reads and writes; the checks it makes in order are
  // the round rules of docs/spec.md §2, easiest to verify side by side.
  // eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
  private async runRound(): Promise<boolean> {
    const { policy, task } = this.options;
    this.options.signal?.throwIfAborted();
    const environment = this.environment;
    const prefix = [...this.committed];
    const trajectory = [...this.committedSteps];
    const n = prefix.length;
    const roundIndex = this.rounds.length;
    const remainingSteps = this.maxSteps - n;
    const roundStartMs = this.clock.now();
    this.roundController = new AbortController();
    const targetCalls: CallHandle[] = [this.launch('target', n + 1, prefix, trajectory, roundIndex)];

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
    if (k >= 1) approxCalls.push(this.launch('approx', n + 1, prefix, trajectory, roundIndex));
    const guesses: Action[] = [];
    /** A's confidence in each guess, when it gave one (parallel to `guesses`). */
    const guessConfidences: Array<number | undefined> = [];
    /** What the engine did about each guess (parallel to `guesses`). */
    const guessInfo: Guess[] = [];
    let approxStopped = k === 0;
    /** The guesses this round may verify: k, or fewer when the speculation stops early. */
    let limit = k;
    let stoppedAfter: number | undefined;
    let stoppedBy: RoundRecord['stoppedBy'];
    let accepted = 0;
    let end: RoundRecord['end'] | undefined;
    let committedCount = 0;

    /** Launches A and T for the step after guess `j` (1-based), on the prefix of the first j guesses. */
    const launchAfterGuess = (j: number): void => {
      const speculativePrefix = [...prefix, ...guesses];
      const speculativeTrajectory = [...trajectory, ...guessInfo.map((info) => guessStep(info))];
      // Guess j may be confirmed already when its execution held the launch back: the calls are then not speculative.
      const speculative = j > accepted;
      approxCalls.push(this.launch('approx', n + j + 1, speculativePrefix, speculativeTrajectory, roundIndex, speculative));
      targetCalls.push(this.launch('target', n + j + 1, speculativePrefix, speculativeTrajectory, roundIndex, speculative));
    };

    while (end === undefined) {
      let progressed = true;
      while (progressed && end === undefined) {
        progressed = false;
        const waiting = guessInfo[guessInfo.length - 1];
        if (waiting?.launchPending === true && waiting.execution?.finished === true) {
          // The guess's speculative execution has returned its observation: the next steps can be guessed.
          waiting.launchPending = false;
          launchAfterGuess(guesses.length);
          progressed = true;
        }

        const approxCall = approxCalls[guesses.length];
        if (!approxStopped && approxCall?.finished) {
          if (approxCall.error !== undefined) {
            // An approximation failure only ends this round's speculation.
            approxStopped = true;
          } else {
            const guess = approxCall.result!.action;
            guesses.push(guess);
            guessConfidences.push(approxCall.result!.confidence);
            progressed = true;
            const j = guesses.length;
            const base = guessInfo[j - 2]?.stateAfter ?? this.state;
            const info: Guess = {
              action: guess,
              effect: environment?.effectOf(guess) ?? null,
              launchPending: false,
              stateAfter: base,
            };
            guessInfo.push(info);
            const goOn = j < k && !this.isTerminal(guess);
            if (info.effect !== null && !speculativeEffects.has(info.effect)) {
              // Never executed on an unconfirmed prefix: verify this guess, launch nothing past it.
              approxStopped = true;
              limit = j;
              if (goOn) {
                stoppedAfter = j;
                stoppedBy = 'irreversible';
              }
            } else {
              if (goOn && policy.continueAfterGuess !== undefined && !policy.continueAfterGuess(state, guesses, guessConfidences)) {
                approxStopped = true;
                limit = j;
                stoppedAfter = j;
              } else if (goOn) {
                info.launchPending = true;
              } else {
                approxStopped = true;
              }
              if (info.effect !== null) {
                const trajectorySoFar = [...trajectory, ...guessInfo.slice(0, j - 1).map((earlier) => guessStep(earlier))];
                info.execution = this.executeGuess(guess, info.effect, base!, n + j, roundIndex, trajectorySoFar);
                info.stateAfter = info.execution.stateAfter;
              }
              if (info.launchPending && (info.execution === undefined || info.execution.finished)) {
                info.launchPending = false;
                launchAfterGuess(j);
              }
            }
          }
        }

        const targetCall = targetCalls[accepted];
        if (targetCall?.finished) {
          if (targetCall.error !== undefined && targetCall.speculative) {
            // A speculative T call failed (say, refused by a rate limit) but every guess before it was confirmed:
            // its prefix is the true one now, so the plan needs it. Launch it again, on the true prefix.
            targetCalls[accepted] = this.launch(
              'target',
              n + accepted + 1,
              [...prefix, ...guesses.slice(0, accepted)],
              [...trajectory, ...guessInfo.slice(0, accepted).map((info) => guessStep(info))],
              roundIndex,
              false,
            );
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
          } else if (this.match(guess, targetAction) && this.sameExecution(guessInfo[accepted]!, targetAction)) {
            accepted += 1;
            progressed = true;
            if (this.isTerminal(targetAction)) {
              committedCount = accepted;
              end = 'terminal';
            } else if (accepted === limit) {
              committedCount = accepted;
              end = 'exhausted';
            } else {
              // The calls conditioned on exactly the confirmed guesses are now on the true prefix: T's is the call the
              // plan needs. Tell them while they wait or run (a live run moves them to the committed path's priority).
              this.confirmPrefix(targetCalls[accepted]);
              this.confirmPrefix(approxCalls[accepted]);
            }
          } else {
            committedCount = accepted + 1;
            end = this.isTerminal(targetAction) ? 'terminal' : 'mismatch';
          }
        }
      }
      if (end === undefined) {
        this.throwIfStopped();
        await this.nextSettlement();
        this.throwIfStopped();
      }
    }

    const committedActions: Action[] = [];
    for (let index = 0; index < committedCount; index += 1) {
      const action = targetCalls[index]!.result!.action;
      committedActions.push(action);
      this.committed.push(action);
    }
    this.settleRound(approxCalls, targetCalls, accepted, committedCount);
    if (environment === undefined) {
      for (const action of committedActions) this.committedSteps.push({ action });
    } else {
      const steps = await this.executeCommitted(committedActions, guessInfo, accepted, n, roundIndex);
      this.committedSteps.push(...steps);
    }
    const round: RoundRecord = {
      index: roundIndex,
      startStep: n + 1,
      k,
      guesses,
      ...(guessConfidences.some((confidence) => confidence !== undefined)
        ? { guessConfidences: guessConfidences.map((confidence) => confidence ?? null) }
        : {}),
      ...(stoppedAfter === undefined ? {} : { stoppedAfter }),
      ...(stoppedBy === undefined ? {} : { stoppedBy }),
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

  /**
   * Whether T's confirmation of a guess also confirms the guess's execution. Always true without an environment
   * or with exact matching; with a looser matcher, only when both actions are the same call (or neither calls a
   * tool): a speculative observation is never passed off as the result of another call.
   */
  private sameExecution(guess: Guess, targetAction: Action): boolean {
    if (this.environment === undefined || this.match === exactMatch) return true;
    if (guess.effect === null && this.environment.effectOf(targetAction) === null) return true;
    return canonicalAction(guess.action) === canonicalAction(targetAction);
  }

  /**
   * The round's committed steps with their observations: a confirmed guess takes its speculative execution's result
   * (waiting for it if it is still running); any other committed action that calls a tool takes an unused pure
   * result of the same call on the same state from the memo, or runs now on the committed state, after the steps
   * before it. Speculative executions no committed step uses are cancelled (pure results that finished stay in
   * the memo).
   */
  private async executeCommitted(
    actions: readonly Action[],
    guessInfo: readonly Guess[],
    accepted: number,
    n: number,
    roundIndex: number,
  ): Promise<Step[]> {
    const environment = this.environment!;
    const sources = actions.map((action, index): ExecutionHandle | EffectClass | null => {
      const info = index < accepted ? guessInfo[index] : undefined;
      if (info?.execution !== undefined) return info.execution;
      return info === undefined ? environment.effectOf(action) : info.effect;
    });
    const used = new Set(sources.filter((source): source is ExecutionHandle => typeof source === 'object' && source !== null));
    for (const handle of this.executions) {
      if (handle.consumed || used.has(handle)) continue;
      handle.claimed = false;
      // A running pure call may still serve the step T chose instead (same call, same state): it is cancelled below
      // if nothing takes it.
      if (handle.record.round === roundIndex && handle.record.effect !== 'pure') this.cancelExecution(handle, 'round-ended');
    }

    const steps: Step[] = [];
    let state = this.state!;
    for (let index = 0; index < actions.length; index += 1) {
      const action = actions[index]!;
      const source = sources[index]!;
      if (source === null) {
        steps.push({ action });
        continue;
      }
      const step = n + index + 1;
      let handle: ExecutionHandle;
      if (typeof source === 'object') {
        handle = source;
      } else {
        handle =
          (source === 'pure' ? this.takeMemoized(action, state) : undefined) ??
          this.startExecution(action, source, state, step, roundIndex, 'true', [...this.committedSteps, ...steps]);
        handle.claimed = true;
      }
      if (!handle.finished) await this.untilSettled(handle);
      if (handle.failure !== undefined && environment.failsTask?.(action, handle.failure.error) === true) {
        // Its failure is the task's: no observation of it is committed.
        throw new ToolCallError({ taskId: this.options.task.id, step, action, cause: handle.failure.error });
      }
      handle.consumed = true;
      handle.record.status = 'committed';
      handle.record.committedStep = step;
      if (handle.memoKey !== undefined && this.memo.get(handle.memoKey) === handle) this.memo.delete(handle.memoKey);
      steps.push({ action, ...handle.outcome });
      state = handle.stateAfter;
    }
    this.state = state;
    for (const handle of this.executions) {
      if (handle.record.round === roundIndex && !handle.consumed) this.cancelExecution(handle, 'round-ended');
    }
    return steps;
  }

  /**
   * Runs a guess of A ahead of T's confirmation (`pure` and `sandboxed` only), or takes an unused pure result of
   * the same call on the same state.
   */
  private executeGuess(
    action: Action,
    effect: EffectClass,
    base: StateLayer,
    step: number,
    round: number,
    trajectory: readonly Step[],
  ): ExecutionHandle {
    const handle =
      (effect === 'pure' ? this.takeMemoized(action, base) : undefined) ??
      this.startExecution(action, effect, base, step, round, 'speculative', trajectory);
    handle.claimed = true;
    return handle;
  }

  /** An unused pure result (finished or running) of `action` on `state`, if the memo holds one. */
  private takeMemoized(action: Action, state: StateLayer): ExecutionHandle | undefined {
    const handle = this.memo.get(memoKey(action, state));
    return handle === undefined || handle.claimed ? undefined : handle;
  }

  /** Starts one execution of `action` on the state `base` (a fork of it when the action may write). */
  private startExecution(
    action: Action,
    effect: EffectClass,
    base: StateLayer,
    step: number,
    round: number,
    prefix: ToolRecord['prefix'],
    trajectory: readonly Step[],
  ): ExecutionHandle {
    const environment = this.environment!;
    const writable = effect !== 'pure';
    const stateAfter = writable ? base.fork() : base;
    const record: ToolRecord = {
      kind: 'tool',
      id: this.executions.length,
      taskId: this.options.task.id,
      step,
      round,
      prefix,
      effect,
      action,
      startMs: this.clock.now(),
      endMs: Number.NaN,
      status: 'discarded',
    };
    const handle: ExecutionHandle = {
      record,
      controller: new AbortController(),
      finished: false,
      cancelled: false,
      stateAfter,
      consumed: false,
      claimed: false,
      settled: Promise.resolve(),
    };
    if (effect === 'pure') {
      handle.memoKey = memoKey(action, base);
      if (!this.memo.has(handle.memoKey)) this.memo.set(handle.memoKey, handle);
    }
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(
        environment.execute(action, {
          signal: handle.controller.signal,
          state: writable ? stateAfter : base.readOnly('the tool is declared pure'),
          speculative: prefix === 'speculative',
          step,
          task: this.options.task,
          trajectory,
          reportModelUsage: (report) => this.addModelUsage(record, report),
        }),
      );
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    handle.settled = promise.then(
      (observation) => this.onExecuted(handle, observation === undefined ? {} : { observation }),
      (error: unknown) => {
        if (!handle.cancelled) handle.failure = { error };
        this.onExecuted(handle, { error: describeCause(error ?? 'the tool failed without a reason') });
      },
    );
    this.executions.push(handle);
    return handle;
  }

  /**
   * Adds a model request an execution reported to its tool record (spec §5: billed like a call): usage summed, the
   * sum priced by the run's table at the model last reported, failed attempts counted. A report that comes after
   * the execution was cancelled still counts: what was spent was spent.
   */
  private addModelUsage(record: ToolRecord, report: { model: string; usage: Usage; failed?: boolean }): void {
    record.model = report.model;
    record.usage = addUsage(record.usage, report.usage);
    if (report.failed === true) record.failedAttempts = (record.failedAttempts ?? 0) + 1;
    const cost = costOf(this.priceTable, report.model, record.usage);
    if (cost === undefined) delete record.costUsd;
    else record.costUsd = cost;
  }

  private onExecuted(handle: ExecutionHandle, outcome: Pick<Step, 'observation' | 'error'>): void {
    if (handle.record.effect !== 'pure') handle.stateAfter.seal('the execution that owned this state has ended');
    if (handle.cancelled) return;
    handle.finished = true;
    handle.record.endMs = this.clock.now();
    handle.outcome = outcome;
    if (outcome.error !== undefined) handle.record.error = outcome.error;
    this.wake?.();
  }

  /** Aborts an execution still in flight; its fork can no longer be written. */
  private cancelExecution(handle: ExecutionHandle, why: SpeculationCancelledError['why']): void {
    if (handle.finished || handle.cancelled) return;
    if (handle.memoKey !== undefined && this.memo.get(handle.memoKey) === handle) this.memo.delete(handle.memoKey);
    handle.cancelled = true;
    handle.record.status = 'cancelled';
    handle.record.endMs = this.clock.now();
    if (handle.record.effect !== 'pure') handle.stateAfter.seal('the execution that owned this state was cancelled');
    handle.controller.abort(this.cancellationReason(why));
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
  private launch(
    role: Role,
    step: number,
    prefix: Action[],
    trajectory: Step[],
    round: number,
    speculative = step !== this.committed.length + 1,
  ): CallHandle {
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
      prefixConfirmed: false,
      confirmListeners: new Set(),
    };
    const onPrefixConfirmed = (listener: () => void): (() => void) => {
      if (handle.prefixConfirmed) {
        listener();
        return () => undefined;
      }
      if (handle.done || handle.cancelled) return () => undefined;
      handle.confirmListeners.add(listener);
      return () => handle.confirmListeners.delete(listener);
    };
    let promise: Promise<AgentResult>;
    try {
      promise = agent(
        { task: this.options.task, prefix, trajectory, step, speculative },
        {
          signal,
          reportPartialUsage: (usage) => {
            handle.partialUsage = { ...usage };
          },
          callId: record.id,
          reportFailedAttempt: (attempt) => this.recordFailedAttempt(handle, attempt),
          ...(speculative ? { onPrefixConfirmed } : {}),
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

  /** Tells a speculative call still in flight that every guess of its prefix was confirmed (once). */
  private confirmPrefix(handle: CallHandle | undefined): void {
    if (handle === undefined || !handle.speculative || handle.prefixConfirmed || handle.done || handle.cancelled) return;
    handle.prefixConfirmed = true;
    const listeners = [...handle.confirmListeners];
    handle.confirmListeners.clear();
    for (const listener of listeners) listener();
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
      prefixConfirmed: false,
      confirmListeners: new Set(),
    });
  }

  private onSettled(handle: CallHandle, result: AgentResult | undefined, settledError: unknown): void {
    handle.done = true;
    handle.confirmListeners.clear();
    if (handle.cancelled) return;
    handle.finished = true;
    handle.record.endMs = this.clock.now();
    // An agent written without the types (plain JavaScript) may resolve to anything: say what, as its call's error.
    const error = settledError === undefined ? malformedResult(result, handle.record.role) : settledError;
    if (error !== undefined) {
      handle.error = error;
      handle.record.error = describeCause(error);
    } else {
      handle.result = result;
    }
    this.wake?.();
  }

  /**
   * Marks every call of the current round still in flight as cancelled and aborts the round's signal once. When the
   * task failed, every execution still in flight is aborted too.
   */
  private cancelInFlight(why: SpeculationCancelledError['why']): void {
    let any = false;
    const endMs = this.clock.now();
    for (let index = this.handles.length - 1; index >= 0; index -= 1) {
      const handle = this.handles[index]!;
      if (handle.record.round < this.rounds.length) break;
      if (handle.finished || handle.cancelled) continue;
      handle.cancelled = true;
      handle.confirmListeners.clear();
      handle.record.status = 'cancelled';
      handle.record.endMs = endMs;
      any = true;
    }
    if (any) this.roundController.abort(this.cancellationReason(why));
    if (why === 'task-failed') {
      for (const handle of this.executions) this.cancelExecution(handle, why);
    }
  }

  private cancellationReason(why: SpeculationCancelledError['why']): SpeculationCancelledError {
    // A cancellation reason needs no stack trace, and capturing one per round is a measurable cost in replay.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const reason = new SpeculationCancelledError({
      round: this.rounds.length,
      lastCommittedStep: this.committed.length,
      why,
    });
    Error.stackTraceLimit = stackTraceLimit;
    return reason;
  }

  /** Waits for an execution to end; rejects with the task's abort reason if the task is stopped first. */
  private async untilSettled(handle: ExecutionHandle): Promise<void> {
    const signal = this.options.signal;
    while (!handle.finished) {
      signal?.throwIfAborted();
      if (handle.cancelled) throw new Error('a committed execution was cancelled');
      await this.nextSettlement();
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
    // Tool executions are awaited in full (the environment is ours to trust); agents only for a bounded grace.
    const executionsSettled = Promise.all(this.executions.map((handle) => handle.settled));
    if (this.handles.every((handle) => handle.done)) {
      await executionsSettled;
      return;
    }
    const grace = new AbortController();
    const allSettled = Promise.all([...this.handles.map((handle) => handle.settled), executionsSettled]).then(() => false);
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

  private interrupted(reason: unknown): TaskInterruptedError {
    return new TaskInterruptedError({ taskId: this.options.task.id, committedSteps: this.committed.length, reason });
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
    if (handle.result?.confidence !== undefined) record.confidence = handle.result.confidence;
    return record;
  }
}

/** A guess as a trajectory step: its action and, when it was executed, the observation (or failure) it returned. */
function guessStep(info: Guess): Step {
  return info.execution?.outcome === undefined ? { action: info.action } : { action: info.action, ...info.execution.outcome };
}

/** The effect classes whose guessed calls the engine runs on a speculative prefix. */
const speculativeEffects: ReadonlySet<EffectClass> = new Set<EffectClass>(['pure', 'sandboxed']);

/** The memo key of a pure call: the action's canonical form and the version of the state it reads. */
function memoKey(action: Action, state: StateLayer): string {
  return `${state.version}\u0000${canonicalAction(action)}`;
}

/** Two usages added field by field; a field unknown in both stays unknown, and `estimated` sticks. */
function addUsage(sum: Usage | undefined, usage: Usage): Usage {
  const total: Usage = { ...sum };
  for (const field of ['inputTokens', 'outputTokens', 'reasoningTokens', 'cachedInputTokens'] as const) {
    const value = usage[field];
    if (value !== undefined) total[field] = (total[field] ?? 0) + value;
  }
  if (usage.estimated === true) total.estimated = true;
  return total;
}

/**
 * `maxSteps` and `kMax`, when given, must be whole numbers ≥ 1; throws `InvalidInputError` naming the option. The
 * engine checks them for every task; `speculate` calls it when an agent is built, before its first run.
 */
export function checkStepLimits(limits: { maxSteps?: number | undefined; kMax?: number | undefined }): void {
  for (const name of ['maxSteps', 'kMax'] as const) {
    const value = limits[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      throw new InvalidInputError(`${name} must be a whole number ≥ 1, got ${String(value)}`, { source: name });
    }
  }
}

/** `deadlineMs` and `abandonAfterMs`, when given, must be numbers ≥ 0 (NaN would silently mean "no deadline"). */
function checkDurations(options: Pick<RunTaskOptions, 'deadlineMs' | 'abandonAfterMs'>): void {
  for (const name of ['deadlineMs', 'abandonAfterMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new InvalidInputError(`${name} must be a number of milliseconds ≥ 0, got ${String(value)}`);
    }
  }
}

/** Why an agent's resolved value is not an `AgentResult` (an action, and a confidence in [0, 1] if any), or undefined. */
function malformedResult(result: unknown, role: CallRecord['role']): InvalidInputError | undefined {
  const who = role === 'target' ? 'the target agent' : 'the approximation agent';
  const expected = 'an agent resolves to { action, usage?, model?, confidence? }';
  if (typeof result !== 'object' || result === null) {
    return new InvalidInputError(`${who} resolved to ${result === null ? 'null' : typeof result}; ${expected}`);
  }
  const { action, confidence } = result as { action?: unknown; confidence?: unknown };
  if (action === undefined) return new InvalidInputError(`${who} resolved to an object without an action; ${expected}`);
  if (confidence !== undefined && !(typeof confidence === 'number' && confidence >= 0 && confidence <= 1)) {
    const shown = typeof confidence === 'number' ? String(confidence) : (JSON.stringify(confidence) ?? typeof confidence);
    return new InvalidInputError(`${who} gave the confidence ${shown}; a confidence is a number in [0, 1]`);
  }
  return undefined;
}
