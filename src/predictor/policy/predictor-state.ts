/**
 * What the policy saves of what it learned, and the port it saves through. The policy only ever talks to a
 * `PredictorStateStore`; where the state lives (a file, memory) is the store's business
 * (`persistence/file-state-store.ts`, `persistence/memory-state-store.ts`).
 */
import { featurizerVersion } from '../maths/features.js';
import type { TrainerStateData } from '../training/trainer-core.js';
import type { ConfidenceRecordData } from './confidence-record.js';

/** What the saved numbers mean: a state is loadable only by a predictor with the same model description. */
export interface PredictorModelDescription {
  /** Model family. */
  kind: 'linear';
  /** Number of weights. */
  dimension: number;
  /** Version of the featurizer that defined the feature slots. */
  featurizerVersion: number;
}

/** Everything saved. */
export interface PredictorSnapshot {
  model: PredictorModelDescription;
  trainer: TrainerStateData;
  /** A's guesses accepted and judged over every task seen: the overall acceptance rate feature. */
  statistics: { accepted: number; judged: number };
  /** The policy settings in force when saved (informative; not checked on load). */
  settings?: Record<string, number | string>;
  /** The acceptance gate's weights and the number of guesses it has learned from (absent: no gate learned yet). */
  gate?: { weights: Float64Array; judged: number };
  /** How A's confidence ranked the guesses judged so far (absent: no guess has carried a confidence yet). */
  confidence?: ConfidenceRecordData;
}

/**
 * Where a policy's learned state is kept between runs. The policy loads once, in its constructor, and saves once,
 * in `close()`.
 */
export interface PredictorStateStore {
  /** Where the state lives, as named in errors (a file path, or a label such as `memory`). */
  readonly location: string;
  /**
   * The saved state, or undefined when nothing has been saved yet (a fresh start). Throws `CorruptStateError` when
   * what is saved is damaged or was made for another model than `expected`.
   */
  load(expected: PredictorModelDescription): PredictorSnapshot | undefined;
  /** Replaces the saved state; a reader sees the old state or the new one, never a mix. */
  save(snapshot: PredictorSnapshot): void;
}

/** The model description of a linear predictor of `dimension` weights with the current featurizer. */
export function linearModelDescription(dimension: number): PredictorModelDescription {
  return { kind: 'linear', dimension, featurizerVersion };
}
