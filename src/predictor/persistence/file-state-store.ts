/**
 * The file adapter of the predictor's state store: one `dsp-predictor-state/1` file (`state-codec.ts`), read when
 * the policy is built and written atomically (temporary file, fsync, rename) when it closes. A file that cannot be
 * read as a compatible state raises `CorruptStateError` naming the file; the policy is then never built, so the file
 * is never overwritten.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { readTextFile } from '../../io/read-text.js';
import type { PredictorModelDescription, PredictorSnapshot, PredictorStateStore } from '../policy/predictor-state.js';
import { parsePredictorState, serializePredictorState } from './state-codec.js';

/** Loads a saved state, or returns undefined when `path` does not exist (a fresh start). */
export function loadPredictorState(path: string, expected: PredictorModelDescription): PredictorSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  return parsePredictorState(readTextFile(path), path, expected);
}

/** Saves a state atomically: a reader sees the old file or the new one, never half of either. */
export function savePredictorState(path: string, snapshot: PredictorSnapshot): void {
  writeFileAtomic(path, serializePredictorState(snapshot));
}

/** The learned state in one file at `path` (absent until the first save). */
export class FileStateStore implements PredictorStateStore {
  /** The state file. */
  readonly location: string;

  constructor(path: string) {
    this.location = path;
  }

  load(expected: PredictorModelDescription): PredictorSnapshot | undefined {
    return loadPredictorState(this.location, expected);
  }

  save(snapshot: PredictorSnapshot): void {
    savePredictorState(this.location, snapshot);
  }
}
