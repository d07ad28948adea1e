/**
 * `createDspPolicy`: the `dsp` policy wired with its real adapters — the worker-thread trainer (or the in-process
 * one) and, with a `statePath`, the file state store. The policy itself (`policy/dsp-policy.ts`) does no I/O; this
 * is where the predictor's parts meet.
 */
import { featureDimension } from './maths/features.js';
import { loadBuiltinPrior } from './persistence/builtin-prior.js';
import { FileStateStore } from './persistence/file-state-store.js';
import { priorTrainerState, type PredictorPrior } from './persistence/prior.js';
import { DspPolicy } from './policy/dsp-policy.js';
import { parseDspOptions } from './policy/dsp-settings.js';
import { linearModelDescription } from './policy/predictor-state.js';
import { inProcessTrainerFactory } from './training/in-process-trainer.js';
import type { TrainerFactory, TrainerFault } from './training/trainer.js';
import type { TrainerStateData } from './training/trainer-core.js';
import { workerTrainerFactory } from './training/worker-trainer.js';

/** How to run a `dsp` policy (everything that is not a learning knob). */
export interface DspRuntimeOptions {
  /** Seed of the trainer's sampling. Default 1. */
  seed?: number;
  /**
   * `worker` (default) trains on a worker thread; `in-process` trains synchronously on this thread; or a
   * `TrainerFactory` that builds any `Trainer` (e.g. a recording one in tests; `onError` and `fault` are then its own).
   */
  trainer?: 'worker' | 'in-process' | TrainerFactory;
  /**
   * Take up new weights only at task starts, after every submitted job is done (default true: replays must be
   * reproducible). Live runs pass false: planning then never waits for training.
   */
  deterministic?: boolean;
  /** A learned state file to load now (if it exists) and save on `close()`, written atomically. */
  statePath?: string;
  /** Called with every trainer failure. Default: a warning on stderr. */
  onError?: (error: Error) => void;
  /** A trainer fault to inject (tests only). */
  fault?: TrainerFault;
  /** Bits of the hashed feature block. Default 14. */
  hashBits?: number;
  /** The longest a deterministic synchronization waits for the worker, in milliseconds. Default 60,000. */
  synchronizeTimeoutMs?: number;
  /** The prior `dsp:prior=builtin` starts from. Default: the one shipped in `data/prior/` (evaluations pass others). */
  prior?: PredictorPrior;
}

/**
 * Builds the `dsp` policy from a parsed spec (`{ name, options }`), with the worker-thread trainer unless `trainer`
 * says otherwise, and the file store at `statePath` when given (loaded now if the file exists, saved on `close()`).
 * Throws `InvalidInputError` for an unknown or out-of-range option, `CorruptStateError` for an unusable state file.
 */
export function createDspPolicy(
  spec: { name: string; options: Readonly<Record<string, number>> },
  runtime: DspRuntimeOptions = {},
): DspPolicy {
  const settings = parseDspOptions(spec.options);
  const deterministic = runtime.deterministic ?? true;
  let start: { trainer: TrainerStateData; statistics: { accepted: number; judged: number } } | undefined;
  if (settings.prior === 'builtin') {
    const prior = runtime.prior ?? loadBuiltinPrior(linearModelDescription(featureDimension(runtime.hashBits)));
    start = { trainer: priorTrainerState(prior, runtime.seed ?? 1), statistics: { ...prior.statistics } };
  }
  return new DspPolicy(spec.name, settings, {
    createTrainer: trainerFactoryOf(runtime, deterministic),
    ...(runtime.statePath === undefined ? {} : { stateStore: new FileStateStore(runtime.statePath) }),
    ...(runtime.seed === undefined ? {} : { seed: runtime.seed }),
    ...(runtime.hashBits === undefined ? {} : { hashBits: runtime.hashBits }),
    ...(start === undefined ? {} : { start }),
    deterministic,
  });
}

function trainerFactoryOf(runtime: DspRuntimeOptions, deterministic: boolean): TrainerFactory {
  if (typeof runtime.trainer === 'function') return runtime.trainer;
  const reporting = {
    ...(runtime.onError === undefined ? {} : { onError: runtime.onError }),
    ...(runtime.fault === undefined ? {} : { fault: runtime.fault }),
  };
  if (runtime.trainer === 'in-process') return inProcessTrainerFactory(reporting);
  return workerTrainerFactory({
    ...reporting,
    deterministic,
    ...(runtime.synchronizeTimeoutMs === undefined ? {} : { synchronizeTimeoutMs: runtime.synchronizeTimeoutMs }),
  });
}
