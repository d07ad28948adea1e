/**
 * The learned `dsp` k-policy (spec §3–§4): predicts V̂(s), the number of steps up to and including the next break,
 * and answers `k = clamp(round(V̂) + β, kmin, kMax)` (kmin = 1 unless set to 0; with 0, `explore` turns a share
 * of the k = 0 answers into k = 1 so the policy keeps learning), or the cold-start k until the first training. It
 * sees only what a live run sees: the task text, the committed plan, its own rounds' outcomes, and what it learned
 * earlier.
 *
 * Planning is synchronous and fast (a featurization and a dot product); learning happens in an injected `Trainer`
 * and the learned state is loaded and saved through an injected `PredictorStateStore`, so the policy itself does no
 * I/O (`createDspPolicy` wires the worker-thread trainer and the file store). In `deterministic` mode (the default;
 * what replays need) the policy takes up new weights at the first decision after each break (and at each task
 * start), after the trainer has finished every job submitted so far, so replay figures are identical run to run. In
 * live mode it never waits and uses the newest weights the trainer sent.
 *
 * With `value` set (the economic policy), k is the one that maximises the expected gain of the round under the
 * survival head's forecast, and each guess as it arrives is weighed again with the acceptance head (economics.ts).
 * Once A's confidence in its guesses has proven informative in the run (confidence-record.ts) — alone, or as the
 * acceptance head reads it together with the features — a round starts at its cap instead and the acceptance head
 * alone stops it, at the first guess not worth speculating past.
 */
import { canonicalAction } from '../../core/actions.js';
import { CorruptStateError, describeCause, DspError } from '../../core/errors.js';
import type { KPolicy, RoundState } from '../../core/policy.js';
import type { Action, RoundRecord, TaskInput, TaskResult } from '../../core/types.js';
import { Featurizer, type PredictorState, type SparseVector, type StepOutcome } from '../maths/features.js';
import { readRound, SegmentBuilder } from '../maths/labels.js';
import { predictValue } from '../maths/model.js';
import { withOffset } from '../maths/features.js';
import { inProcessTrainerFactory } from '../training/in-process-trainer.js';
import type { Trainer, TrainerFactory, TrainerStats } from '../training/trainer.js';
import { logistic, type PredictorWeights } from '../training/trainer-core.js';
import { CallEconomics, economicK, stepGainUsd } from './economics.js';
import { AcceptanceGate, gateDefaults, type GuessContext } from './acceptance-gate.js';
import { ConfidenceRecord } from './confidence-record.js';
import { coldStartK, exploresRound, kFromValue, trainerSettingsOf, type DspSettings } from './dsp-settings.js';
import { linearModelDescription, type PredictorModelDescription, type PredictorSnapshot, type PredictorStateStore } from './predictor-state.js';

/** What a `DspPolicy` is built with besides its settings: its adapters and how it takes up weights. */
export interface DspPolicyOptions {
  /**
   * Builds the trainer, once, from the trainer settings and the loaded state. Default: the in-process trainer
   * (synchronous, no thread). `createDspPolicy` passes the worker trainer.
   */
  createTrainer?: TrainerFactory;
  /** Where the learned state is loaded from (in the constructor) and saved to (in `close()`). Default: none. */
  stateStore?: PredictorStateStore;
  /** Seed of the trainer's sampling. Default 1. */
  seed?: number;
  /**
   * Take up new weights only at fixed points — the first decision after each break, and each task start — after every
   * submitted job is done (default true: replays must be reproducible). Live runs pass false: planning then never
   * waits for training.
   */
  deterministic?: boolean;
  /** Bits of the hashed feature block. Default 14. */
  hashBits?: number;
  /**
   * What to start from when the store has no saved state (e.g. a prior, `dsp:prior=builtin`). Default: nothing, the
   * policy starts empty.
   */
  start?: Pick<PredictorSnapshot, 'trainer' | 'statistics'>;
}

/** The settings with a value (an unset `cold` is left out), as saved with the learned state. */
function definedSettings(settings: Readonly<DspSettings>): Record<string, number | string> {
  const defined: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(settings) as Array<[string, number | string | undefined]>) {
    if (value !== undefined) defined[key] = value;
  }
  return defined;
}

/** A's confidence in each guess of a finished round (undefined where it gave none). */
function confidencesOf(round: RoundRecord): Array<number | undefined> | undefined {
  return round.guessConfidences?.map((confidence) => confidence ?? undefined);
}

/**
 * The guesses of a finished round that T judged: the accepted ones, then the rejected one at the break (guesses after
 * it were made on a wrong prefix and are stale, not data).
 */
function judgedGuesses(round: RoundRecord): number {
  return Math.min(round.guesses.length, round.acceptedCount + (round.committedCount > round.acceptedCount ? 1 : 0));
}

/** A predictor state with a guess in view (and A's confidence in it, when given). */
function withGuess(state: PredictorState, context: GuessContext): PredictorState {
  return { ...state, guess: context.guess, ...(context.confidence === undefined ? {} : { guessConfidence: context.confidence }) };
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
  /** Seed of the trainer's sampling and of the `explore` draws. */
  private readonly seed: number;
  private readonly stateStore: PredictorStateStore | undefined;
  private readonly segment = new SegmentBuilder();
  private readonly gate: AcceptanceGate;
  private readonly keepGate: boolean;
  private weights: PredictorWeights | undefined;
  /** A job was submitted since the weights were last taken up (deterministic mode). */
  private uptakePending = false;
  /** How well A's confidence has ranked its judged guesses, in this run and the saved runs before it. */
  private readonly confidence: ConfidenceRecord;
  /**
   * How well the acceptance head's own probabilities have ranked the judged guesses that came with A's confidence, in
   * this run (not saved: it is rebuilt within a few dozen judged guesses).
   */
  private readonly headRecord = new ConfidenceRecord();
  private readonly economics = new CallEconomics();
  private overallAccepted = 0;
  private overallJudged = 0;
  private view: TaskView = { text: '', history: [], outcomes: [], rounds: 0 };
  private roundStart: { round: number; features: SparseVector } | undefined;
  private closed: Promise<void> | undefined;

  /**
   * Builds the policy from its adapters: it loads the state from `stateStore` (when given) and starts the trainer
   * `createTrainer` builds. Neither does I/O of the policy's own; with the defaults nothing touches a file or a thread.
   */
  constructor(name: string, settings: DspSettings, options: DspPolicyOptions = {}) {
    this.name = name;
    this.settings = settings;
    this.deterministic = options.deterministic ?? true;
    this.seed = options.seed ?? 1;
    this.stateStore = options.stateStore;
    this.featurizer = options.hashBits === undefined ? new Featurizer() : new Featurizer({ hashBits: options.hashBits });
    const loaded = this.stateStore?.load(this.modelDescription());
    const start = loaded ?? options.start;
    if (start !== undefined) {
      this.overallAccepted = start.statistics.accepted;
      this.overallJudged = start.statistics.judged;
    }
    if (loaded?.gate !== undefined && loaded.gate.weights.length !== 1 << gateDefaults.hashBits) {
      throw new CorruptStateError(
        this.stateStore!.location,
        `incompatible predictor state: its acceptance gate has ${loaded.gate.weights.length} weights, this version uses ${1 << gateDefaults.hashBits}`,
      );
    }
    this.gate = new AcceptanceGate({ threshold: settings.gate }, loaded?.gate);
    this.confidence = new ConfidenceRecord(loaded?.confidence);
    // A gate learned in an earlier run is kept in the saved state even when this run does not use it.
    this.keepGate = this.gate.enabled || loaded?.gate !== undefined;
    // Built last: nothing above may fail after a trainer (perhaps a thread) has started.
    const createTrainer = options.createTrainer ?? inProcessTrainerFactory();
    this.trainer = createTrainer(trainerSettingsOf(settings, this.featurizer.dimension, this.seed), start?.trainer);
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
      this.uptakePending = true;
      this.takeUpWeights();
    }
  }

  chooseK(state: RoundState): number {
    this.catchUp(state);
    this.takeUpWeights();
    const features = this.featurizer.featurize(this.predictorState(this.view.history, this.view.outcomes, 0));
    this.roundStart = { round: state.roundIndex, features };
    const weights = this.currentWeights();
    let k: number | undefined;
    if (weights !== undefined) {
      k = this.economic ? this.economicK(weights, features, Math.min(this.settings.kMax, state.kMax, state.remainingSteps)) : kFromValue(this.settings, predictValue(weights.value, features));
      // kmin = 0: a round without a guess teaches nothing, so some of them guess once anyway (`explore`).
      if (k === 0 && exploresRound(this.settings.explore, this.seed, state.task.id, state.committed.length)) k = 1;
    }
    return Math.min(k ?? coldStartK(this.settings), state.kMax);
  }

  /** V̂ of the state at the start of the round `state` describes, or undefined before the first training. */
  estimateValue(state: RoundState): number | undefined {
    this.catchUp(state);
    this.takeUpWeights();
    const weights = this.currentWeights();
    if (weights === undefined) return undefined;
    return predictValue(weights.value, this.featurizer.featurize(this.predictorState(this.view.history, this.view.outcomes, 0)));
  }

  /**
   * The survival forecast of the round `state` describes: entry j − 1 is P(A's guesses 1 … j are all accepted), for
   * j = 1 … `steps`; undefined before the hazard heads are trained.
   */
  forecastSurvival(state: RoundState, steps = this.settings.kMax): number[] | undefined {
    this.catchUp(state);
    this.takeUpWeights();
    const hazard = this.currentWeights()?.hazard;
    if (hazard === undefined) return undefined;
    return this.survival(hazard.survival, this.featurizer.featurize(this.predictorState(this.view.history, this.view.outcomes, 0)), steps);
  }

  continueAfterGuess(state: RoundState, guesses: readonly Action[], confidences?: readonly (number | undefined)[]): boolean {
    if (!this.gate.enabled && !this.economic) return true;
    this.catchUp(state);
    const contexts = this.guessContexts(guesses, guesses.length, confidences);
    if (this.gate.enabled && !this.gate.shouldContinue(contexts)) return false;
    if (!this.economic) return true;
    const acceptance = this.currentWeights()?.hazard?.acceptance;
    const economics = this.economics.estimate();
    if (acceptance === undefined || economics === undefined) return true;
    // P(every guess of the round so far is accepted), each scored with its guess in view.
    let allAccepted = 1;
    contexts.forEach((context, index) => {
      const state = this.predictorState(context.history, [...this.view.outcomes, ...new Array<StepOutcome>(index).fill('accepted')], index);
      allAccepted *= logistic(predictValue(acceptance, this.featurizer.featurize(withGuess(state, context))));
    });
    return stepGainUsd(allAccepted, economics, this.settings.valueUsdPerHour) > 0;
  }

  observeRound(round: RoundRecord, state: RoundState): void {
    this.catchUp(state);
    const judged = judgedGuesses(round);
    if (this.gate.enabled) this.guessContexts(round.guesses, judged, confidencesOf(round)).forEach((context, index) => this.gate.learn(context, index < round.acceptedCount));
    for (let index = 0; index < judged; index += 1) {
      const confidence = round.guessConfidences?.[index];
      if (confidence !== undefined && confidence !== null) this.confidence.add(confidence, index < round.acceptedCount);
    }
    const reading = readRound(round);
    const history = this.view.history;
    // The acceptance head as it stands, before this round is learned: its reading of each guess is scored below.
    const acceptance = this.economic ? this.currentWeights()?.hazard?.acceptance : undefined;
    for (let index = 0; index < reading.labelledGuesses; index += 1) {
      const step = round.startStep + index;
      // A state inside the round: the committed prefix plus the round's guesses confirmed so far.
      const prefix = [...history, ...round.guesses.slice(0, index).map(canonicalAction)];
      const outcomes: StepOutcome[] = [...this.view.outcomes, ...new Array<StepOutcome>(index).fill('accepted')];
      const predictorState = this.predictorState(prefix, outcomes, index);
      const features = index === 0 && this.roundStart?.round === round.index ? this.roundStart.features : this.featurizer.featurize(predictorState);
      const confidence = round.guessConfidences?.[index] ?? undefined;
      const guessFeatures = this.economic
        ? this.featurizer.featurize({ ...predictorState, guess: canonicalAction(round.guesses[index]!), ...(confidence === undefined ? {} : { guessConfidence: confidence }) })
        : undefined;
      // How the head ranks the guesses that came with A's confidence (its AUC lets rounds start at the cap): each
      // scored before its answer is learned, as in progressive validation. The labelled guesses are the judged ones.
      if (acceptance !== undefined && guessFeatures !== undefined && confidence !== undefined) {
        this.headRecord.add(logistic(predictValue(acceptance, guessFeatures)), index < round.acceptedCount);
      }
      this.segment.add(step, features, guessFeatures);
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
    if (this.economic) this.economics.observe(result);
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  /** Everything learned, as saved by `close()` when the policy has a state store. */
  async snapshot(): Promise<PredictorSnapshot> {
    return {
      model: this.modelDescription(),
      trainer: await this.trainer.exportState(),
      statistics: { accepted: this.overallAccepted, judged: this.overallJudged },
      settings: definedSettings(this.settings),
      ...(this.keepGate ? { gate: this.gate.exportState() } : {}),
      ...(this.confidence.judged > 0 ? { confidence: this.confidence.exportState() } : {}),
    };
  }

  private async shutDown(): Promise<void> {
    try {
      if (this.stateStore !== undefined) {
        let snapshot: PredictorSnapshot;
        try {
          snapshot = await this.snapshot();
        } catch (error) {
          throw new DspError(`cannot save the predictor state to ${this.stateStore.location}: ${describeCause(error)}`, { cause: error });
        }
        this.stateStore.save(snapshot);
      }
    } finally {
      await this.trainer.close();
    }
  }

  private closeSegment(breakStep: number): void {
    const segment = this.segment.close(breakStep);
    if (segment === undefined) return;
    this.trainer.submit([segment]);
    this.uptakePending = true;
  }

  /**
   * Deterministic mode: after a break's job, the next decision first waits for the trainer and takes up its weights,
   * so every run learns at the same points (a replay learns from a break before its next round, as a live run would
   * once the worker answers).
   */
  private takeUpWeights(): void {
    if (!this.deterministic || !this.uptakePending) return;
    this.uptakePending = false;
    this.trainer.synchronize();
    this.weights = this.trainer.currentWeights();
  }

  private currentWeights(): PredictorWeights | undefined {
    return this.deterministic ? this.weights : this.trainer.currentWeights();
  }

  /** Whether k comes from the economic rule (`value` set). */
  private get economic(): boolean {
    return this.settings.valueUsdPerHour > 0;
  }

  /** The economic k of a round-start state, or undefined (cold start) until the hazard heads and the call costs are known. */
  private economicK(weights: PredictorWeights, features: SparseVector, cap: number): number | undefined {
    const economics = this.economics.estimate();
    if (weights.hazard === undefined || economics === undefined) return undefined;
    const survival = this.survival(weights.hazard.survival, features, Math.max(0, cap - 1));
    const k = Math.min(cap, economicK(survival, economics, this.settings.valueUsdPerHour, this.settings.kMin));
    // With an informative confidence — A's own, or the acceptance head's reading of it with the features — each guess
    // is weighed as it arrives (continueAfterGuess): start at the cap.
    return k > 0 && (this.confidence.informative() || this.headRecord.informative()) ? cap : k;
  }

  /** P(guesses 1 … j all accepted) for j = 1 … steps, from the survival head at a round-start state. */
  private survival(weights: Float64Array, features: SparseVector, steps: number): number[] {
    const step = this.view.history.length + 1;
    const survival: number[] = [];
    let allAccepted = 1;
    for (let offset = 1; offset <= steps; offset += 1) {
      allAccepted *= logistic(predictValue(weights, withOffset(features, step, offset, this.featurizer.dimension)));
      survival.push(allAccepted);
    }
    return survival;
  }

  private modelDescription(): PredictorModelDescription {
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

  /**
   * The first `count` guesses of a round in context: each with the plan before it (the round's earlier guesses
   * included) and A's confidence in it when A gave one.
   */
  private guessContexts(guesses: readonly Action[], count: number, confidences?: readonly (number | undefined)[]): GuessContext[] {
    const history = [...this.view.history];
    const contexts: GuessContext[] = [];
    for (let index = 0; index < count; index += 1) {
      const guess = canonicalAction(guesses[index]!);
      const confidence = confidences?.[index];
      contexts.push({ taskText: this.view.text, history: [...history], guess, step: history.length + 1, ...(confidence === undefined ? {} : { confidence }) });
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
