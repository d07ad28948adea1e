/**
 * The trainer interface the DSP policy plans with. Two implementations run the same `TrainerCore` maths: the
 * in-process trainer (`in-process-trainer.ts`, synchronous, no thread) and the worker trainer (`worker-trainer.ts`,
 * a `worker_threads` thread; `worker-entry.ts` is the script that runs inside it).
 *
 * Contract: `submit` never blocks on training in live use; `currentWeights` returns a complete snapshot that is
 * never mutated afterwards (a new snapshot replaces the reference); `synchronize` waits until every submitted job
 * is done and its weights are taken up — the deterministic points of a replay; a failed job is reported through
 * `onError`, counted, and leaves the last good weights in place.
 */
import { describeCause } from '../../core/errors.js';
import type { Segment } from '../maths/segment.js';
import type { PredictorWeights, TrainerCore, TrainerSettings, TrainerStateData } from './trainer-core.js';

/** Counters of a trainer, for reports and tests. */
export interface TrainerStats {
  /** Jobs (one per break) submitted. */
  jobsSubmitted: number;
  /** Jobs finished, failed ones included. */
  jobsCompleted: number;
  /** Training runs that produced new weights. */
  trainings: number;
  /** Jobs or trainer threads that failed. */
  errors: number;
}

/** A fault to inject, for tests of the failure path: job number `job` (1-based) throws, or kills the thread. */
export interface TrainerFault {
  job: number;
  kind: 'throw' | 'exit';
}

/** Trains the value model on closed segments. */
export interface Trainer {
  /** `in-process` or `worker`. */
  readonly kind: 'in-process' | 'worker';
  /** Queues one job: add the segments to the replay buffer, then train if the buffer holds a batch. */
  submit(segments: readonly Segment[]): void;
  /** The newest weights taken up, or undefined before the first training. Never blocks. */
  currentWeights(): PredictorWeights | undefined;
  /** Blocks until every submitted job is done and takes up the newest weights (the deterministic points of a replay). */
  synchronize(): void;
  /** Everything learned so far (after the jobs submitted before the call). */
  exportState(): Promise<TrainerStateData>;
  /** Finishes the queued jobs and releases the trainer. Idempotent. */
  close(): Promise<void>;
  /** Counters. */
  readonly stats: TrainerStats;
}

/**
 * Builds the trainer a policy learns with, from the trainer settings (the sampling seed among them) and the learned
 * state to start from (undefined: start empty). The policy calls it once, in its constructor.
 */
export type TrainerFactory = (settings: TrainerSettings, initialState: TrainerStateData | undefined) => Trainer;

/** Options common to every trainer. */
export interface TrainerOptions {
  settings: TrainerSettings;
  /** A learned state to start from. */
  state?: TrainerStateData;
  /** Called with every failure of a job or of the trainer thread. Default: a warning on stderr. */
  onError?: (error: Error) => void;
  /** A fault to inject (tests only). */
  fault?: TrainerFault;
}

/** The default `onError`: one line on stderr, so a failure is never silent. */
export function warnOnStderr(error: Error): void {
  process.stderr.write(`dsp: predictor trainer failed: ${error.message} (planning goes on with the last good weights)\n`);
}

/** Runs one job on a core, rolling back on failure. Returns whether it trained. Shared by both trainers. */
export function runTrainingJob(core: TrainerCore, segments: readonly Segment[], jobNumber: number, fault: TrainerFault | undefined): boolean {
  const checkpoint = core.checkpoint();
  try {
    core.addSegments(segments);
    const report = core.train();
    if (fault !== undefined && fault.job === jobNumber) {
      throw new Error(`injected trainer fault at job ${jobNumber}`);
    }
    return report.trained;
  } catch (error) {
    core.restore(checkpoint);
    throw error instanceof Error ? error : new Error(describeCause(error));
  }
}
