/**
 * The learned `dsp` k-policy (spec §3–§4): predicts V̂(s), the number of steps up to and including the next break,
 * and answers `k = clamp(round(V̂) + β, kmin, kMax)` (kmin = 1 unless set to 0), or the cold-start k until the first
 * training. It sees only what a live run sees: the task text, the committed plan, its own rounds' outcomes, and what
 * it learned earlier.
 *
 * Planning is synchronous and fast (a featurization and a dot product); learning happens in a `Trainer`, by
 * default on a worker thread. In `deterministic` mode (the default; what replays need) the policy takes up new
 * weights only at the start of a task, after the trainer has finished every job submitted so far, so replay
 * figures are identical run to run. In live mode it never waits and uses the newest weights the trainer sent.
 */
import { canonicalAction } from '../../core/actions.js';
import type { Action, RoundRecord, TaskInput, TaskResult } from '../../core/types.js';
import { AcceptanceGate, gateDefaults, type GuessContext } from './acceptance-gate.js';
import { CorruptStateError, describeCause, DspError, InvalidInputError } from '../../core/errors.js';
import type { KPolicy, RoundState } from '../../core/policy.js';
import { Featurizer, type PredictorState, type SparseVector, type StepOutcome } from '../maths/features.js';
import { readRound, SegmentBuilder } from '../maths/labels.js';
import { predictValue } from '../maths/model.js';
import { linearModelDescription, loadPredictorState, savePredictorState, type PredictorSnapshot } from '../persistence/state-codec.js';
import type { Bootstrap } from '../maths/returns.js';
import { InProcessTrainer, type Trainer, type TrainerFault, type TrainerOptions, type TrainerStats } from '../training/trainer.js';
import type { TrainerSettings } from '../training/trainer-core.js';
import { WorkerTrainer } from '../training/worker-trainer.js';

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
  bufferCapacity: 2500,
  sampleSteps: 128,
  bootstrap: 'next',
  gate: 0,
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
  authors: {
    describe: "1 = bootstrap from V(s_j) as the authors' code did",
    apply: (settings, value) =>
      value === 0 || value === 1 ? void (settings.bootstrap = value === 1 ? 'current' : 'next') : '0 or 1',
  },
};

/** Reads the options of a `dsp:` spec. Throws `InvalidInputError` naming the valid keys for an unknown key. */
export function parseDspOptions(options: Readonly<Record<string, number>>, source = '--policies'): DspSettings {
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
  };
}

/** How to run a `dsp` policy (everything that is not a learning knob). */
export interface DspRuntimeOptions {
  /** Seed of the trainer's sampling. Default 1. */
  seed?: number;
  /**
   * `worker` (default) trains on a worker thread; `in-process` trains synchronously on this thread; or a function
   * that builds any `Trainer` from the trainer options (e.g. a recording one in tests).
   */
  trainer?: 'worker' | 'in-process' | ((options: TrainerOptions) => Trainer);
  /**
   * Take up new weights only at task starts, after every submitted job is done (default true: replays must be
   * reproducible). Live runs pass false: planning then never waits for training.
   */
  deterministic?: boolean;
  /** A learned state to load now (if the file exists) and save on `close()`. */
  statePath?: string;
  /** Called with every trainer failure. Default: a warning on stderr. */
  onError?: (error: Error) => void;
  /** A trainer fault to inject (tests only). */
  fault?: TrainerFault;
  /** Bits of the hashed feature block. Default 14. */
  hashBits?: number;
  /** The longest a deterministic synchronization waits for the worker, in milliseconds. Default 60,000. */
  synchronizeTimeoutMs?: number;
}

/** Builds the `dsp` policy from a parsed spec (`{ name, options }`). Loads `statePath` when given and present. */
export function createDspPolicy(
  spec: { name: string; options: Readonly<Record<string, number>> },
  runtime: DspRuntimeOptions = {},
): DspPolicy {
  return new DspPolicy(spec.name, parseDspOptions(spec.options), runtime);
}

/** The settings with a value (an unset `cold` is left out), as saved with the learned state. */
function definedSettings(settings: Readonly<DspSettings>): Record<string, number | string> {
  const defined: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(settings) as Array<[string, number | string | undefined]>) {
    if (value !== undefined) defined[key] = value;
  }
  return defined;
}

/** Per-task view of the plan, kept in step with the engine's `RoundState`. */
interface TaskView {
  text: string;
  history: string[];
  outcomes: StepOutcome[];
  rounds: number;
}

/** The learned k-policy. */
export class DspPolicy implements KPolicy {
  readonly name: string;
  readonly settings: Readonly<DspSettings>;
  private readonly featurizer: Featurizer;
  private readonly trainer: Trainer;
  private readonly deterministic: boolean;
  private readonly statePath: string | undefined;
  private readonly segment = new SegmentBuilder();
  private readonly gate: AcceptanceGate;
  private readonly keepGate: boolean;
  private weights: Float64Array | undefined;
  private overallAccepted = 0;
  private overallJudged = 0;
  private view: TaskView = { text: '', history: [], outcomes: [], rounds: 0 };
  private roundStart: { round: number; features: SparseVector } | undefined;
  private closed: Promise<void> | undefined;

  constructor(name: string, settings: DspSettings, runtime: DspRuntimeOptions = {}) {
    this.name = name;
    this.settings = settings;
    this.deterministic = runtime.deterministic ?? true;
    this.statePath = runtime.statePath;
    this.featurizer = runtime.hashBits === undefined ? new Featurizer() : new Featurizer({ hashBits: runtime.hashBits });
    const loaded = this.statePath === undefined ? undefined : loadPredictorState(this.statePath, this.modelDescription());
    if (loaded !== undefined) {
      this.overallAccepted = loaded.statistics.accepted;
      this.overallJudged = loaded.statistics.judged;
    }
    if (loaded?.gate !== undefined && loaded.gate.weights.length !== 1 << gateDefaults.hashBits) {
      throw new CorruptStateError(
        this.statePath!,
        `incompatible predictor state: its acceptance gate has ${loaded.gate.weights.length} weights, this version uses ${1 << gateDefaults.hashBits}`,
      );
    }
    this.gate = new AcceptanceGate({ threshold: settings.gate }, loaded?.gate);
    // A gate learned in an earlier run is kept in the saved state even when this run does not use it.
    this.keepGate = this.gate.enabled || loaded?.gate !== undefined;
    const trainerSettings = trainerSettingsOf(settings, this.featurizer.dimension, runtime.seed ?? 1);
    const trainerOptions: TrainerOptions = {
      settings: trainerSettings,
      ...(loaded === undefined ? {} : { state: loaded.trainer }),
      ...(runtime.onError === undefined ? {} : { onError: runtime.onError }),
      ...(runtime.fault === undefined ? {} : { fault: runtime.fault }),
    };
    this.trainer =
      typeof runtime.trainer === 'function'
        ? runtime.trainer(trainerOptions)
        : runtime.trainer === 'in-process'
          ? new InProcessTrainer(trainerOptions)
          : new WorkerTrainer({
            ...trainerOptions,
            deterministic: this.deterministic,
            ...(runtime.synchronizeTimeoutMs === undefined ? {} : { synchronizeTimeoutMs: runtime.synchronizeTimeoutMs }),
          });
    this.weights = this.trainer.currentWeights();
  }

  /** The trainer's counters (jobs, trainings, errors). */
  get trainerStats(): Readonly<TrainerStats> {
    return this.trainer.stats;
  }

  /** Whether the policy has weights yet (false: it answers the cold-start k). */
  get trained(): boolean {
    return this.currentWeights() !== undefined;
  }

  taskStarted(task: TaskInput): void {
    this.segment.discard();
    this.roundStart = undefined;
    this.view = { text: task.text, history: [], outcomes: [], rounds: 0 };
    if (this.deterministic) {
      this.trainer.synchronize();
      this.weights = this.trainer.currentWeights();
    }
  }

  chooseK(state: RoundState): number {
    this.catchUp(state);
    const features = this.featurizer.featurize(this.predictorState(this.view.history, this.view.outcomes, 0));
    this.roundStart = { round: state.roundIndex, features };
    const weights = this.currentWeights();
    const k = weights === undefined ? coldStartK(this.settings) : kFromValue(this.settings, predictValue(weights, features));
    return Math.min(k, state.kMax);
  }

  /** V̂ of the state at the start of the round `state` describes, or undefined before the first training. */
  estimateValue(state: RoundState): number | undefined {
    this.catchUp(state);
    const weights = this.currentWeights();
    if (weights === undefined) return undefined;
    return predictValue(weights, this.featurizer.featurize(this.predictorState(this.view.history, this.view.outcomes, 0)));
  }

  continueAfterGuess(state: RoundState, guesses: readonly Action[]): boolean {
    if (!this.gate.enabled) return true;
    this.catchUp(state);
    return this.gate.shouldContinue(this.guessContexts(guesses, guesses.length));
  }

  observeRound(round: RoundRecord, state: RoundState): void {
    this.catchUp(state);
    if (this.gate.enabled) {
      // Every guess T judged teaches the gate: accepted ones, then the rejected one at the break (stale ones are not data).
      const judged = Math.min(round.guesses.length, round.acceptedCount + (round.committedCount > round.acceptedCount ? 1 : 0));
      this.guessContexts(round.guesses, judged).forEach((context, index) => this.gate.learn(context, index < round.acceptedCount));
    }
    const reading = readRound(round);
    const history = this.view.history;
    for (let index = 0; index < reading.labelledGuesses; index += 1) {
      const step = round.startStep + index;
      let features: SparseVector;
      if (index === 0 && this.roundStart?.round === round.index) {
        features = this.roundStart.features;
      } else {
        // A state inside the round: the committed prefix plus the round's guesses confirmed so far.
        const prefix = [...history, ...round.guesses.slice(0, index).map(canonicalAction)];
        const outcomes: StepOutcome[] = [...this.view.outcomes, ...new Array<StepOutcome>(index).fill('accepted')];
        features = this.featurizer.featurize(this.predictorState(prefix, outcomes, index));
      }
      this.segment.add(step, features);
    }
    for (const outcome of reading.outcomes) {
      if (outcome !== 'no-guess') this.overallJudged += 1;
      if (outcome === 'accepted') this.overallAccepted += 1;
    }
    this.view.outcomes.push(...reading.outcomes);
    this.view.rounds = state.roundIndex + 1;
    this.roundStart = undefined;
    if (reading.breakStep !== undefined) this.closeSegment(reading.breakStep);
  }

  taskEnded(result: TaskResult): void {
    // A plan cut by its step limit inside an open segment: the plan's end closes it.
    if (this.segment.size > 0) this.closeSegment(result.plan.length);
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  /** Everything learned, as saved by `close()` with a state path. */
  async snapshot(): Promise<PredictorSnapshot> {
    return {
      model: this.modelDescription(),
      trainer: await this.trainer.exportState(),
      statistics: { accepted: this.overallAccepted, judged: this.overallJudged },
      settings: definedSettings(this.settings),
      ...(this.keepGate ? { gate: this.gate.exportState() } : {}),
    };
  }

  private async shutDown(): Promise<void> {
    try {
      if (this.statePath !== undefined) {
        let snapshot: PredictorSnapshot;
        try {
          snapshot = await this.snapshot();
        } catch (error) {
          throw new DspError(`cannot save the predictor state to ${this.statePath}: ${describeCause(error)}`, { cause: error });
        }
        savePredictorState(this.statePath, snapshot);
      }
    } finally {
      await this.trainer.close();
    }
  }

  private closeSegment(breakStep: number): void {
    const segment = this.segment.close(breakStep);
    if (segment !== undefined) this.trainer.submit([segment]);
  }

  private currentWeights(): Float64Array | undefined {
    return this.deterministic ? this.weights : this.trainer.currentWeights();
  }

  private modelDescription(): ReturnType<typeof linearModelDescription> {
    return linearModelDescription(this.featurizer.dimension);
  }

  /** The predictor state for a prefix; `acceptedInRound` guesses of this round were accepted before it. */
  private predictorState(history: readonly string[], outcomes: readonly StepOutcome[], acceptedInRound: number): PredictorState {
    return {
      taskText: this.view.text,
      history,
      outcomes,
      overallAccepted: this.overallAccepted + acceptedInRound,
      overallJudged: this.overallJudged + acceptedInRound,
    };
  }

  /** The first `count` guesses of a round in context: each with the plan before it (the round's earlier guesses included). */
  private guessContexts(guesses: readonly Action[], count: number): GuessContext[] {
    const history = [...this.view.history];
    const contexts: GuessContext[] = [];
    for (let index = 0; index < count; index += 1) {
      const guess = canonicalAction(guesses[index]!);
      contexts.push({ taskText: this.view.text, history: [...history], guess, step: history.length + 1 });
      history.push(guess);
    }
    return contexts;
  }

  /** Brings the task view in step with the engine's state (new committed actions; a task begun without taskStarted). */
  private catchUp(state: RoundState): void {
    const view = this.view;
    if (view.text !== state.task.text || view.rounds !== state.roundIndex || view.history.length > state.committed.length) {
      const outcomes = state.previousRounds.slice(0, state.roundIndex).flatMap((round) => readRound(round).outcomes);
      this.view = { text: state.task.text, history: [], outcomes, rounds: state.roundIndex };
    }
    const history = this.view.history;
    for (let index = history.length; index < state.committed.length; index += 1) history.push(canonicalAction(state.committed[index]!));
    const outcomes = this.view.outcomes;
    while (outcomes.length < history.length) outcomes.push('no-guess');
    if (outcomes.length > history.length) outcomes.length = history.length;
  }
}
