/**
 * The trainer's maths, shared by the in-process trainer and the worker thread: a replay buffer of segments, the
 * linear value model, Adam, λ-return targets and the expectile loss. Pure apart from its own seeded generator:
 * the same settings, state and sequence of segments give the same weights, bit for bit.
 *
 * One training run (after a break, once the buffer holds a batch): for each epoch, draw a sample of whole
 * segments (the segments added since the last run, then random older ones up to `sampleSteps` steps), compute
 * their λ-return targets with the current weights, shuffle the states and take one Adam step per minibatch.
 */
import type { SparseVector } from '../maths/features.js';
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
}

interface Example {
  features: SparseVector;
  target: number;
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

  constructor(settings: TrainerSettings, state?: TrainerStateData) {
    this.settings = settings;
    this.buffer = new ReplayBuffer(settings.bufferCapacity);
    this.gradient = new SparseGradient(settings.dimension);
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
    }
  }

  /** One training run, if the buffer holds at least a batch. Throws if the weights stop being finite. */
  train(): TrainingReport {
    const { batchSize, epochs, tau, learningRate } = this.settings;
    if (this.buffer.steps < batchSize) return { trained: false, updates: 0, meanLoss: Number.NaN };
    let updates = 0;
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
    if (!Number.isFinite(lossSum) || !this.weights.every(Number.isFinite)) {
      throw new Error('training produced non-finite weights');
    }
    this.trainingRuns += 1;
    return { trained: true, updates, meanLoss: lossSum / Math.max(1, lossCount) };
  }

  /** A copy of the current weights: a complete, consistent snapshot for the planner. */
  snapshotWeights(): Float64Array {
    return Float64Array.from(this.weights);
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
        features: segment.features.map((vector) => ({
          indices: Int32Array.from(vector.indices),
          values: Float64Array.from(vector.values),
        })),
        breakStep: segment.breakStep,
      })),
      randomState: this.random.state,
      trainings: this.trainingRuns,
    };
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
