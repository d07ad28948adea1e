/**
 * Errors of the dsp library. One base class, narrow subclasses with literal names, and type guards that work
 * across duplicated copies of the package (a `Symbol.for` marker, not `instanceof`). Each error carries the exit
 * code a command line ends with when the error reaches it, so no caller sorts errors by name.
 */

import type { Action, CallRecord, ToolRecord } from './types.js';

const marker = Symbol.for('dsp-agent.error');

/** How a command ends on an error: 1 a failure, 2 bad input (options, files, environment), 130 interrupted. */
export type ExitCode = 1 | 2 | 130;

/** Base class of every error thrown by dsp itself (never of errors thrown by user code, which are wrapped). */
export class DspError extends Error {
  private readonly [marker] = true;
  override readonly name: string = 'DspError';
  /** The exit code of a command that ends on this error: 1 (a failure) unless the subclass says otherwise. */
  readonly exitCode: ExitCode = 1;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** True for any dsp error, even from another copy of the package. */
  static isInstance(error: unknown): error is DspError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** The target agent failed on the true prefix: the task cannot go on. `step` is 1-based. */
export class TargetCallError extends DspError {
  override readonly name = 'TargetCallError' as const;
  readonly taskId: string;
  readonly step: number;
  /**
   * The task's ledger up to the failure: every call it made, settled or cancelled, with its usage and cost (the
   * failing call has status `failed`). Filled in by `runTask` before it throws, so that nothing spent is lost.
   */
  readonly records: CallRecord[] = [];

  constructor(options: { taskId: string; step: number; cause: unknown }) {
    super(`target agent failed at step ${options.step} of task ${options.taskId}: ${describeCause(options.cause)}`, {
      cause: options.cause,
    });
    this.taskId = options.taskId;
    this.step = options.step;
  }
}

/**
 * A committed tool execution failed, and its environment says such a failure ends the task
 * (`Environment.failsTask`: TravelPlanner's Planner, whose model call writes the task's answer). `step` is 1-based.
 */
export class ToolCallError extends DspError {
  override readonly name = 'ToolCallError' as const;
  readonly taskId: string;
  readonly step: number;
  /** The committed action whose execution failed. */
  readonly action: Action;
  /** The task's call records up to the failure (see `TargetCallError.records`). Filled in by `runTask`. */
  readonly records: CallRecord[] = [];
  /** The task's tool records up to the failure, the failed execution included (its model usage and cost too). */
  readonly toolRecords: ToolRecord[] = [];

  constructor(options: { taskId: string; step: number; action: Action; cause: unknown }) {
    super(`tool execution failed at step ${options.step} of task ${options.taskId}: ${describeCause(options.cause)}`, {
      cause: options.cause,
    });
    this.taskId = options.taskId;
    this.step = options.step;
    this.action = options.action;
  }
}

/** A task ran past its deadline (`runTask`'s `deadlineMs`): its calls in flight were cancelled. */
export class DeadlineExceededError extends DspError {
  override readonly name = 'DeadlineExceededError' as const;
  readonly taskId: string;
  /** The deadline, on the run's clock, in milliseconds. */
  readonly deadlineMs: number;
  /** The task's ledger up to the deadline (see `TargetCallError.records`). Filled in by `runTask`. */
  readonly records: CallRecord[] = [];

  constructor(options: { taskId: string; deadlineMs: number; committedSteps: number }) {
    super(`task ${options.taskId} ran past its deadline with ${options.committedSteps} steps committed`);
    this.taskId = options.taskId;
    this.deadlineMs = options.deadlineMs;
  }
}

/**
 * A task stopped by its caller's signal (`runTask`'s `signal`: Ctrl-C in `dsp run`, a suite's stop). The calls and
 * executions in flight were aborted and have settled; `records` and `toolRecords` hold what the task spent up to
 * then, so that a stopped task's spend is not lost. The signal's own reason is `reason` (and `cause`).
 */
export class TaskInterruptedError extends DspError {
  override readonly name = 'TaskInterruptedError' as const;
  override readonly exitCode = 130;
  readonly taskId: string;
  /** The steps committed before the stop. */
  readonly committedSteps: number;
  /** The `reason` of the signal that stopped the task. */
  readonly reason: unknown;
  /** The task's call records up to the stop (see `TargetCallError.records`). Filled in by `runTask`. */
  readonly records: CallRecord[] = [];
  /** The task's tool records up to the stop, with their model usage and cost. Filled in by `runTask`. */
  readonly toolRecords: ToolRecord[] = [];

  constructor(options: { taskId: string; committedSteps: number; reason: unknown }) {
    super(`task ${options.taskId} was stopped with ${options.committedSteps} steps committed: ${describeCause(options.reason)}`, {
      cause: options.reason,
    });
    this.taskId = options.taskId;
    this.committedSteps = options.committedSteps;
    this.reason = options.reason;
  }
}

/**
 * Why the engine aborted a call: always the `reason` of the call's `AbortSignal`. The calls of one round share a
 * signal, because when a round ends every call of it still in flight has become useless at the same instant.
 */
export class SpeculationCancelledError extends DspError {
  override readonly name = 'SpeculationCancelledError' as const;
  /** 0-based round whose calls were cancelled. */
  readonly round: number;
  /** The last plan step committed when the calls were cancelled (0 = none). */
  readonly lastCommittedStep: number;
  /** `round-ended`: the round committed its steps and no longer needs them; `task-failed`: the task is over. */
  readonly why: 'round-ended' | 'task-failed';

  constructor(options: { round: number; lastCommittedStep: number; why: SpeculationCancelledError['why'] }) {
    super(
      `calls of round ${options.round} cancelled (${options.why}; plan committed through step ${options.lastCommittedStep})`,
    );
    this.round = options.round;
    this.lastCommittedStep = options.lastCommittedStep;
    this.why = options.why;
  }
}

/** Input that dsp cannot use: a bad option, a malformed trace line, an unknown policy. */
export class InvalidInputError extends DspError {
  override readonly name = 'InvalidInputError' as const;
  override readonly exitCode = 2;
  /**
   * Where the bad input came from: a file and line (`traces.jsonl:12`), the argument of a library function
   * (`policy spec`), or the command-line option a command passed on (`--policies`).
   */
  readonly source: string | undefined;

  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super(options?.source === undefined ? message : `${options.source}: ${message}`, { cause: options?.cause });
    this.source = options?.source;
  }
}

/** A saved file (predictor state, results) that is corrupt or of an incompatible version. */
export class CorruptStateError extends DspError {
  override readonly name = 'CorruptStateError' as const;
  override readonly exitCode = 2;
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}

export function isTargetCallError(error: unknown): error is TargetCallError {
  return DspError.isInstance(error) && error.name === 'TargetCallError';
}

export function isToolCallError(error: unknown): error is ToolCallError {
  return DspError.isInstance(error) && error.name === 'ToolCallError';
}

export function isDeadlineExceededError(error: unknown): error is DeadlineExceededError {
  return DspError.isInstance(error) && error.name === 'DeadlineExceededError';
}

export function isTaskInterruptedError(error: unknown): error is TaskInterruptedError {
  return DspError.isInstance(error) && error.name === 'TaskInterruptedError';
}

export function isSpeculationCancelledError(error: unknown): error is SpeculationCancelledError {
  return DspError.isInstance(error) && error.name === 'SpeculationCancelledError';
}

export function isInvalidInputError(error: unknown): error is InvalidInputError {
  return DspError.isInstance(error) && error.name === 'InvalidInputError';
}

export function isCorruptStateError(error: unknown): error is CorruptStateError {
  return DspError.isInstance(error) && error.name === 'CorruptStateError';
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
