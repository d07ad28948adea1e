/**
 * A prior: weights learned elsewhere that a `dsp` policy may start from instead of zeros (`dsp:prior=builtin`, our
 * extension; off by default, so "starts empty" stays the default). Only what a start needs is kept — the three
 * heads' weights and the overall acceptance counts; no optimiser state, no replay buffer — and the weights are stored
 * as 16-bit fixed point (`dsp-prior/1`, JSON with base64 arrays), so a prior over the 16,416 slots is about 130 KB.
 * Pure: reading the shipped file is `builtin-prior.ts`'s.
 */
import { z } from 'zod';
import { CorruptStateError } from '../../core/errors.js';
import { describeValidationIssues } from '../../core/validation-issues.js';
import { readsFeaturizerVersion } from '../maths/features.js';
import { createAdamState } from '../maths/optimizer.js';
import type { PredictorModelDescription } from '../policy/predictor-state.js';
import type { HazardStateData, TrainerStateData } from '../training/trainer-core.js';

/** The format tag of a prior file. */
export const priorFormat = 'dsp-prior/1';

/** What a policy starts from with a prior. */
export interface PredictorPrior {
  model: PredictorModelDescription;
  /** The suites it was trained on, e.g. `openagi-react`. */
  trainedOn: string[];
  /** The value head's weights. */
  value: Float64Array;
  /** The survival and acceptance heads, with the AdaGrad sums their next steps start from. */
  hazard: HazardStateData;
  /** A's guesses accepted and judged over the training suites (the overall acceptance feature). */
  statistics: { accepted: number; judged: number };
}

/** The AdaGrad sum a prior's non-zero slots start with: its steps then move the prior as far as ~this many examples would. */
const priorSquaredGradient = 4;

const quantized = z.object({ scale: z.number().positive(), weights: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/) });
const priorSchema = z.object({
  format: z.literal(priorFormat),
  model: z.object({ kind: z.literal('linear'), dimension: z.number().int().positive(), featurizerVersion: z.number().int() }),
  trainedOn: z.array(z.string()),
  statistics: z.object({ accepted: z.number().int().nonnegative(), judged: z.number().int().nonnegative() }),
  heads: z.object({ value: quantized, survival: quantized, acceptance: quantized }),
});

function quantize(weights: Float64Array): { scale: number; weights: string } {
  const largest = weights.reduce((max, weight) => Math.max(max, Math.abs(weight)), 0);
  const scale = largest > 0 ? largest / 32767 : 1;
  const bytes = Buffer.alloc(weights.length * 2);
  weights.forEach((weight, index) => bytes.writeInt16LE(Math.round(weight / scale), index * 2));
  return { scale, weights: bytes.toString('base64') };
}

function dequantize(head: { scale: number; weights: string }, dimension: number, what: string, location: string): Float64Array {
  const bytes = Buffer.from(head.weights, 'base64');
  if (bytes.length !== dimension * 2) throw new CorruptStateError(location, `damaged prior: heads.${what} holds ${bytes.length / 2} weights, expected ${dimension}`);
  const weights = new Float64Array(dimension);
  for (let index = 0; index < dimension; index += 1) weights[index] = bytes.readInt16LE(index * 2) * head.scale;
  return weights;
}

/** The text of a prior file. */
export function serializePrior(prior: PredictorPrior): string {
  const file = {
    format: priorFormat,
    model: prior.model,
    trainedOn: prior.trainedOn,
    statistics: prior.statistics,
    heads: { value: quantize(prior.value), survival: quantize(prior.hazard.weights.survival), acceptance: quantize(prior.hazard.weights.acceptance) },
  };
  return `${JSON.stringify(file)}\n`;
}

/** Parses a prior file made for `expected`'s feature space. Throws `CorruptStateError` naming `location` otherwise. */
export function parsePrior(text: string, location: string, expected: PredictorModelDescription): PredictorPrior {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(location, `not a prior: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = priorSchema.safeParse(value);
  if (!parsed.success) throw new CorruptStateError(location, `not a ${priorFormat} prior: ${describeValidationIssues(parsed.error.issues)}`);
  const file = parsed.data;
  if (file.model.dimension !== expected.dimension || !readsFeaturizerVersion(file.model.featurizerVersion, expected.featurizerVersion)) {
    throw new CorruptStateError(
      location,
      `incompatible prior: made for ${file.model.dimension} weights and featurizer version ${file.model.featurizerVersion}; ` +
        `this predictor has ${expected.dimension} weights and featurizer version ${expected.featurizerVersion}`,
    );
  }
  const { dimension } = expected;
  const survival = dequantize(file.heads.survival, dimension, 'survival', location);
  const acceptance = dequantize(file.heads.acceptance, dimension, 'acceptance', location);
  const sums = (weights: Float64Array): Float64Array => weights.map((weight) => (weight === 0 ? 0 : priorSquaredGradient));
  return {
    model: expected,
    trainedOn: file.trainedOn,
    value: dequantize(file.heads.value, dimension, 'value', location),
    hazard: { weights: { survival, acceptance }, squaredGradients: { survival: sums(survival), acceptance: sums(acceptance) } },
    statistics: file.statistics,
  };
}

/**
 * The trainer state a policy starts from with a prior: its weights (counted as one training, so they are used from
 * the first round), a fresh optimiser, an empty replay buffer and the sampling generator at `seed`.
 */
export function priorTrainerState(prior: PredictorPrior, seed: number): TrainerStateData {
  const { dimension } = prior.model;
  return {
    weights: Float64Array.from(prior.value),
    optimizer: createAdamState(dimension),
    segments: [],
    randomState: seed >>> 0,
    trainings: 1,
    hazard: {
      weights: { survival: Float64Array.from(prior.hazard.weights.survival), acceptance: Float64Array.from(prior.hazard.weights.acceptance) },
      squaredGradients: {
        survival: Float64Array.from(prior.hazard.squaredGradients.survival),
        acceptance: Float64Array.from(prior.hazard.squaredGradients.acceptance),
      },
    },
  };
}

/** A prior from what a trained policy saves (its trainer state must hold the hazard heads: train it with `value` set). */
export function priorFromState(state: TrainerStateData, model: PredictorModelDescription, trainedOn: string[], statistics: { accepted: number; judged: number }): PredictorPrior {
  if (state.hazard === undefined) throw new RangeError('a prior needs the hazard heads: train it with dsp:value=…');
  return { model, trainedOn, value: Float64Array.from(state.weights), hazard: state.hazard, statistics };
}
