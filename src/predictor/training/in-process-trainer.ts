/** The in-process trainer: trains synchronously on the calling thread, with the same maths as the worker. */
import type { Segment } from '../maths/segment.js';
import {
  runTrainingJob,
  warnOnStderr,
  type Trainer,
  type TrainerFactory,
  type TrainerFault,
  type TrainerOptions,
  type TrainerStats,
} from './trainer.js';
import { TrainerCore, type PredictorWeights, type TrainerStateData } from './trainer-core.js';

/** Trains synchronously on the calling thread, with the same maths as the worker. For tests and benchmarks. */
export class InProcessTrainer implements Trainer {
  readonly kind = 'in-process' as const;
  readonly stats: TrainerStats = { jobsSubmitted: 0, jobsCompleted: 0, trainings: 0, errors: 0 };
  private readonly core: TrainerCore;
  private readonly onError: (error: Error) => void;
  private readonly fault: TrainerFault | undefined;
  private weights: PredictorWeights | undefined;
  private closed = false;

  constructor(options: TrainerOptions) {
    this.core = new TrainerCore(options.settings, options.state);
    this.onError = options.onError ?? warnOnStderr;
    this.fault = options.fault;
    if (options.state !== undefined && options.state.trainings > 0) this.weights = this.core.snapshotWeights();
  }

  submit(segments: readonly Segment[]): void {
    if (this.closed) return;
    this.stats.jobsSubmitted += 1;
    try {
      if (runTrainingJob(this.core, segments, this.stats.jobsSubmitted, this.fault)) {
        this.weights = this.core.snapshotWeights();
        this.stats.trainings += 1;
      }
    } catch (error) {
      this.stats.errors += 1;
      this.onError(error as Error);
    } finally {
      this.stats.jobsCompleted += 1;
    }
  }

  currentWeights(): PredictorWeights | undefined {
    return this.weights;
  }

  synchronize(): void {
    // Jobs run inside `submit`: there is never anything to wait for.
  }

  exportState(): Promise<TrainerStateData> {
    return Promise.resolve(this.core.exportState());
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A `TrainerFactory` of in-process trainers: no thread, no I/O; failures go to `onError` (default: stderr). */
export function inProcessTrainerFactory(options: Pick<TrainerOptions, 'onError' | 'fault'> = {}): TrainerFactory {
  return (settings, initialState) => new InProcessTrainer({ ...options, settings, ...(initialState === undefined ? {} : { state: initialState }) });
}
