/**
 * Environments: what executes an agent's actions (tool calls) and returns observations, and the task state the
 * tools read and write. Pure planning (OpenAGI) has no environment: its steps are actions with no observation.
 * See docs/tools.md for the effect classes and the rule the engine enforces for each.
 */
import type { Action, CallStatus, TaskInput } from './types.js';

/**
 * How a tool may be run before T has confirmed the call (docs/tools.md):
 * - `pure`: deterministic, no side effects, reads the state at most. May run on a speculative prefix; its result is
 *   memoized per task by (action, state version) and reused when T confirms the call.
 * - `sandboxed`: writes only to the task's state. Runs on a speculative prefix against a copy-on-write fork of the
 *   state; the fork becomes the state when the step is committed and is dropped when it is discarded.
 * - `irreversible`: anything else (the default for a tool nobody declared). Never runs on an unconfirmed prefix;
 *   speculation stops at a guessed irreversible call, which runs once, after T has confirmed it.
 */
export type EffectClass = 'pure' | 'sandboxed' | 'irreversible';

/** The effect classes, strictest last. */
export const effectClasses: readonly EffectClass[] = ['pure', 'sandboxed', 'irreversible'];

/**
 * The task's state: a `Map`-like key-value store that tools read and write. Values must be structured-cloneable
 * (plain data): they are copied on the way in and on the way out, so no tool can change a stored value in place
 * behind the engine's back.
 */
export interface StateStore {
  get(key: string): unknown;
  has(key: string): boolean;
  set(key: string, value: unknown): this;
  delete(key: string): boolean;
  /** Every entry, in insertion order of first write. */
  entries(): IterableIterator<[string, unknown]>;
  keys(): IterableIterator<string>;
  readonly size: number;
  [Symbol.iterator](): IterableIterator<[string, unknown]>;
}

/** One step of a trajectory: an action and what executing it returned. */
export interface Step {
  action: Action;
  /** What the execution returned; absent when the action called no tool (or there is no environment). */
  observation?: unknown;
  /** The failure message when the execution threw: the agent sees the failure as the step's observation. */
  error?: string;
}

/** What the engine passes to `Environment.execute`. */
export interface ExecuteOptions {
  /** Aborted when the engine no longer needs a speculative execution (its branch was discarded, or the task failed). */
  signal: AbortSignal;
  /**
   * The task's state as of the step's prefix: a private fork the execution may write (`sandboxed`,
   * `irreversible`), or a read-only view (`pure`: a write throws).
   */
  state: StateStore;
  /** True when the action is a guess of A that T has not confirmed yet. */
  speculative: boolean;
  /** The 1-based step the action is at. */
  step: number;
  task: TaskInput;
  /** The steps before this one (committed steps, then speculative ones). */
  trajectory: readonly Step[];
}

/**
 * Executes actions. The engine decides when (from `effectOf`); the environment only runs what it is asked to.
 * A throw (or a rejected promise) is an observation of failure, never a failure of the task.
 */
export interface Environment {
  /**
   * The effect class of executing `action`, or `null` when the action calls no tool (a final answer, `TERMINATE`):
   * then nothing is executed and the step has no observation. Answer `irreversible` for any tool you were not told
   * about.
   */
  effectOf(action: Action): EffectClass | null;
  /** Runs the action and returns its observation. */
  execute(action: Action, options: ExecuteOptions): unknown;
}

/** The status of a tool execution: `committed` when its observation became a committed step's. */
export type ToolStatus = Exclude<CallStatus, 'accepted'>;

/** One execution of an action by the environment, in the task's ledger. Times are milliseconds on the run's clock. */
export interface ToolRecord {
  kind: 'tool';
  /** Unique among the task's tool records, in launch order. */
  id: number;
  taskId: string;
  /** 1-based plan step of the executed action. */
  step: number;
  /** 0-based round that launched the execution. */
  round: number;
  /**
   * `true` when the action was T's, confirmed on the committed prefix, when the execution started;
   * `speculative` when it ran on a guess (only `pure` and `sandboxed` actions ever do).
   */
  prefix: 'true' | 'speculative';
  effect: EffectClass;
  action: Action;
  startMs: number;
  /** When it returned, threw or was aborted. */
  endMs: number;
  /**
   * `committed` (its observation is a committed step's; a speculative result reused by T's confirmation is
   * committed), `discarded` (finished, not used), `cancelled` (aborted in flight).
   */
  status: ToolStatus;
  /** The step whose observation it became, when committed (a memoized pure result may serve a later step). */
  committedStep?: number;
  /** The failure message, when the execution threw. */
  error?: string;
}
