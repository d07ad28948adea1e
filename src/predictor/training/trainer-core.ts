/**
 * The trainer's maths, shared by the in-process trainer and the worker thread: a replay buffer of segments, the
 * linear value model, Adam, λ-return targets and the expectile loss. Pure apart from its own seeded generator:
 * the same settings, state and sequence of segments give the same weights, bit for bit.
 *
 * One training run (after a break, once the buffer holds a batch): for each epoch, draw a sample of whole
 * segments (the segments added since the last run, then random older ones up to `sampleSteps` steps), compute
 * their λ-return targets with the current weights, shuffle the states and take one Adam step per minibatch.
 *
 * With `hazard` on (the economic policy, `dsp:value=…`), each job also trains two logistic heads on the same
 * features (docs/predictor.md, "The economic policy"): the survival head, P(A's guess `i` steps ahead is accepted |
 * the guesses before it were), from the state alone and the offset `i`; and the acceptance head, P(this guess is
 * accepted | state, guess). Their labels come straight from the segment: the state at step j with break m has its
 * guesses j … m − 1 accepted and the one at m not (a break). They learn online — one pass over each new segment, as
 * it arrives, with per-slot AdaGrad steps — rather than from replayed samples: sparse hashed features separate
 * almost any finite sample, and replaying it drives a logistic model to overconfident 0s and 1s, while the policy
 * needs probabilities it can weigh against prices.
 */
import { withOffset, type SparseVector } from '../maths/features.js';
import { expectileGradient, expectileLoss } from '../maths/loss.js';
import { predictValue, SparseGradient } from '../maths/model.js';
import { adamStep, createAdamState, type AdamState } from '../maths/optimizer.js';
import { ReplayBuffer } from '../maths/replay-buffer.js';
import { lambdaReturns, type Bootstrap } from '../maths/returns.js';
import { SeededRandom } from '../maths/random.js';
import type { Segment } from '../maths/segment.js';

/** Settings of a trainer. All but `dimension` are learning hyperparameters. */
export interface TrainerSettings {
  /** Number of weights (the featurizer's dimension). */
  dimension: number;
  /** Expectile τ in (0, 1). Default 0.5. */
  tau: number;
  /** λ of the λ-return, in [0, 1]. Default 0.95. */
  lambda: number;
  /** Which value the λ-return bootstraps from. Default `next` (the standard form). */
  bootstrap: Bootstrap;
  /** Adam step size. */
  learningRate: number;
  /** Epochs per training run. Default 3. */
  epochs: number;
  /** States per minibatch, and the fewest states the buffer must hold before training. Default 16. */
  batchSize: number;
  /** Capacity of the replay buffer in steps. Default 2,500. */
  bufferCapacity: number;
  /** States sampled per epoch (whole segments, so a little more). */
  sampleSteps: number;
  /** Seed of the sampling generator. */
  seed: number;
  /** Train the hazard heads too (survival and acceptance). Default false. */
  hazard?: boolean;
  /** The survival head's horizon: the most steps ahead it is trained for (the policy's kmax). Default 8. */
  hazardHorizon?: number;
  /** AdaGrad step size of the hazard heads. Default 0.1. */
  hazardLearningRate?: number;
}

/** The two logistic heads of the economic policy (see the file comment). */
export interface HazardWeights {
  /** P(guess `i` steps ahead accepted | earlier ones were), on `withOffset(state features, step, i)`. */
  survival: Float64Array;
  /** P(guess accepted | state, guess), on the state's features with its guess. */
  acceptance: Float64Array;
}

/** A complete, consistent set of weights for the planner: the value head and, when trained, the hazard heads. */
export interface PredictorWeights {
  value: Float64Array;
  hazard?: HazardWeights;
}

/** The hazard heads' learned state: weights and AdaGrad's sums of squared gradients, per head. */
export interface HazardStateData {
  weights: HazardWeights;
  squaredGradients: HazardWeights;
}

/** Everything a trainer has learned: what persistence saves. */
export interface TrainerStateData {
  weights: Float64Array;
  optimizer: AdamState;
  /** The replay buffer's segments, oldest first. */
  segments: Segment[];
  /** State of the sampling generator. */
  randomState: number;
  /** Training runs done so far. */
  trainings: number;
  /** The hazard heads, when trained. */
  hazard?: HazardStateData;
}

/** What one call of `train` did. */
export interface TrainingReport {
  /** False when the buffer held less than a batch. */
  trained: boolean;
  /** Gradient steps taken. */
  updates: number;
  /** Mean expectile loss over the states of the run, before each update. */
  meanLoss: number;
}

/** A copy of the mutable numbers, to roll back a run that failed half-way. */
export interface TrainerCheckpoint {
  weights: Float64Array;
  firstMoment: Float64Array;
  secondMoment: Float64Array;
  step: number;
  randomState: number;
  trainings: number;
  hazard?: HazardStateData;
}

interface Example {
  features: SparseVector;
  target: number;
}


/** The logistic function. */
export function logistic(score: number): number {
  return 1 / (1 + Math.exp(-score));
}

function copyVector(vector: SparseVector): SparseVector {
  return { indices: Int32Array.from(vector.indices), values: Float64Array.from(vector.values) };
}

function copyHeads(heads: HazardWeights): HazardWeights {
  return { survival: Float64Array.from(heads.survival), acceptance: Float64Array.from(heads.acceptance) };
}

function copyHazard(hazard: HazardStateData): HazardStateData {
  return { weights: copyHeads(hazard.weights), squaredGradients: copyHeads(hazard.squaredGradients) };
}

/** One AdaGrad step of the log-loss of a logistic model on one example. */
function logisticStep(weights: Float64Array, squaredGradients: Float64Array, features: SparseVector, target: number, learningRate: number): void {
  const error = logistic(predictValue(weights, features)) - target;
  const { indices, values } = features;
  for (let index = 0; index < indices.length; index += 1) {
    const slot = indices[index]!;
    const gradient = error * values[index]!;
    if (gradient === 0) continue;
    const squared = squaredGradients[slot]! + gradient * gradient;
    squaredGradients[slot] = squared;
    weights[slot] = weights[slot]! - (learningRate * gradient) / Math.sqrt(squared);
  }
}

/** The learning core of the DSP predictor. */
export class TrainerCore {
  readonly settings: TrainerSettings;
  private weights: Float64Array;
  private readonly optimizer: AdamState;
  private readonly buffer: ReplayBuffer;
  private readonly random: SeededRandom;
  private readonly gradient: SparseGradient;
  private fresh: Segment[] = [];
  private trainingRuns: number;
  private hazard: HazardStateData | undefined;
  /** Whether this core trains the hazard heads (a loaded state's heads are kept either way). */
  private readonly trainsHazard: boolean;
  /** Segments the hazard heads have not learned yet. */
  private hazardPending: Segment[] = [];

  constructor(settings: TrainerSettings, state?: TrainerStateData) {
    this.settings = settings;
    this.buffer = new ReplayBuffer(settings.bufferCapacity);
    this.gradient = new SparseGradient(settings.dimension);
    this.trainsHazard = settings.hazard === true;
    if (state?.hazard !== undefined) {
      // A saved state's hazard heads are kept (and saved again) even when this run does not train them.
      for (const weights of [state.hazard.weights.survival, state.hazard.weights.acceptance]) {
        if (weights.length !== settings.dimension) throw new RangeError(`state has ${weights.length} hazard weights, expected ${settings.dimension}`);
      }
      this.hazard = copyHazard(state.hazard);
    } else if (this.trainsHazard) {
      const zeros = (): HazardWeights => ({ survival: new Float64Array(settings.dimension), acceptance: new Float64Array(settings.dimension) });
      this.hazard = { weights: zeros(), squaredGradients: zeros() };
    }
    if (state === undefined) {
      this.weights = new Float64Array(settings.dimension);
      this.optimizer = createAdamState(settings.dimension);
      this.random = new SeededRandom(settings.seed);
      this.trainingRuns = 0;
    } else {
      if (state.weights.length !== settings.dimension) {
        throw new RangeError(`state has ${state.weights.length} weights, expected ${settings.dimension}`);
      }
      this.weights = Float64Array.from(state.weights);
      this.optimizer = {
        firstMoment: Float64Array.from(state.optimizer.firstMoment),
        secondMoment: Float64Array.from(state.optimizer.secondMoment),
        step: state.optimizer.step,
      };
      for (const segment of state.segments) this.buffer.add(segment);
      this.random = new SeededRandom(0);
      this.random.state = state.randomState;
      this.trainingRuns = state.trainings;
    }
  }

  /** Training runs done so far. */
  get trainings(): number {
    return this.trainingRuns;
  }

  /** Steps held by the replay buffer. */
  get bufferedSteps(): number {
    return this.buffer.steps;
  }

  /** V̂ of a state under the current weights. */
  predict(features: SparseVector): number {
    return predictValue(this.weights, features);
  }

  /** Adds closed segments to the replay buffer; they are in every epoch's sample of the next run. */
  addSegments(segments: readonly Segment[]): void {
    for (const segment of segments) {
      if (segment.steps.length === 0) continue;
      this.buffer.add(segment);
      this.fresh.push(segment);
      if (this.trainsHazard) this.hazardPending.push(segment);
    }
  }

  /**
   * One training run: the hazard heads (when trained) learn the new segments, then the value head trains if the
   * buffer holds at least a batch. Throws if the weights stop being finite.
   */
  train(): TrainingReport {
    const { batchSize, epochs, tau, learningRate } = this.settings;
    const hazardUpdates = this.trainHazard();
    if (this.buffer.steps < batchSize) {
      this.checkFinite(0);
      if (hazardUpdates === 0) return { trained: false, updates: 0, meanLoss: Number.NaN };
      this.trainingRuns += 1;
      return { trained: true, updates: hazardUpdates, meanLoss: Number.NaN };
    }
    let updates = hazardUpdates;
    let lossSum = 0;
    let lossCount = 0;
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      const examples = this.random.shuffle(this.sampleExamples());
      for (let start = 0; start < examples.length; start += batchSize) {
        const end = Math.min(start + batchSize, examples.length);
        const scale = 1 / (end - start);
        this.gradient.clear();
        for (let index = start; index < end; index += 1) {
          const example = examples[index]!;
          const prediction = predictValue(this.weights, example.features);
          lossSum += expectileLoss(example.target, prediction, tau);
          lossCount += 1;
          this.gradient.add(example.features, scale * expectileGradient(example.target, prediction, tau));
        }
        adamStep(this.weights, this.optimizer, this.gradient, { learningRate });
        updates += 1;
      }
    }
    this.gradient.clear();
    this.fresh = [];
    this.checkFinite(lossSum);
    this.trainingRuns += 1;
    return { trained: true, updates, meanLoss: lossSum / Math.max(1, lossCount) };
  }

  private checkFinite(lossSum: number): void {
    const hazardFinite = this.hazard === undefined || (this.hazard.weights.survival.every(Number.isFinite) && this.hazard.weights.acceptance.every(Number.isFinite));
    if (!Number.isFinite(lossSum) || !this.weights.every(Number.isFinite) || !hazardFinite) {
      throw new Error('training produced non-finite weights');
    }
  }

  /** A copy of the current weights: a complete, consistent snapshot for the planner. */
  snapshotWeights(): PredictorWeights {
    const value = Float64Array.from(this.weights);
    if (this.hazard === undefined) return { value };
    return { value, hazard: copyHeads(this.hazard.weights) };
  }

  /** A copy of the mutable numbers (not the buffer), to roll back a failed run. */
  checkpoint(): TrainerCheckpoint {
    return {
      weights: Float64Array.from(this.weights),
      firstMoment: Float64Array.from(this.optimizer.firstMoment),
      secondMoment: Float64Array.from(this.optimizer.secondMoment),
      step: this.optimizer.step,
      randomState: this.random.state,
      trainings: this.trainingRuns,
      ...(this.hazard === undefined ? {} : { hazard: copyHazard(this.hazard) }),
    };
  }

  /** Rolls back to a checkpoint. */
  restore(checkpoint: TrainerCheckpoint): void {
    this.weights = Float64Array.from(checkpoint.weights);
    this.optimizer.firstMoment.set(checkpoint.firstMoment);
    this.optimizer.secondMoment.set(checkpoint.secondMoment);
    this.optimizer.step = checkpoint.step;
    this.random.state = checkpoint.randomState;
    this.trainingRuns = checkpoint.trainings;
    this.fresh = [];
    if (checkpoint.hazard !== undefined) this.hazard = copyHazard(checkpoint.hazard);
  }

  /** Everything learned, copied (safe to send or save). */
  exportState(): TrainerStateData {
    return {
      weights: Float64Array.from(this.weights),
      optimizer: {
        firstMoment: Float64Array.from(this.optimizer.firstMoment),
        secondMoment: Float64Array.from(this.optimizer.secondMoment),
        step: this.optimizer.step,
      },
      segments: this.buffer.segments.map((segment) => ({
        steps: [...segment.steps],
        features: segment.features.map(copyVector),
        breakStep: segment.breakStep,
        ...(segment.guessFeatures === undefined ? {} : { guessFeatures: segment.guessFeatures.map(copyVector) }),
      })),
      randomState: this.random.state,
      trainings: this.trainingRuns,
      ...(this.hazard === undefined ? {} : { hazard: copyHazard(this.hazard) }),
    };
  }

  /**
   * The hazard heads' online pass over the new segments, in order: for the state at step j (break m, so D = m − j + 1
   * steps to the break), one survival example per offset i = 1 … min(D, horizon) — accepted (1) while i < D, the
   * break (0) at i = D — and one acceptance example for its guess, accepted when j < m. Returns the examples learned.
   */
  private trainHazard(): number {
    if (!this.trainsHazard || this.hazard === undefined) return 0;
    const { weights, squaredGradients } = this.hazard;
    const horizon = this.settings.hazardHorizon ?? 8;
    const learningRate = this.settings.hazardLearningRate ?? 0.1;
    const { dimension } = this.settings;
    let updates = 0;
    const pending = this.hazardPending;
    this.hazardPending = [];
    for (const segment of pending) {
      segment.steps.forEach((step, index) => {
        const distance = segment.breakStep - step + 1;
        for (let offset = 1; offset <= Math.min(distance, horizon); offset += 1) {
          const features = withOffset(segment.features[index]!, step, offset, dimension);
          logisticStep(weights.survival, squaredGradients.survival, features, offset < distance ? 1 : 0, learningRate);
          updates += 1;
        }
        const guess = segment.guessFeatures?.[index];
        if (guess !== undefined) {
          logisticStep(weights.acceptance, squaredGradients.acceptance, guess, step < segment.breakStep ? 1 : 0, learningRate);
          updates += 1;
        }
      });
    }
    return updates;
  }

  /** The epoch's examples: the fresh segments, then random older ones, with λ-return targets under the current weights. */
  private sampleExamples(): Example[] {
    const all = this.buffer.segments;
    let chosen: readonly Segment[];
    if (this.buffer.steps <= this.settings.sampleSteps) {
      chosen = all;
    } else {
      const picked = new Set<Segment>(this.fresh.filter((segment) => all.includes(segment)));
      let steps = 0;
      for (const segment of picked) steps += segment.steps.length;
      let attempts = 0;
      while (steps < this.settings.sampleSteps && attempts < 4 * all.length) {
        const segment = all[this.random.below(all.length)]!;
        attempts += 1;
        if (picked.has(segment)) continue;
        picked.add(segment);
        steps += segment.steps.length;
      }
      chosen = [...picked];
    }
    const examples: Example[] = [];
    const { lambda, bootstrap } = this.settings;
    for (const segment of chosen) {
      const values = segment.features.map((features) => predictValue(this.weights, features));
      const targets = lambdaReturns(segment.steps, values, segment.breakStep, lambda, bootstrap);
      segment.features.forEach((features, index) => examples.push({ features, target: targets[index]! }));
    }
    return examples;
  }
}
