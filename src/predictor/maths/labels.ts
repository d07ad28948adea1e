/**
 * Labels from rounds (spec §4). A segment runs from one break to the next; a round that ends with every guess
 * accepted (`exhausted`) does not close it. Guesses are keyed by step number. How each round end is read:
 *
 * | round end  | guesses that are training data            | closes the segment at              |
 * |------------|-------------------------------------------|------------------------------------|
 * | mismatch   | every guess up to and including the break  | the mismatched step                |
 * | terminal   | every guess up to the terminal step        | the terminal step (the plan ends)  |
 * | no-guess   | the accepted guesses (none at the step)    | the step T committed without a guess |
 * | exhausted  | all k guesses (all accepted)               | — the segment stays open           |
 * | sequential | none                                       | the committed step                 |
 *
 * `no-guess` is read as a break: T answered before A (A was slow, failed, or had no recorded guess), so any
 * speculation past that step was useless in that round — exactly as after a mismatch — and `k_j = m − j + 1`
 * is the k that would have bought all the speed there was. The step itself gets no example: A made no guess
 * there, and only guesses are labelled. A plan that reaches its step limit inside an open segment closes it at
 * its last step (the plan's end, not the speculation budget). Guesses after the break (stale) are never
 * training data.
 */
import type { RoundRecord } from '../../core/types.js';
import type { SparseVector, StepOutcome } from './features.js';
import type { Segment } from './segment.js';

/** What one round means for labelling. */
export interface RoundLabelling {
  /** Number of the round's guesses (from the first) that are training data. */
  labelledGuesses: number;
  /** The break step when the round closed the segment, else undefined (`exhausted`). */
  breakStep: number | undefined;
  /** How A fared at each committed step of the round, in order. */
  outcomes: StepOutcome[];
}

/** Reads a finished round. */
export function readRound(round: RoundRecord): RoundLabelling {
  const committed = round.committedCount;
  const labelledGuesses = Math.min(round.guesses.length, committed);
  const outcomes: StepOutcome[] = [];
  for (let index = 0; index < committed; index += 1) {
    if (index < round.acceptedCount) outcomes.push('accepted');
    else outcomes.push(index < round.guesses.length ? 'rejected' : 'no-guess');
  }
  const breakStep = round.end === 'exhausted' ? undefined : round.startStep + committed - 1;
  return { labelledGuesses, breakStep, outcomes };
}

/** Collects the labelled states of the open segment, keyed by step, and closes it at a break. */
export class SegmentBuilder {
  private readonly pending = new Map<number, { features: SparseVector; guessFeatures: SparseVector | undefined }>();

  /** Steps waiting for a break. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Records the state at `step` (replacing an earlier record of the same step), and its features with A's guess for
   * the acceptance head when the policy trains it.
   */
  add(step: number, features: SparseVector, guessFeatures?: SparseVector): void {
    this.pending.set(step, { features, guessFeatures });
  }

  /** Closes the segment at `breakStep`; states after it are stale and dropped. Undefined when nothing was labelled. */
  close(breakStep: number): Segment | undefined {
    const steps = [...this.pending.keys()].filter((step) => step <= breakStep).sort((a, b) => a - b);
    const records = steps.map((step) => this.pending.get(step)!);
    const segment: Segment = { steps, features: records.map((record) => record.features), breakStep };
    if (records.length > 0 && records.every((record) => record.guessFeatures !== undefined)) {
      segment.guessFeatures = records.map((record) => record.guessFeatures!);
    }
    this.pending.clear();
    return steps.length > 0 ? segment : undefined;
  }

  /** Drops the open segment (e.g. a task that failed). */
  discard(): void {
    this.pending.clear();
  }
}
