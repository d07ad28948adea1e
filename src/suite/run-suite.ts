/**
 * A suite of tasks with live agents, one task after another (or `parallel` at once), under one policy (which may
 * learn across tasks). The library's `runSuite` and `dsp run` both run suites through it.
 *
 * A task that throws does not end the suite: its error is reported (`onTaskFailed`, and in `failures`) and the next
 * task starts. Aborting `signal` stops the suite: the calls in flight are cancelled (the signal is joined to every
 * agent call's signal) and everything finished so far is returned, marked `interrupted`, with the ledgers of the
 * tasks it cut off (`interruptedTasks`).
 */
import type { Clock } from '../core/clock.js';
import { RealClock } from '../core/clock.js';
import {
  InvalidInputError,
  isDeadlineExceededError,
  isInvalidInputError,
  isTargetCallError,
  isTaskInterruptedError,
  isToolCallError,
} from '../core/errors.js';
import type { KPolicy } from '../core/policy.js';
import type { Agent, CallRecord, RoundRecord, TaskInput, TaskResult, ToolRecord } from '../core/types.js';
import { runTask, type RunTaskOptions } from '../engine/run-task.js';
import { suiteMetrics, type SuiteMetrics } from '../ledger/metrics.js';
import { sequentialPolicy } from '../policies/basic.js';

/** Where a task stands in its suite. */
export interface SuitePosition {
  task: TaskInput;
  /** 0-based position of the task in `tasks`. */
  index: number;
  /** How many tasks the suite has. */
  total: number;
}

/** A task whose speculative run finished. */
export interface RecordedTask extends SuitePosition {
  result: TaskResult;
}

/** A finished task, with its sequential baseline when one was asked for and finished. */
export interface FinishedTask extends RecordedTask {
  baseline: TaskResult | undefined;
}

/** A task (or its sequential baseline) that threw. */
export interface SuiteFailure extends SuitePosition {
  /** `speculative`: the task itself failed and has no result; `sequential-baseline`: only its baseline failed. */
  run: 'speculative' | 'sequential-baseline';
  /** What the run threw, typically a `TargetCallError`. */
  error: unknown;
  /** The 1-based step at which the target (or a committed tool execution) failed, for a `TargetCallError` (`ToolCallError`). */
  step: number | undefined;
  /**
   * The failed run's ledger up to its failure (every call, with its usage and cost), when its error carried one (a
   * `TargetCallError`, a `ToolCallError` or a `DeadlineExceededError`): nothing spent is lost.
   */
  records?: CallRecord[];
  /** Its tool records up to the failure (with their model usage and cost), when its error was a `ToolCallError`. */
  toolRecords?: ToolRecord[];
}

/**
 * A task (or its sequential baseline) that was running when `signal` aborted: cut off mid-run, it has no result, but
 * what it spent before the stop was spent. No figure of the suite counts it.
 */
export interface InterruptedTask extends SuitePosition {
  /** `speculative`: the task itself was cut off; `sequential-baseline`: its baseline was (its task finished). */
  run: 'speculative' | 'sequential-baseline';
  /** Its ledger up to the stop: finished, cancelled and failed calls, with their usage and cost. */
  records: CallRecord[];
  /** Its tool records up to the stop (with their model usage and cost); empty without an environment. */
  toolRecords: ToolRecord[];
}

/** Options of `runSuite`: the engine's options for every task, the tasks, and hooks. */
export interface RunSuiteOptions extends Omit<RunTaskOptions, 'task' | 'clock' | 'policy' | 'onRound'> {
  tasks: readonly TaskInput[];
  /** Chooses k in every round of every task; a learning policy carries what it learned across tasks. */
  policy: KPolicy;
  /** Default: the real clock. */
  clock?: Clock;
  /** Aborting it stops the suite and cancels the calls in flight; the outcome is then marked `interrupted`. */
  signal?: AbortSignal;
  /**
   * When the suite must be over, on its clock (a value of `clock.now()`): the task running then fails with
   * `DeadlineExceededError`, no further task starts, and the outcome is marked `interrupted`.
   */
  deadlineMs?: number;
  /** Also run T alone (`sequentialPolicy()`) on each task right after it, for a measured baseline. Default false. */
  sequentialBaseline?: boolean;
  /**
   * How many tasks run at once. Default 1. The policy is shared by the tasks running at once: give a policy that
   * keeps no state across rounds of one task, or one instance per task (`dsp run` does that for you).
   */
  parallel?: number;
  /** Called when a task starts (before its first round). */
  onTaskStarted?: (position: SuitePosition) => void;
  /** Called after each round of a task's speculative run (not of its baseline). */
  onRound?: (round: RoundRecord, position: SuitePosition) => void;
  /** Called with each finished task's result as soon as it finishes, before its baseline runs, e.g. to append its trace. */
  record?: (finished: RecordedTask) => void;
  /** Called last for each finished task, with its baseline. */
  onTaskFinished?: (finished: FinishedTask) => void;
  /** Called when a task or its baseline throws; the suite goes on with the next task. */
  onTaskFailed?: (failure: SuiteFailure) => void;
}

/** What `runSuite` returns. */
export interface SuiteOutcome {
  /** The results of the finished tasks, in suite order. */
  results: TaskResult[];
  /** The tasks and baselines that threw, in suite order. */
  failures: SuiteFailure[];
  /** The finished sequential baselines (pair them with `results` by `taskId`). */
  baselines: TaskResult[];
  /** True when `signal` aborted before every task had finished or failed. */
  interrupted: boolean;
  /** The tasks and baselines that were running when `signal` aborted, with what they spent, in suite order. */
  interruptedTasks: InterruptedTask[];
  /** The suite's figures over the finished tasks. */
  metrics: SuiteMetrics;
}

/**
 * Runs the tasks in order and returns every result, every failure and the suite's figures. A task that throws is
 * reported and skipped; an `InvalidInputError` (bad options, which would fail every task) and an error thrown by a
 * hook end the suite and are thrown.
 *
 * @example
 * const { results, failures } = await runSuite({ tasks, approx, target, policy: additivePolicy() });
 */
export async function runSuite(options: RunSuiteOptions): Promise<SuiteOutcome> {
  const parallel = options.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) {
    throw new InvalidInputError(`parallel must be a whole number ≥ 1, got ${parallel}`, { source: 'parallel' });
  }
  const outcome: Omit<SuiteOutcome, 'metrics'> = {
    results: [],
    failures: [],
    baselines: [],
    interrupted: false,
    interruptedTasks: [],
  };
  const clock = options.clock ?? new RealClock();
  // Stops the other tasks when one of them throws (bad input, a hook's error): the error is the suite's.
  const suiteStop = new AbortController();
  const signal = options.signal === undefined ? suiteStop.signal : AbortSignal.any([options.signal, suiteStop.signal]);
  const suite: RunSuiteOptions = { ...options, clock, signal };
  const order = new Map<TaskResult, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.tasks.length && !outcome.interrupted) {
      if (signal.aborted || (options.deadlineMs !== undefined && clock.now() >= options.deadlineMs)) {
        outcome.interrupted = true;
        break;
      }
      const index = next;
      next += 1;
      const completed = await runSuiteTask(suite, { task: options.tasks[index]!, index, total: options.tasks.length }, outcome, order);
      if (!completed) outcome.interrupted = true;
    }
  };
  const workers = Array.from({ length: Math.min(parallel, options.tasks.length) }, () =>
    worker().catch((error: unknown) => {
      suiteStop.abort(error);
      throw error;
    }),
  );
  const settled = await Promise.allSettled(workers);
  const thrown = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (thrown !== undefined) throw thrown.reason;
  // Tasks run at once finish in any order: the outcome lists them in suite order.
  const bySuiteOrder = (a: TaskResult, b: TaskResult): number => order.get(a)! - order.get(b)!;
  outcome.results.sort(bySuiteOrder);
  outcome.baselines.sort(bySuiteOrder);
  outcome.failures.sort((a, b) => a.index - b.index);
  outcome.interruptedTasks.sort((a, b) => a.index - b.index);
  return { ...outcome, metrics: suiteMetrics(outcome.results) };
}

/** Runs one task (and its baseline), reporting through the hooks into `outcome`. False when the signal stopped it. */
async function runSuiteTask(
  options: RunSuiteOptions,
  position: SuitePosition,
  outcome: Omit<SuiteOutcome, 'metrics'>,
  order: Map<TaskResult, number>,
): Promise<boolean> {
  const { task } = position;
  const engine = engineOptions(options);
  options.onTaskStarted?.(position);
  const attempt = await attemptTask(options.signal, (hook) =>
    runTask({ ...engine, task, policy: options.policy, onRound: hook((round) => options.onRound?.(round, position)) }),
  );
  if (attempt.kind === 'interrupted') {
    outcome.interruptedTasks.push({ ...position, run: 'speculative', records: attempt.records, toolRecords: attempt.toolRecords });
    return false;
  }
  if (attempt.kind === 'failed') {
    reportFailure(options, outcome, { ...position, run: 'speculative', ...describeFailure(attempt.error) });
    return true;
  }
  const result = attempt.result;
  outcome.results.push(result);
  order.set(result, position.index);
  options.record?.({ ...position, result });
  let baseline: TaskResult | undefined;
  let completed = true;
  if (options.sequentialBaseline === true) {
    const sequential = await attemptTask(options.signal, () => runTask({ ...engine, task, policy: sequentialPolicy() }));
    if (sequential.kind === 'finished') {
      baseline = sequential.result;
      outcome.baselines.push(baseline);
      order.set(baseline, position.index);
    } else if (sequential.kind === 'failed') {
      reportFailure(options, outcome, { ...position, run: 'sequential-baseline', ...describeFailure(sequential.error) });
    } else {
      outcome.interruptedTasks.push({ ...position, run: 'sequential-baseline', records: sequential.records, toolRecords: sequential.toolRecords });
      completed = false;
    }
  }
  options.onTaskFinished?.({ ...position, result, baseline });
  return completed;
}

/** The engine's options shared by every run of the suite; the agents' calls also stop when the signal aborts. */
function engineOptions(options: RunSuiteOptions): Omit<RunTaskOptions, 'task' | 'policy'> {
  const { approx, target, actionsMatch, isTerminal, maxSteps, kMax, priceTable, models, signal, deadlineMs, abandonAfterMs } = options;
  const { environment, initialState } = options;
  return {
    // Each task starts from `initialState` (copied by the engine) and executes its actions in `environment`.
    ...(environment === undefined ? {} : { environment }),
    ...(initialState === undefined ? {} : { initialState }),
    approx: joinedTo(approx, signal),
    target: joinedTo(target, signal),
    clock: options.clock ?? new RealClock(),
    actionsMatch,
    isTerminal,
    maxSteps,
    kMax,
    priceTable,
    models,
    signal,
    deadlineMs,
    abandonAfterMs,
  };
}

/** An agent whose calls are also cancelled when `signal` aborts. */
function joinedTo(agent: Agent, signal: AbortSignal | undefined): Agent {
  if (signal === undefined) return agent;
  return (context, callOptions) => agent(context, { ...callOptions, signal: AbortSignal.any([callOptions.signal, signal]) });
}

type Attempt =
  | { kind: 'finished'; result: TaskResult }
  | { kind: 'failed'; error: unknown }
  | { kind: 'interrupted'; records: CallRecord[]; toolRecords: ToolRecord[] };

/** Wraps a hook so that an error it throws is told apart from the task's own failure. */
type HookGuard = <Args extends unknown[]>(hook: (...args: Args) => void) => (...args: Args) => void;

/** Runs a task, telling a failure of the task from a stop of the suite; bad input and hook errors are thrown. */
async function attemptTask(signal: AbortSignal | undefined, run: (guard: HookGuard) => Promise<TaskResult>): Promise<Attempt> {
  let hookError: { error: unknown } | undefined;
  const guard: HookGuard =
    (hook) =>
    (...args) => {
      try {
        hook(...args);
      } catch (error) {
        hookError = { error };
        throw error;
      }
    };
  try {
    return { kind: 'finished', result: await run(guard) };
  } catch (error) {
    if (hookError !== undefined) throw hookError.error;
    if (signal?.aborted === true) return { kind: 'interrupted', ...ledgerOf(error) };
    if (isInvalidInputError(error)) throw error;
    return { kind: 'failed', error };
  }
}

/** The ledger an error of the engine carries (the task's spend up to its end), else none. */
function ledgerOf(error: unknown): { records: CallRecord[]; toolRecords: ToolRecord[] } {
  const carries = isTaskInterruptedError(error) || isTargetCallError(error) || isDeadlineExceededError(error) || isToolCallError(error);
  if (!carries) return { records: [], toolRecords: [] };
  return { records: error.records, toolRecords: isTaskInterruptedError(error) || isToolCallError(error) ? error.toolRecords : [] };
}

function describeFailure(error: unknown): Pick<SuiteFailure, 'error' | 'step' | 'records' | 'toolRecords'> {
  const failure: Pick<SuiteFailure, 'error' | 'step' | 'records' | 'toolRecords'> = {
    error,
    step: isTargetCallError(error) || isToolCallError(error) ? error.step : undefined,
  };
  if (isTargetCallError(error) || isDeadlineExceededError(error) || isToolCallError(error)) failure.records = error.records;
  if (isToolCallError(error)) failure.toolRecords = error.toolRecords;
  return failure;
}

function reportFailure(options: RunSuiteOptions, outcome: Omit<SuiteOutcome, 'metrics'>, failure: SuiteFailure): void {
  outcome.failures.push(failure);
  options.onTaskFailed?.(failure);
}
