/**
 * A segment (spec §4): the states of one task from one break to the next, each keyed by its step number, and the
 * break step that closes it. The label of the state at step `j` is `breakStep − j + 1`: the number of steps from
 * that state up to and including the break.
 */
import type { SparseVector } from './features.js';

/** One closed segment, ready for the replay buffer. */
export interface Segment {
  /** 1-based step numbers of the labelled states, strictly ascending, all ≤ `breakStep`. */
  steps: number[];
  /** The feature vectors of those states, same order. */
  features: SparseVector[];
  /** The step at which A failed (or the plan ended): the last step of the segment. */
  breakStep: number;
  /**
   * The same states with A's guess at each (the acceptance head's input, `PredictorState.guess`), same order as
   * `steps`. Present only when the policy trains the hazard heads (`dsp:value=…`).
   */
  guessFeatures?: SparseVector[];
}

/** The label `k_j = m − j + 1` of every state of a segment, same order as `segment.steps`. */
export function segmentLabels(segment: Segment): number[] {
  return segment.steps.map((step) => segment.breakStep - step + 1);
}
