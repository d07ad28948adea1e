/**
 * The text format of the DSP predictor's learned state (`dsp-predictor-state/1`): weights, optimiser state, replay
 * buffer, sampling generator, overall acceptance counts, the acceptance gate, the record of A's confidence, and what
 * the numbers mean (format version, featurizer version, dimension). JSON with float arrays as base64 of little-endian
 * doubles. Text that cannot be read as a compatible state raises `CorruptStateError` naming where it came from and
 * the problem.
 * Pure: reading and writing files is the file store's (`file-state-store.ts`).
 */
import { z } from 'zod';
import { CorruptStateError } from '../../core/errors.js';
import { describeValidationIssues } from '../../core/validation-issues.js';
import { readsFeaturizerVersion, type SparseVector } from '../maths/features.js';
import type { Segment } from '../maths/segment.js';
import type { HazardStateData } from '../training/trainer-core.js';
import type { PredictorModelDescription, PredictorSnapshot } from '../policy/predictor-state.js';
import { confidenceRecordBins } from '../policy/confidence-record.js';

/** The format tag of a saved predictor state. */
export const predictorStateFormat = 'dsp-predictor-state/1';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64 text');
const count = z.number().int().nonnegative();
const vectorSchema = z.object({ indices: z.array(count), values: z.array(z.number()) });

const fileSchema = z.object({
  format: z.string(),
  model: z.object({ kind: z.literal('linear'), dimension: z.number().int().positive(), featurizerVersion: z.number().int() }),
  trainer: z.object({
    weights: base64,
    optimizer: z.object({ firstMoment: base64, secondMoment: base64, step: count }),
    segments: z.array(
      z.object({
        steps: z.array(z.number().int().positive()),
        breakStep: z.number().int().positive(),
        features: z.array(vectorSchema),
        guessFeatures: z.array(vectorSchema).optional(),
      }),
    ),
    randomState: z.number().int().nonnegative().max(0xffffffff),
    trainings: count,
    hazard: z
      .object({ survival: base64, acceptance: base64, survivalSquaredGradients: base64, acceptanceSquaredGradients: base64 })
      .optional(),
  }),
  statistics: z.object({ accepted: count, judged: count }),
  settings: z.record(z.string(), z.union([z.number(), z.string()])).optional(),
  gate: z.object({ weights: base64, judged: count }).optional(),
  confidence: z.object({ right: z.array(count).length(confidenceRecordBins), wrong: z.array(count).length(confidenceRecordBins) }).optional(),
});

function encodeFloats(values: Float64Array): string {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((value, index) => bytes.writeDoubleLE(value, index * 8));
  return bytes.toString('base64');
}

function decodeFloats(text: string, expectedLength: number, what: string, location: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== expectedLength * 8) {
    throw new CorruptStateError(
      location,
      `damaged predictor state: ${what} holds ${bytes.length} bytes, expected ${expectedLength} numbers (${expectedLength * 8} bytes)`,
    );
  }
  const values = new Float64Array(expectedLength);
  for (let index = 0; index < expectedLength; index += 1) {
    const value = bytes.readDoubleLE(index * 8);
    if (!Number.isFinite(value)) throw new CorruptStateError(location, `${what} holds a non-finite number at ${index}`);
    values[index] = value;
  }
  return values;
}

function plainVector(vector: SparseVector): { indices: number[]; values: number[] } {
  return { indices: [...vector.indices], values: [...vector.values] };
}

type SavedSegment = z.infer<typeof fileSchema>['trainer']['segments'][number];

/** One saved segment, checked: steps ascending up to the break, one valid vector per step (and per guess, when saved). */
function parseSegment(segment: SavedSegment, where: string, dimension: number, location: string): Segment {
  if (segment.steps.length !== segment.features.length) {
    throw new CorruptStateError(location, `damaged predictor state: ${where} has ${segment.steps.length} steps but ${segment.features.length} feature vectors`);
  }
  segment.steps.forEach((step, index) => {
    if (step > segment.breakStep || (index > 0 && step <= segment.steps[index - 1]!)) {
      throw new CorruptStateError(location, `damaged predictor state: ${where} steps must ascend and end at or before the break step`);
    }
  });
  const vectors = (list: ReadonlyArray<{ indices: number[]; values: number[] }>, field: string): SparseVector[] =>
    list.map((vector, vectorIndex) => {
      if (vector.indices.length !== vector.values.length || vector.indices.some((index) => index >= dimension) || !vector.values.every(Number.isFinite)) {
        throw new CorruptStateError(location, `damaged predictor state: ${where}.${field}.${vectorIndex} is not a valid feature vector`);
      }
      return { indices: Int32Array.from(vector.indices), values: Float64Array.from(vector.values) };
    });
  const read: Segment = { steps: segment.steps, features: vectors(segment.features, 'features'), breakStep: segment.breakStep };
  if (segment.guessFeatures !== undefined) {
    if (segment.guessFeatures.length !== segment.steps.length) {
      throw new CorruptStateError(location, `damaged predictor state: ${where} has ${segment.steps.length} steps but ${segment.guessFeatures.length} guess feature vectors`);
    }
    read.guessFeatures = vectors(segment.guessFeatures, 'guessFeatures');
  }
  return read;
}

/** The hazard heads of a saved state, checked. */
function parseHazard(
  hazard: { survival: string; acceptance: string; survivalSquaredGradients: string; acceptanceSquaredGradients: string },
  dimension: number,
  location: string,
): HazardStateData {
  const floats = (text: string, field: string): Float64Array => decodeFloats(text, dimension, `trainer.hazard.${field}`, location);
  return {
    weights: { survival: floats(hazard.survival, 'survival'), acceptance: floats(hazard.acceptance, 'acceptance') },
    squaredGradients: {
      survival: floats(hazard.survivalSquaredGradients, 'survivalSquaredGradients'),
      acceptance: floats(hazard.acceptanceSquaredGradients, 'acceptanceSquaredGradients'),
    },
  };
}

/** The JSON text of a snapshot. */
export function serializePredictorState(snapshot: PredictorSnapshot): string {
  const { trainer } = snapshot;
  const file = {
    format: predictorStateFormat,
    model: snapshot.model,
    trainer: {
      weights: encodeFloats(trainer.weights),
      optimizer: {
        firstMoment: encodeFloats(trainer.optimizer.firstMoment),
        secondMoment: encodeFloats(trainer.optimizer.secondMoment),
        step: trainer.optimizer.step,
      },
      segments: trainer.segments.map((segment) => ({
        steps: segment.steps,
        breakStep: segment.breakStep,
        features: segment.features.map(plainVector),
        ...(segment.guessFeatures === undefined ? {} : { guessFeatures: segment.guessFeatures.map(plainVector) }),
      })),
      randomState: trainer.randomState,
      trainings: trainer.trainings,
      ...(trainer.hazard === undefined
        ? {}
        : {
            hazard: {
              survival: encodeFloats(trainer.hazard.weights.survival),
              acceptance: encodeFloats(trainer.hazard.weights.acceptance),
              survivalSquaredGradients: encodeFloats(trainer.hazard.squaredGradients.survival),
              acceptanceSquaredGradients: encodeFloats(trainer.hazard.squaredGradients.acceptance),
            },
          }),
    },
    statistics: snapshot.statistics,
    ...(snapshot.settings === undefined ? {} : { settings: snapshot.settings }),
    ...(snapshot.gate === undefined ? {} : { gate: { weights: encodeFloats(snapshot.gate.weights), judged: snapshot.gate.judged } }),
    ...(snapshot.confidence === undefined ? {} : { confidence: snapshot.confidence }),
  };
  return `${JSON.stringify(file)}\n`;
}

/**
 * Parses a saved state and checks it against the model this predictor uses. `location` (the file, or wherever the
 * text came from) is named in errors. Throws `CorruptStateError` when the text is not a state, is damaged, or was
 * made for another model.
 */
export function parsePredictorState(text: string, location: string, expected: PredictorModelDescription): PredictorSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(location, `not a predictor state: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== predictorStateFormat) {
    const found = format === undefined ? 'no "format" field' : `format ${JSON.stringify(format)}`;
    throw new CorruptStateError(location, `not a predictor state of a format this version reads: ${found}, expected "${predictorStateFormat}"`);
  }
  const parsed = fileSchema.safeParse(value);
  if (!parsed.success) {
    throw new CorruptStateError(location, `damaged predictor state: ${describeValidationIssues(parsed.error.issues)}`);
  }
  const file = parsed.data;
  if (!readsFeaturizerVersion(file.model.featurizerVersion, expected.featurizerVersion) || file.model.dimension !== expected.dimension) {
    throw new CorruptStateError(
      location,
      `incompatible predictor state: saved for a ${file.model.kind} model with ${file.model.dimension} weights and ` +
        `featurizer version ${file.model.featurizerVersion}; this predictor has ${expected.dimension} weights and ` +
        `featurizer version ${expected.featurizerVersion}. Use another file, or delete this one to start afresh.`,
    );
  }
  const dimension = expected.dimension;
  const segments = file.trainer.segments.map((segment, segmentIndex) => parseSegment(segment, `trainer.segments.${segmentIndex}`, dimension, location));
  if (file.statistics.accepted > file.statistics.judged) {
    throw new CorruptStateError(location, 'damaged predictor state: statistics.accepted exceeds statistics.judged');
  }
  const snapshot: PredictorSnapshot = {
    model: { kind: file.model.kind, dimension, featurizerVersion: expected.featurizerVersion },
    trainer: {
      weights: decodeFloats(file.trainer.weights, dimension, 'trainer.weights', location),
      optimizer: {
        firstMoment: decodeFloats(file.trainer.optimizer.firstMoment, dimension, 'trainer.optimizer.firstMoment', location),
        secondMoment: decodeFloats(file.trainer.optimizer.secondMoment, dimension, 'trainer.optimizer.secondMoment', location),
        step: file.trainer.optimizer.step,
      },
      segments,
      randomState: file.trainer.randomState,
      trainings: file.trainer.trainings,
    },
    statistics: file.statistics,
  };
  if (file.trainer.hazard !== undefined) snapshot.trainer.hazard = parseHazard(file.trainer.hazard, dimension, location);
  if (file.settings !== undefined) snapshot.settings = file.settings;
  if (file.gate !== undefined) {
    const length = Buffer.from(file.gate.weights, 'base64').length / 8;
    if (!Number.isInteger(length) || length === 0 || (length & (length - 1)) !== 0) {
      throw new CorruptStateError(location, `damaged predictor state: gate.weights holds ${length} numbers, expected a power of two`);
    }
    snapshot.gate = { weights: decodeFloats(file.gate.weights, length, 'gate.weights', location), judged: file.gate.judged };
  }
  if (file.confidence !== undefined) snapshot.confidence = { right: [...file.confidence.right], wrong: [...file.confidence.wrong] };
  return snapshot;
}
