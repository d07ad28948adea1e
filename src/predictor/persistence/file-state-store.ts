/**
 * The file adapter of the predictor's state store: one `dsp-predictor-state/1` file (`state-codec.ts`), read when
 * the policy is built and written atomically (temporary file, fsync, rename) when it closes. A file that cannot be
 * read as a compatible state raises `CorruptStateError` naming the file; the policy is then never built, so the file
 * is never overwritten.
 *
 * Learning is read, extended and written back: two processes doing that to one file at once would each write
 * their own learning over the other's. So the file is locked (`io/file-lock.ts`, a `FILE.lock` beside it) from the
 * load to the save, and a command takes the same lock for its whole run (`lockPredictorState`), so that a second
 * run is refused at its start, naming the first, rather than losing its updates.
 */
import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { acquireFileLock, type AcquireFileLockOptions, type FileLock } from '../../io/file-lock.js';
import { readTextFile } from '../../io/read-text.js';
import type { PredictorModelDescription, PredictorSnapshot, PredictorStateStore } from '../policy/predictor-state.js';
import { parsePredictorState, serializePredictorState } from './state-codec.js';

/** Loads a saved state, or returns undefined when `path` does not exist (a fresh start). Takes no lock. */
export function loadPredictorState(path: string, expected: PredictorModelDescription): PredictorSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  return parsePredictorState(readTextFile(path), path, expected);
}

/** Saves a state atomically: a reader sees the old file or the new one, never half of either. Takes no lock. */
export function savePredictorState(path: string, snapshot: PredictorSnapshot): void {
  writeFileAtomic(path, serializePredictorState(snapshot));
}

/**
 * Locks the state file at `path` for this process until `release()` (or the process's exit): another process's
 * `FileStateStore` on it, or its own `lockPredictorState`, is then refused with `FileLockedError` naming this one.
 * A lock left by a process that is gone is taken over, with `onWarning`.
 */
export function lockPredictorState(path: string, options: AcquireFileLockOptions = {}): FileLock {
  return acquireFileLock(path, options);
}

/**
 * The learned state in one file at `path` (absent until the first save). `load` locks the file and `save` releases
 * it (see the module's comment); a policy whose save never comes holds the lock until the process exits.
 */
export class FileStateStore implements PredictorStateStore {
  /** The state file. */
  readonly location: string;
  private lock: FileLock | undefined;

  constructor(path: string, private readonly lockOptions: AcquireFileLockOptions = {}) {
    this.location = path;
  }

  load(expected: PredictorModelDescription): PredictorSnapshot | undefined {
    this.lock ??= acquireFileLock(this.location, this.lockOptions);
    try {
      return loadPredictorState(this.location, expected);
    } catch (error) {
      this.releaseLock();
      throw error;
    }
  }

  save(snapshot: PredictorSnapshot): void {
    // A save without a load (a store used only to write) takes the lock for the write.
    this.lock ??= acquireFileLock(this.location, this.lockOptions);
    try {
      savePredictorState(this.location, snapshot);
    } finally {
      this.releaseLock();
    }
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = undefined;
  }
}
