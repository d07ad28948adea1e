/**
 * The in-memory adapter of the predictor's state store: the state kept as the text a file would hold, so a load
 * makes the same checks as the file store's and a loaded state shares no array with the one saved. For tests, and
 * for carrying what a policy learned to the next one in the same process.
 */
import type { PredictorModelDescription, PredictorSnapshot, PredictorStateStore } from '../policy/predictor-state.js';
import { parsePredictorState, serializePredictorState } from './state-codec.js';

/** A state store that keeps the state in this process. */
export class MemoryStateStore implements PredictorStateStore {
  readonly location: string;
  private saved: string | undefined;

  /** `text`: a saved state to start from (`dsp-predictor-state/1` JSON); `location` names the store in errors. */
  constructor(options: { text?: string; location?: string } = {}) {
    this.location = options.location ?? 'memory';
    this.saved = options.text;
  }

  /** The saved state as `dsp-predictor-state/1` text, or undefined before the first save. */
  get text(): string | undefined {
    return this.saved;
  }

  load(expected: PredictorModelDescription): PredictorSnapshot | undefined {
    return this.saved === undefined ? undefined : parsePredictorState(this.saved, this.location, expected);
  }

  save(snapshot: PredictorSnapshot): void {
    this.saved = serializePredictorState(snapshot);
  }
}
