/**
 * Online evaluation of the predictor on a k-labelled dataset, as it would run live: items in order, each state
 * predicted first (cold-start k before the first training), then the item learned. Pure maths on the shared
 * `TrainerCore`; no worker, no I/O.
 */
import { Featurizer, type PredictorState, type SparseVector } from '../maths/features.js';
import type { DatasetItem, KDataset } from './dataset.js';
import { coldStartK, kFromValue, trainerSettingsOf, type DspSettings } from '../policy/dsp-settings.js';
import type { Segment } from '../maths/segment.js';
import { TrainerCore } from '../training/trainer-core.js';

/** One prediction against its label. */
export interface PredictionRecord {
  /** The true k. */
  label: number;
  /** The k the policy would choose. */
  predictedK: number;
  /** V̂ before rounding, or undefined during the cold start. */
  value: number | undefined;
}

/** Summary figures of a list of predictions. */
export interface PredictionSummary {
  count: number;
  /** Share with k̂ ∈ {k, k+1} (the authors' success criterion). */
  accuracy: number;
  /** Share with k̂ = k. */
  exact: number;
  /** Mean |k̂ − k|. */
  meanAbsoluteError: number;
  /** Share with k̂ ≥ k: the speculation would have reached the break. */
  coverage: number;
  meanLabel: number;
  meanPredictedK: number;
}

/** One row of the calibration table: the predictions that chose one k̂. */
export interface CalibrationRow {
  predictedK: number;
  count: number;
  /** Mean V̂ of the row (NaN for cold-start predictions only). */
  meanValue: number;
  meanLabel: number;
  /** Share with k = k̂. */
  exact: number;
  /** Share with k ≤ k̂. */
  coverage: number;
}

/** The outcome of an online evaluation. */
export interface EvaluationResult {
  predictions: PredictionRecord[];
  summary: PredictionSummary;
  calibration: CalibrationRow[];
  /** Training runs done. */
  trainings: number;
}

/** Accuracy, MAE and the rest of a list of (label, k̂) pairs. */
export function summarizePredictions(predictions: ReadonlyArray<{ label: number; predictedK: number }>): PredictionSummary {
  const count = predictions.length;
  let accurate = 0;
  let exact = 0;
  let absoluteError = 0;
  let covered = 0;
  let labelSum = 0;
  let predictedSum = 0;
  for (const { label, predictedK } of predictions) {
    if (predictedK === label || predictedK === label + 1) accurate += 1;
    if (predictedK === label) exact += 1;
    if (predictedK >= label) covered += 1;
    absoluteError += Math.abs(predictedK - label);
    labelSum += label;
    predictedSum += predictedK;
  }
  const share = (value: number): number => (count === 0 ? Number.NaN : value / count);
  return {
    count,
    accuracy: share(accurate),
    exact: share(exact),
    meanAbsoluteError: share(absoluteError),
    coverage: share(covered),
    meanLabel: share(labelSum),
    meanPredictedK: share(predictedSum),
  };
}

/** Predictions grouped by the k̂ chosen. */
export function calibrationTable(predictions: readonly PredictionRecord[]): CalibrationRow[] {
  const groups = new Map<number, PredictionRecord[]>();
  for (const prediction of predictions) {
    const group = groups.get(prediction.predictedK);
    if (group === undefined) groups.set(prediction.predictedK, [prediction]);
    else group.push(prediction);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([predictedK, group]) => {
      const values = group.map((prediction) => prediction.value).filter((value): value is number => value !== undefined);
      return {
        predictedK,
        count: group.length,
        meanValue: values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length,
        meanLabel: group.reduce((sum, prediction) => sum + prediction.label, 0) / group.length,
        exact: group.filter((prediction) => prediction.label === predictedK).length / group.length,
        coverage: group.filter((prediction) => prediction.label <= predictedK).length / group.length,
      };
    });
}

/** Options of `evaluateOnline`. */
export interface EvaluateOptions {
  settings: DspSettings;
  /** Seed of the trainer's sampling. Default 1. */
  seed?: number;
  /** Bits of the hashed feature block. Default 14. */
  hashBits?: number;
}

/**
 * Replays a dataset online: for each item, predict every state, then learn the item. Items of a value-function
 * dataset are segments (their states keyed by step so the λ-return links them); a lone state with label k is a
 * segment whose break is k − 1 steps after it.
 */
export function evaluateOnline(dataset: KDataset, options: EvaluateOptions): EvaluationResult {
  const { settings } = options;
  const featurizer = options.hashBits === undefined ? new Featurizer() : new Featurizer({ hashBits: options.hashBits });
  const core = new TrainerCore(trainerSettingsOf(settings, featurizer.dimension, options.seed ?? 1));
  let overallAccepted = 0;
  let overallJudged = 0;
  const predictions: PredictionRecord[] = [];
  for (const item of dataset.items) {
    const features = item.states.map((state) =>
      featurizer.featurize({ ...state, overallAccepted, overallJudged } satisfies PredictorState),
    );
    item.labels.forEach((label, index) => {
      if (core.trainings === 0) {
        predictions.push({ label, predictedK: coldStartK(settings), value: undefined });
      } else {
        const value = core.predict(features[index]!);
        const predictedK = kFromValue(settings, value);
        predictions.push({ label, predictedK, value });
      }
    });
    core.addSegments(itemSegments(item, features));
    core.train();
    const first = item.labels[0]!;
    overallAccepted += first - 1;
    overallJudged += first;
  }
  return { predictions, summary: summarizePredictions(predictions), calibration: calibrationTable(predictions), trainings: core.trainings };
}

/** An item as segments: one segment when its labels count down by one, else one segment per state. */
function itemSegments(item: DatasetItem, features: readonly SparseVector[]): Segment[] {
  const { labels } = item;
  const countsDown = labels.every((label, index) => index === 0 || label === labels[index - 1]! - 1);
  if (countsDown) {
    const breakStep = labels[0]!;
    return [{ steps: labels.map((label) => breakStep - label + 1), features: [...features], breakStep }];
  }
  return labels.map((label, index) => ({ steps: [1], features: [features[index]!], breakStep: label }));
}
