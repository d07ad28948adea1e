/** Builds any policy from its spec, the learned `dsp` policy included. */
import { createDspPolicy, parseDspOptions } from '../predictor/index.js';
import type { KPolicy } from '../core/policy.js';
import { createBasicPolicy, type PolicyContext, type PolicySpec } from '../policies/registry.js';

/** Options shared by learning policies. */
export interface CreatePolicyOptions {
  /** Seed of a learning policy's trainer. Default 1. */
  seed?: number;
  /** A `dsp` policy loads its learned state from this file (when it exists) and saves it there on close. */
  predictorStatePath?: string;
  /** Where a `dsp` policy trains: a worker thread (default) or this thread. */
  trainer?: 'worker' | 'in-process';
  /**
   * Whether a `dsp` policy takes up new weights only at task starts (default true, for reproducible replays).
   * Live runs pass false so that planning never waits for training.
   */
  deterministic?: boolean;
  /** Called with every trainer failure of a `dsp` policy. Default: a warning on stderr. */
  onTrainerError?: (error: Error) => void;
}

/** Builds a policy. A `dsp` policy owns a trainer: call its `close()` when done (replaySuite does). */
export function createPolicy(spec: PolicySpec, context: PolicyContext = {}, options: CreatePolicyOptions = {}): KPolicy {
  if (spec.kind === 'dsp') {
    return createDspPolicy(spec, {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.predictorStatePath === undefined ? {} : { statePath: options.predictorStatePath }),
      ...(options.trainer === undefined ? {} : { trainer: options.trainer }),
      ...(options.deterministic === undefined ? {} : { deterministic: options.deterministic }),
      ...(options.onTrainerError === undefined ? {} : { onError: options.onTrainerError }),
    });
  }
  return createBasicPolicy(spec, context);
}

/**
 * Checks what can be checked before running: the options of every `dsp` spec. Throws `InvalidInputError` naming
 * `source` (default `policy spec`; a command passes its option, e.g. `--policies`).
 */
export function validatePolicySpecs(specs: readonly PolicySpec[], source = 'policy spec'): void {
  for (const spec of specs) if (spec.kind === 'dsp') parseDspOptions(spec.options, source);
}
