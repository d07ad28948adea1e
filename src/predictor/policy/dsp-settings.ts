/**
 * The `dsp` policy's settings: the knobs and learning hyperparameters, their defaults, the keys of a `dsp:` spec
 * (`dsp:tau=0.7,beta=1`), the two rules that turn a prediction into a k, and which k = 0 rounds guess anyway
 * (`explore`).
 */
import { InvalidInputError } from '../../core/errors.js';
import { hashText, seededRandom } from '../../core/rng.js';
import type { Bootstrap } from '../maths/returns.js';
import type { TrainerSettings } from '../training/trainer-core.js';

/** The policy's knobs and learning hyperparameters. */
export interface DspSettings {
  /** Expectile τ in (0, 1): > 0.5 leans to larger k (faster, costlier). Spec key `tau`. Default 0.5. */
  tau: number;
  /** Whole-number offset added after rounding (may be negative). Spec key `beta`. Default 0. */
  beta: number;
  /** The largest k this policy chooses (the engine's kMax also applies). Spec key `kmax`. Default 8. */
  kMax: number;
  /** λ of the λ-return, in [0, 1]. Spec key `lambda`. Default 0.95. */
  lambda: number;
  /** Adam step size. Spec key `lr`. Default 0.05. */
  learningRate: number;
  /** Epochs per training run. Spec key `epochs`. Default 3. */
  epochs: number;
  /** States per minibatch and the fewest buffered before training. Spec key `batch`. Default 16. */
  batchSize: number;
  /**
   * k until the first training. Spec key `cold`. Default (undefined): `clamp(2 + β, 1, kMax)`, so an
   * aggressive or a thrifty setting is already so before the first training.
   */
  coldK: number | undefined;
  /**
   * The smallest k the policy answers once trained: 1 (the paper's clamp) or 0, which lets the policy skip A when it
   * predicts a break at the very next step (a k = 1 round is a sequential step plus an A call that only teaches the
   * predictor). Spec key `kmin`. Default 1.
   */
  kMin: number;
  /**
   * With `kmin` 0: the share of the rounds the trained rule answers k = 0 in which the policy makes one guess anyway
   * (k = 1: T computes the step as without a guess, A's guess costs one A call and T judges it, so the state is
   * learned from). Which rounds is decided by a hash of the seed, the task id and the step, so a replay explores the
   * same rounds run to run. In [0, 1]; no effect with `kmin` 1. Spec key `explore`. Default 0.
   */
  explore: number;
  /** Replay buffer capacity in steps. Spec key `capacity`. Default 2,500. */
  bufferCapacity: number;
  /** States sampled per epoch. Spec key `sample`. Default 128. */
  sampleSteps: number;
  /** `current` bootstraps the λ-return from V(s_j), as the authors' code did (spec key `authors=1`). Default `next`. */
  bootstrap: Bootstrap;
  /**
   * Threshold θ of the acceptance gate (our extension, see acceptance-gate.ts): within a round, speculate past a
   * guess only while P(all unverified guesses are right) ≥ θ. 0 = off (the paper's DSP). Spec key `gate`.
   */
  gate: number;
  /**
   * The economic policy (our extension): the user's value of an hour of end-to-end latency, USD. When set (> 0), k
   * and the per-guess go-on decisions come from the hazard heads and the observed call costs (see economics.ts), not
   * from V̂, τ and β. Spec key `value`. Default 0 (off: the paper's τ/β rule).
   */
  valueUsdPerHour: number;
  /**
   * What the policy starts from when no saved state is loaded: `none` (empty, the paper's cold start) or `builtin`
   * (the prior shipped with the package, trained on the embedded suites; our extension). Spec key `prior`
   * (`dsp:prior=builtin`). Default `none`.
   */
  prior: 'none' | 'builtin';
}

/** Defaults of the `dsp` policy. */
export const dspDefaults: Readonly<DspSettings> = {
  tau: 0.5,
  beta: 0,
  kMax: 8,
  lambda: 0.95,
  learningRate: 0.05,
  epochs: 3,
  batchSize: 16,
  coldK: undefined,
  kMin: 1,
  explore: 0,
  bufferCapacity: 2500,
  sampleSteps: 128,
  bootstrap: 'next',
  gate: 0,
  valueUsdPerHour: 0,
  prior: 'none',
};

type OptionRule = { describe: string; apply: (settings: DspSettings, value: number) => string | undefined };

const wholeAtLeast = (minimum: number, value: number): string | undefined =>
  Number.isInteger(value) && value >= minimum ? undefined : `a whole number ≥ ${minimum}`;

/** The keys a `dsp:` spec accepts, with what they set. */
export const dspOptionRules: Readonly<Record<string, OptionRule>> = {
  tau: {
    describe: 'expectile τ in (0, 1)',
    apply: (settings, value) => (value > 0 && value < 1 ? void (settings.tau = value) : 'a number strictly between 0 and 1'),
  },
  beta: {
    describe: 'whole-number offset added to k',
    apply: (settings, value) => (Number.isInteger(value) ? void (settings.beta = value) : 'a whole number'),
  },
  kmax: { describe: 'largest k', apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.kMax = value) },
  lambda: {
    describe: 'λ of the λ-return in [0, 1]',
    apply: (settings, value) => (value >= 0 && value <= 1 ? void (settings.lambda = value) : 'a number from 0 to 1'),
  },
  lr: {
    describe: 'Adam step size',
    apply: (settings, value) => (value > 0 && value <= 10 ? void (settings.learningRate = value) : 'a number in (0, 10]'),
  },
  epochs: { describe: 'epochs per training run', apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.epochs = value) },
  batch: { describe: 'minibatch size', apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.batchSize = value) },
  kmin: {
    describe: 'smallest k once trained, 0 or 1',
    apply: (settings, value) => (value === 0 || value === 1 ? void (settings.kMin = value) : '0 or 1'),
  },
  explore: {
    describe: 'with kmin=0: share of k = 0 rounds that make one guess anyway, in [0, 1]',
    apply: (settings, value) => (value >= 0 && value <= 1 ? void (settings.explore = value) : 'a number from 0 to 1'),
  },
  cold: {
    describe: 'k before the first training (default 2 + beta)',
    apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.coldK = value),
  },
  capacity: {
    describe: 'replay buffer capacity in steps',
    apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.bufferCapacity = value),
  },
  sample: { describe: 'states sampled per epoch', apply: (settings, value) => wholeAtLeast(1, value) ?? void (settings.sampleSteps = value) },
  gate: {
    describe: 'acceptance-gate threshold θ in [0, 1), 0 = off',
    apply: (settings, value) => (value >= 0 && value < 1 ? void (settings.gate = value) : 'a number from 0 up to (not including) 1'),
  },
  value: {
    describe: 'economic policy: value of an hour of latency in USD (0 = off)',
    apply: (settings, value) => (value >= 0 ? void (settings.valueUsdPerHour = value) : 'a number ≥ 0 (USD per hour)'),
  },
  prior: {
    describe: 'what to start from: none (empty) or builtin (the shipped prior)',
    apply: (settings, value) => (value === 0 || value === 1 ? void (settings.prior = value === 1 ? 'builtin' : 'none') : 'builtin or none'),
  },
  authors: {
    describe: "1 = bootstrap from V(s_j) as the authors' code did",
    apply: (settings, value) =>
      value === 0 || value === 1 ? void (settings.bootstrap = value === 1 ? 'current' : 'next') : '0 or 1',
  },
};

/** Reads the options of a `dsp:` spec. Throws `InvalidInputError` naming the valid keys for an unknown key. */
export function parseDspOptions(options: Readonly<Record<string, number>>, source = 'dsp options'): DspSettings {
  const settings: DspSettings = { ...dspDefaults };
  const valid = Object.keys(dspOptionRules);
  for (const [key, value] of Object.entries(options)) {
    const rule = dspOptionRules[key];
    if (rule === undefined) {
      throw new InvalidInputError(
        `unknown dsp option "${key}"; valid options: ${valid.map((name) => `${name} (${dspOptionRules[name]!.describe})`).join(', ')}`,
        { source },
      );
    }
    const problem = rule.apply(settings, value);
    if (problem !== undefined) throw new InvalidInputError(`dsp option ${key}=${value}: expected ${problem}`, { source });
  }
  return settings;
}

/** The k the policy answers before its first training: `cold`, or `2 + β`, clamped to [1, kmax] (never 0: it must learn). */
export function coldStartK(settings: Readonly<DspSettings>): number {
  const k = settings.coldK ?? 2 + settings.beta;
  return Math.max(1, Math.min(k, settings.kMax));
}

/** The k of a trained policy for a predicted value: `clamp(round(V̂) + β, kmin, kmax)` (spec §4, kmin = 1). */
export function kFromValue(settings: Readonly<DspSettings>, value: number): number {
  return Math.max(settings.kMin, Math.min(Math.round(value) + settings.beta, settings.kMax));
}

/**
 * Whether a round the trained rule answered k = 0 makes one guess anyway (`explore`): true in a share `explore` of
 * rounds, chosen by a hash of the seed, the task id and the round's first step (0-based), so the same run explores
 * the same rounds whatever happened before them.
 */
export function exploresRound(explore: number, seed: number, taskId: string, step: number): boolean {
  if (explore <= 0) return false;
  if (explore >= 1) return true;
  return seededRandom(hashText(`${seed}\u0000${taskId}\u0000${step}`))() < explore;
}

/** The trainer's part of the policy's settings, for a model of `dimension` weights. */
export function trainerSettingsOf(settings: Readonly<DspSettings>, dimension: number, seed: number): TrainerSettings {
  return {
    dimension,
    tau: settings.tau,
    lambda: settings.lambda,
    bootstrap: settings.bootstrap,
    learningRate: settings.learningRate,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    bufferCapacity: settings.bufferCapacity,
    sampleSteps: settings.sampleSteps,
    seed,
    hazard: settings.valueUsdPerHour > 0,
    hazardHorizon: settings.kMax,
  };
}
