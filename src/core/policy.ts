/**
 * The k-policy interface (spec §3). The engine asks a policy for k once per round, after step 1 of the round is
 * already launched, and tells it how each round ended. The engine does not know which policy it runs.
 */
import type { Action, RoundRecord, TaskInput, TaskResult } from './types.js';

/** What a policy may see when choosing k: exactly what a live run would see. */
export interface RoundState {
  task: TaskInput;
  /** The committed plan so far. */
  committed: readonly Action[];
  /** 0-based index of the round about to run. */
  roundIndex: number;
  /** Earlier rounds of this task, with their guesses, outcomes and times. */
  previousRounds: readonly RoundRecord[];
  /** The largest k allowed (the policy's answer is clamped to it). */
  kMax: number;
  /** Steps left before the task's step limit (k is also clamped to it). */
  remainingSteps: number;
}

/** Chooses how far to speculate. Implementations must answer synchronously and fast (microseconds). */
export interface KPolicy {
  /** The policy's spec string, e.g. `fixed:4`. */
  readonly name: string;
  /** k for the round about to run: 0 = no speculation, otherwise the number of steps A may guess ahead. */
  chooseK(state: RoundState): number;
  /**
   * Optional: called when A's guess number `guesses.length` of the round arrives (fewer than k, not terminal), before
   * the engine launches the next speculative pair of calls on it. Returning false stops this round's speculation
   * there: the round then ends once the guesses it has are verified. It can only shorten a round, never change what
   * is committed. Must answer synchronously and fast. Default: always continue (spec §2). `confidences` holds A's
   * confidence in each guess (`AgentResult.confidence`; undefined where A gave none).
   */
  continueAfterGuess?(state: RoundState, guesses: readonly Action[], confidences?: readonly (number | undefined)[]): boolean;
  /** Called when a round has ended (its guesses, accepted count and end are in `round`). */
  observeRound?(round: RoundRecord, state: RoundState): void;
  /**
   * Called once when a task starts, before its first round. Synchronous, like `chooseK`: in replay the engine runs
   * on a virtual clock that cannot wait on anything but its own timers (the dsp policy takes up new weights here
   * with a bounded blocking wait on its worker, see docs/predictor.md).
   */
  taskStarted?(task: TaskInput): void;
  /** Called once when a task has ended successfully. */
  taskEnded?(result: TaskResult): void;
  /** Releases resources (e.g. a trainer worker); waits for pending work to drain. */
  close?(): Promise<void>;
}
