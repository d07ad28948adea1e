/**
 * The plain types the engine speaks: agents, actions, usage, call records, task results.
 * Nothing here does I/O.
 */

/** A JSON value: what an action may be. OpenAGI actions are strings such as `Image Deblurring`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One plan step emitted by an agent. */
export type Action = JsonValue;

/** Which agent made a call: the cheap approximation agent A or the strong target agent T. */
export type Role = 'approx' | 'target';

/** Token usage of one call. A field left undefined means unknown, never zero. */
export interface Usage {
  /** Prompt tokens. */
  inputTokens?: number;
  /** Generated tokens, reasoning tokens included. */
  outputTokens?: number;
  /** Reasoning tokens (already counted in `outputTokens`), when the provider reports them. */
  reasoningTokens?: number;
  /**
   * Prompt tokens served from the provider's prompt cache (already counted in `inputTokens`), when the provider
   * reports them; priced at the model's cached-input rate when it has one.
   */
  cachedInputTokens?: number;
  /** True when any figure was estimated rather than reported by the provider. */
  estimated?: boolean;
}

/** What an agent sees when asked for the next step. */
export interface AgentContext {
  /** The task being planned. */
  task: TaskInput;
  /** The plan so far that this call is conditioned on (committed steps, then speculative guesses). */
  prefix: readonly Action[];
  /**
   * The same steps with the observations their execution returned (`prefix[i]` is `trajectory[i].action`). Always
   * set by `runTask`; without an environment the steps have no observation.
   */
  trajectory?: readonly Step[];
  /** The 1-based step this call computes (`prefix.length + 1`). */
  step: number;
  /** True when the prefix contains guesses of A that T has not confirmed yet. */
  speculative: boolean;
}

/** Per-call options the engine passes to an agent. */
export interface AgentCallOptions {
  /** Aborted, with a `SpeculationCancelledError` reason, when the engine no longer needs the call. */
  signal: AbortSignal;
  /**
   * Report usage so far (e.g. while streaming). When the call is cancelled, the last report is what the
   * ledger bills, marked estimated. Optional to call.
   */
  reportPartialUsage: (usage: Usage) => void;
  /**
   * The id of the call's ledger record (`CallRecord.id`), so that what an agent reports elsewhere (telemetry) can
   * be joined to the ledger. Set by the engine.
   */
  callId?: number;
  /**
   * Report an attempt of this call that failed and that the agent is about to repeat (a retried request). The
   * engine writes it to the ledger as a record of its own with status `failed`, its latency and its usage, so that
   * retries stay visible in cost and time. Set by the engine; optional to call.
   */
  reportFailedAttempt?: (attempt: FailedAttempt) => void;
  /**
   * For a speculative call: registers a listener that the engine calls once, while the call is still running, if
   * every guess its prefix holds gets confirmed — the call is then the one the plan needs (T's) or A's on the true
   * prefix, and may be given the committed path's priority. Returns a function that removes the listener. A
   * listener registered after the confirmation is called at once. Set by the engine on speculative calls only.
   */
  onPrefixConfirmed?: (listener: () => void) => () => void;
}

/** An attempt of an agent call that failed and was repeated (see `AgentCallOptions.reportFailedAttempt`). */
export interface FailedAttempt {
  /** How long the attempt took, in milliseconds (it ended when it is reported). */
  latencyMs: number;
  /** What the attempt consumed (usually estimated: the prompt, and any output streamed before it failed). */
  usage: Usage;
  /** The model the attempt called, for pricing. */
  model?: string;
  /** Why it failed. */
  error: unknown;
}

/** What an agent returns for one step. */
export interface AgentResult {
  action: Action;
  usage?: Usage;
  /** The model that served the call; used to price it. */
  model?: string;
  /**
   * The agent's own probability, in [0, 1], that its action is the one it meant (e.g. the product of its tokens'
   * probabilities, from the provider's log-probabilities), when it knows it. Optional; A's confidence in a guess
   * is shown to the policy (`continueAfterGuess`) and recorded with the round.
   */
  confidence?: number;
}

/** An agent is a plain async function from a context to its next action. */
export type Agent = (context: AgentContext, options: AgentCallOptions) => Promise<AgentResult>;

/** A task to plan. */
export interface TaskInput {
  /** Stable identifier, used in ledgers and reports. */
  id: string;
  /** The task text shown to the agents. */
  text: string;
}

/**
 * Final status of a call (spec §5). `failed`: an attempt that failed and was retried (reported by its agent), or
 * the T call on the true prefix whose failure stopped the task.
 */
export type CallStatus = 'committed' | 'accepted' | 'discarded' | 'cancelled' | 'failed';

/** One agent call in the ledger. Times are milliseconds on the run's clock. */
export interface CallRecord {
  /** Unique within a task, in launch order. */
  id: number;
  taskId: string;
  role: Role;
  /** 1-based plan step the call computed. */
  step: number;
  /** 0-based round index within the task. */
  round: number;
  /** Whether the call was conditioned on the true prefix (`true`) or on unconfirmed guesses. */
  prefix: 'true' | 'speculative';
  startMs: number;
  /** When it returned, failed or was aborted. */
  endMs: number;
  status: CallStatus;
  /** The action returned, when the call finished. */
  action?: Action;
  /** Token usage; `estimated` when any part was not reported by the provider. */
  usage: Usage;
  /** Cost in USD from the price table; undefined when the model has no price. */
  costUsd: number | undefined;
  model?: string;
  /** The agent's confidence in the action it returned (`AgentResult.confidence`), when it gave one. */
  confidence?: number;
  /** The failure message, when the call threw. */
  error?: string;
  /** For a failed attempt that its agent repeated (status `failed`): the id of the call it belongs to. */
  attemptOf?: number;
  /**
   * True when the call was cancelled but its agent ignored the abort and had not settled within the engine's
   * grace (`abandonAfterMs`): the task went on without it, and it is billed by its last partial report.
   */
  abandoned?: boolean;
}

/** One round of speculation (spec §2). */
export interface RoundRecord {
  /** 0-based round index. */
  index: number;
  /** 1-based step the round started at (the committed prefix length + 1). */
  startStep: number;
  /** The k the policy chose (0 = no speculation). */
  k: number;
  /** A's guesses received this round, by position (index 0 = `startStep`). */
  guesses: Action[];
  /**
   * When the round's speculation stopped early, the guesses it had then: the policy stopped it
   * (`continueAfterGuess`), or A guessed an irreversible tool call (`stoppedBy: 'irreversible'`).
   */
  stoppedAfter?: number;
  /** Set when a guessed irreversible tool call stopped the speculation (it runs only once T confirms it). */
  stoppedBy?: 'irreversible';
  /**
   * A's confidence in each guess (parallel to `guesses`; null where A gave none), present only when A gave one for
   * some guess of the round (`AgentResult.confidence`).
   */
  guessConfidences?: Array<number | null>;
  /** How many guesses T confirmed. */
  acceptedCount: number;
  /** Steps committed by the round. */
  committedCount: number;
  /**
   * How the round ended: `mismatch` (A's guess differed from T's), `no-guess` (T answered before A, or A failed),
   * `terminal` (T's action ended the plan), `exhausted` (all k guesses — or all it had when the policy stopped it
   * early — were confirmed), `sequential` (k = 0).
   */
  end: 'mismatch' | 'no-guess' | 'terminal' | 'exhausted' | 'sequential';
  startMs: number;
  endMs: number;
}

/**
 * Figures of one task (spec §5). Times in milliseconds, money in USD. Each is described once (unit, label, formatter,
 * how a suite aggregates it, which outputs show it) in the list of figures of the ledger.
 *
 * A money figure is `null` (unknown, never 0) when a call it adds up has known usage but no price: its model is
 * missing from the price table. `unpricedCalls` counts those calls.
 */
export interface TaskMetrics {
  latencyMs: number;
  sequentialLatencyMs: number;
  speedup: number;
  /** The cost of every call, and of tool executions' model requests; null when any of them is unpriced. */
  costUsd: number | null;
  /** The cost of the committed T calls and committed tool executions' model requests; null when any is unpriced. */
  sequentialCostUsd: number | null;
  /** `costUsd − sequentialCostUsd`; null when either is unknown. */
  overheadCostUsd: number | null;
  /** The cost of discarded, cancelled and failed calls and of uncommitted executions' model requests; null when any is unpriced. */
  wastedCostUsd: number | null;
  peakConcurrency: number;
  meanConcurrency: number;
  meanK: number;
  rounds: number;
  steps: number;
  calls: number;
  /** Calls with known usage whose model is missing from the price table (their cost is unknown). */
  unpricedCalls: number;
}

/** The outcome of one task. */
export interface TaskResult {
  taskId: string;
  /** The committed plan. */
  plan: Action[];
  endReason: 'terminal' | 'max-steps';
  records: CallRecord[];
  rounds: RoundRecord[];
  metrics: TaskMetrics;
  /** With an environment: the committed steps, each with the observation its execution returned. */
  trajectory?: Step[];
  /** With an environment: every execution of an action, committed or not (the ledger's `tool` records). */
  toolRecords?: ToolRecord[];
  /** With an environment: the committed state at the end of the task (a copy). */
  state?: Map<string, unknown>;
}

// Tool-using agents (docs/tools.md): environments, effect classes, steps with observations, tool records.
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
  /**
   * Report a model request the execution made (a planner tool that asks a model to write the answer): each request
   * once, a failed attempt that is repeated included (`failed: true`). The engine adds them up on the execution's
   * tool record, which is billed like a call (spec §5). Set by the engine; optional to call.
   */
  reportModelUsage?: (report: ToolModelUsage) => void;
}

/** A model request made by a tool execution, as reported through `ExecuteOptions.reportModelUsage`. */
export interface ToolModelUsage {
  /** The model that served it, for pricing (e.g. `openai:gpt-4.1`). */
  model: string;
  /** What it consumed (for a failed attempt, usually estimated). */
  usage: Usage;
  /** True for an attempt that failed (and was repeated or ended the execution). */
  failed?: boolean;
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
  /**
   * Whether a failed execution of a committed action fails the task (`ToolCallError`) instead of being an
   * observation of failure the agent sees. For a tool whose result is the task's answer (TravelPlanner's Planner, a
   * model call): an error text would be committed as the final answer. Default: never.
   */
  failsTask?(action: Action, error: unknown): boolean;
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
  /**
   * The model the execution called, when it reported model requests (`ExecuteOptions.reportModelUsage`): the last
   * one reported.
   */
  model?: string;
  /** The usage of the model requests the execution reported, added up; absent when it reported none. */
  usage?: Usage;
  /** Its cost in USD, from the price table; absent when it made no model request or its model has no price. */
  costUsd?: number;
  /** How many of those requests were failed attempts. */
  failedAttempts?: number;
}
