/**
 * The trainer on a `worker_threads` thread, seen from the planner's thread.
 *
 * - The planner never waits for training in live mode: jobs are posted, and each fresh weights snapshot the
 *   worker sends replaces the planner's reference in one assignment, so every prediction reads one complete,
 *   consistent set of weights.
 * - In deterministic mode (replay) nothing is taken up in the background: replies stay queued on the reply port
 *   until `synchronize()`, which asks for a snapshot and blocks (Atomics.wait on a shared counter) until the worker
 *   has answered it — after every job posted before it — then reads the replies with `receiveMessageOnPort`. The
 *   policy calls it at the start of each task, so weights change at the same points on every run and the figures
 *   are identical run to run. (A synchronous wait is needed because a replay runs on a virtual clock, which
 *   refuses to wait on anything but its own timers.)
 * - A job that throws is reported through `onError` and counted; the worker rolls back and goes on, and the
 *   planner keeps its last good weights. A thread that dies is reported the same way, once.
 * - `close()` lets the worker finish its queue, then waits for the thread to exit.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { progressSlot, type TrainerReply, type TrainerRequest, type TrainerWorkerData } from './protocol.js';
import type { Segment } from '../maths/segment.js';
import { warnOnStderr, type Trainer, type TrainerFactory, type TrainerOptions, type TrainerStats } from './trainer.js';
import type { PredictorWeights, TrainerStateData } from './trainer-core.js';

/** Options of the worker trainer. */
export interface WorkerTrainerOptions extends TrainerOptions {
  /** Take up weights only in `synchronize()` (replay), never in the background. Default false (live). */
  deterministic?: boolean;
  /** The longest `synchronize()` or a deterministic export waits for the worker, in milliseconds. Default 60,000. */
  synchronizeTimeoutMs?: number;
  /** How long `close()` waits for the thread to exit before terminating it, in milliseconds. Default 10,000. */
  closeTimeoutMs?: number;
}

/**
 * Starts the worker script beside this file: `worker-entry.js` in `dist/`; `worker-entry.ts` when this module
 * runs from source (tsx, vitest). From source, the bootstrap registers tsx's loader inside the worker before it
 * imports the `.ts` file: on Node 20, `execArgv: ['--import', 'tsx']` runs in the worker but its hooks do not
 * apply to the worker's entry module ("Unknown file extension .ts"). If the script cannot even be loaded, the
 * bootstrap raises the shared `exited` flag, so a deterministic `synchronize()` never waits for a thread that
 * never started.
 */
function startWorker(workerData: TrainerWorkerData, transferList: Array<MessagePort>): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(fromSource ? './worker-entry.ts' : './worker-entry.js', import.meta.url).href;
  const load = fromSource
    ? `import(${JSON.stringify(resolveTsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`
    : `import(${JSON.stringify(script)})`;
  const bootstrap = [
    "const { workerData } = require('node:worker_threads');",
    'const progress = new Int32Array(workerData.progress);',
    `${load}.catch((error) => {`,
    `  Atomics.store(progress, ${progressSlot.exited}, 1);`,
    `  Atomics.notify(progress, ${progressSlot.answered});`,
    '  throw error;',
    '});',
  ].join('\n');
  return new Worker(bootstrap, { eval: true, workerData, transferList });
}

/** Where tsx's loader API lives, resolved from this file (falls back to the bare name, resolved from the cwd). */
function resolveTsxApi(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return 'tsx/esm/api';
  }
}

/** The weights a saved state plans with (copies). */
function weightsOfState(state: TrainerStateData): PredictorWeights {
  const value = Float64Array.from(state.weights);
  if (state.hazard === undefined) return { value };
  return { value, hazard: { survival: Float64Array.from(state.hazard.weights.survival), acceptance: Float64Array.from(state.hazard.weights.acceptance) } };
}

/** A trainer whose training runs on a worker thread. */
export class WorkerTrainer implements Trainer {
  readonly kind = 'worker' as const;
  readonly stats: TrainerStats = { jobsSubmitted: 0, jobsCompleted: 0, trainings: 0, errors: 0 };
  private readonly worker: Worker;
  private readonly replies: MessagePort;
  private readonly progress: Int32Array;
  private readonly deterministic: boolean;
  private readonly onError: (error: Error) => void;
  private readonly synchronizeTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly exports = new Map<number, { resolve: (state: TrainerStateData) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<number>;
  private sequence = 0;
  private weights: PredictorWeights | undefined;
  private gone = false;
  private goneReported = false;
  private closing: Promise<void> | undefined;
  private outstanding = 0;

  constructor(options: WorkerTrainerOptions) {
    this.deterministic = options.deterministic ?? false;
    this.onError = options.onError ?? warnOnStderr;
    this.synchronizeTimeoutMs = options.synchronizeTimeoutMs ?? 60_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    const progressBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.progress = new Int32Array(progressBuffer);
    const channel = new MessageChannel();
    this.replies = channel.port1;
    const workerData: TrainerWorkerData = {
      settings: options.settings,
      pushSnapshots: !this.deterministic,
      replyPort: channel.port2,
      progress: progressBuffer,
    };
    if (options.state !== undefined) workerData.state = options.state;
    if (options.fault !== undefined) workerData.fault = options.fault;
    this.worker = startWorker(workerData, [channel.port2]);
    if (options.state !== undefined && options.state.trainings > 0) this.weights = weightsOfState(options.state);

    this.exited = new Promise<number>((resolve) => {
      this.worker.once('exit', (code) => {
        this.gone = true;
        this.drain();
        if (this.closing === undefined) this.reportGone(`the trainer thread exited unexpectedly (exit code ${code})`);
        this.rejectExports(new Error('the trainer thread is gone'));
        resolve(code);
      });
    });
    this.worker.on('error', (error) => {
      this.reportGone(`the trainer thread crashed: ${error.message}`);
    });
    if (!this.deterministic) {
      this.replies.on('message', (message: TrainerReply) => this.handle(message));
    }
    // Neither the thread nor its port keeps the process alive on its own; `hold` re-refs them while we wait.
    this.worker.unref();
    this.replies.unref();
  }

  submit(segments: readonly Segment[]): void {
    if (this.gone || this.closing !== undefined) return;
    this.stats.jobsSubmitted += 1;
    this.post({ type: 'train', sequence: ++this.sequence, job: this.stats.jobsSubmitted, segments: [...segments] });
  }

  currentWeights(): PredictorWeights | undefined {
    return this.weights;
  }

  synchronize(): void {
    if (!this.gone) {
      const sequence = ++this.sequence;
      this.post({ type: 'snapshot', sequence });
      this.waitFor(sequence);
    }
    this.drain();
  }

  exportState(): Promise<TrainerStateData> {
    if (this.gone) return Promise.reject(new Error('the trainer thread is gone'));
    const sequence = ++this.sequence;
    const promise = new Promise<TrainerStateData>((resolve, reject) => {
      this.exports.set(sequence, { resolve, reject });
    });
    this.hold(1);
    this.post({ type: 'export', sequence });
    if (this.deterministic) {
      this.waitFor(sequence);
      this.drain();
    }
    return promise;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.hold(1);
    try {
      if (!this.gone) {
        const sequence = ++this.sequence;
        this.post({ type: 'close', sequence });
        if (this.deterministic) {
          this.waitFor(sequence);
          this.drain();
        }
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.closeTimeoutMs);
      });
      const outcome = await Promise.race([this.exited, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.report(new Error(`the trainer thread did not exit within ${this.closeTimeoutMs} ms; terminated`));
        await this.worker.terminate();
      }
    } finally {
      this.hold(-1);
      this.replies.close();
    }
  }

  private post(request: TrainerRequest): void {
    this.worker.postMessage(request);
  }

  /** Blocks until the worker has answered request `sequence`, died, or the timeout passed. */
  private waitFor(sequence: number): void {
    const deadline = performance.now() + this.synchronizeTimeoutMs;
    for (;;) {
      const answered = Atomics.load(this.progress, progressSlot.answered);
      if (answered >= sequence) return;
      if (this.gone || Atomics.load(this.progress, progressSlot.exited) === 1) {
        this.reportGone('the trainer thread exited before answering');
        return;
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.report(new Error(`the trainer did not answer within ${this.synchronizeTimeoutMs} ms`));
        return;
      }
      Atomics.wait(this.progress, progressSlot.answered, answered, Math.min(remaining, 250));
    }
  }

  /** Handles every reply already queued on the reply port. */
  private drain(): void {
    for (;;) {
      const received: { message: TrainerReply } | undefined = receiveMessageOnPort(this.replies);
      if (received === undefined) return;
      this.handle(received.message);
    }
  }

  private handle(message: TrainerReply): void {
    switch (message.type) {
      case 'weights':
        // One assignment: a prediction reads either the old snapshot or the new one, never a mix.
        if (message.weights !== undefined) this.weights = message.weights;
        return;
      case 'job-done':
        this.stats.jobsCompleted += 1;
        if (message.trained) this.stats.trainings += 1;
        if (message.error !== undefined) {
          const error = new Error(`training job ${message.job} failed: ${message.error.message}`);
          if (message.error.stack !== undefined) error.stack = message.error.stack;
          this.report(error);
        }
        return;
      case 'state': {
        const pending = this.exports.get(message.sequence);
        this.exports.delete(message.sequence);
        if (pending !== undefined) {
          this.hold(-1);
          pending.resolve(message.state);
        }
        return;
      }
      case 'closed':
        return;
    }
  }

  private report(error: Error): void {
    this.stats.errors += 1;
    this.onError(error);
  }

  private reportGone(message: string): void {
    this.gone = true;
    if (this.goneReported) return;
    this.goneReported = true;
    this.report(new Error(message));
  }

  private rejectExports(error: Error): void {
    for (const pending of this.exports.values()) {
      this.hold(-1);
      pending.reject(error);
    }
    this.exports.clear();
  }

  /** Keeps the process alive while the planner awaits the worker (exports, close). */
  private hold(delta: number): void {
    const before = this.outstanding;
    this.outstanding += delta;
    if (before === 0 && this.outstanding > 0) {
      this.worker.ref();
      this.replies.ref();
    } else if (before > 0 && this.outstanding === 0) {
      this.worker.unref();
      this.replies.unref();
    }
  }
}

/** A `TrainerFactory` of worker trainers with these options (each call starts a thread). */
export function workerTrainerFactory(options: Omit<WorkerTrainerOptions, 'settings' | 'state'> = {}): TrainerFactory {
  return (settings, initialState) => new WorkerTrainer({ ...options, settings, ...(initialState === undefined ? {} : { state: initialState }) });
}
