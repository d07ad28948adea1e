/**
 * The DSP authors' k-labelled datasets and predictor logs (see FORMATS.md in the shared data), read into plain
 * items for `dsp eval-predictor`. States are text; they are parsed into the predictor's `PredictorState` so our
 * featurizer sees what it would see live: the task, the committed steps (T's), and how A fared at each.
 */
import { readJsonFile, readTextFile } from '../../io/read-text.js';
import { InvalidInputError } from '../../core/errors.js';
import { canonicalAction } from '../../core/actions.js';
import type { StepOutcome } from '../maths/features.js';

/** One state of a dataset, parsed. */
export interface DatasetState {
  /** The raw state text. */
  text: string;
  taskText: string;
  /** Canonical strings of T's steps so far (the committed prefix). */
  history: string[];
  outcomes: StepOutcome[];
}

/** One unit of online learning: the labelled states of one segment (or one lone state). */
export interface DatasetItem {
  states: DatasetState[];
  /** k of each state: steps from it up to and including the break, ≥ 1. */
  labels: number[];
}

/** A dataset read for evaluation. */
export interface KDataset {
  /** `value-func`: trajectories (segments); `predict-k`: lone states. */
  kind: 'value-func' | 'predict-k';
  items: DatasetItem[];
  /** States left out because their k was 0 (stale guesses after a break). */
  skippedStates: number;
}

const stepLine = /^(Approximation|Target) Step (\d+):\s?(.*)$/;

/**
 * Parses a state text: line 1 is the task; after `Previous history:` come `Approximation Step N: X` and
 * `Target Step N: Y` lines (in the old interleaved order, with speculative guesses and repeats). The committed
 * prefix is T's steps 1, 2, … up to the first missing one; A's outcome at step N is `accepted` when the last
 * `Approximation Step N` line equals `Target Step N`, `rejected` when it differs, `no-guess` when absent.
 * Guesses for steps T has not reached are this round's unverified guesses and are not part of the state.
 */
export function parseStateText(text: string): DatasetState {
  const lines = text.split('\n');
  const taskText = (lines[0] ?? '').trim();
  const guesses = new Map<number, string>();
  const targets = new Map<number, string>();
  for (const line of lines.slice(1)) {
    const match = stepLine.exec(line.trim());
    if (match === null) continue;
    const step = Number(match[2]);
    const action = canonicalAction((match[3] ?? '').trim());
    (match[1] === 'Target' ? targets : guesses).set(step, action);
  }
  const history: string[] = [];
  const outcomes: StepOutcome[] = [];
  for (let step = 1; targets.has(step); step += 1) {
    const target = targets.get(step)!;
    const guess = guesses.get(step);
    history.push(target);
    outcomes.push(guess === undefined ? 'no-guess' : guess === target ? 'accepted' : 'rejected');
  }
  return { text, taskText, history, outcomes };
}

/** Reads a `dataset_value_func_*.json` or `dataset_predict_k_*.json` file. Throws `InvalidInputError` otherwise. */
export function loadKDataset(path: string): KDataset {
  return parseKDataset(readJsonFile(path, 'a k-labelled dataset (a JSON list)'), path);
}

/** Interprets parsed JSON as a k-labelled dataset. `source` names it in errors. */
export function parseKDataset(value: unknown, source: string): KDataset {
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidInputError('expected a non-empty JSON list of dataset entries', { source });
  }
  const first: unknown = value[0];
  const isObject = (entry: unknown): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null;
  if (isObject(first) && Array.isArray(first.trajectory)) {
    let skippedStates = 0;
    const items: DatasetItem[] = value.map((entry: unknown, index) => {
      if (!isObject(entry) || !Array.isArray(entry.trajectory)) {
        throw new InvalidInputError(`entry ${index}: expected {"trajectory": [...]}`, { source });
      }
      const states: DatasetState[] = [];
      const labels: number[] = [];
      entry.trajectory.forEach((step: unknown, stepIndex) => {
        if (!isObject(step) || typeof step.state !== 'string' || typeof step.k !== 'number' || !Number.isInteger(step.k) || step.k < 0) {
          throw new InvalidInputError(`entry ${index}, step ${stepIndex}: expected {"state": string, "k": whole number}`, { source });
        }
        if (step.k === 0) {
          skippedStates += 1;
          return;
        }
        states.push(parseStateText(step.state));
        labels.push(step.k);
      });
      return { states, labels };
    });
    return { kind: 'value-func', items: items.filter((item) => item.states.length > 0), skippedStates };
  }
  if (isObject(first) && typeof first.input === 'string') {
    const items = value.map((entry: unknown, index): DatasetItem => {
      if (!isObject(entry) || typeof entry.input !== 'string' || typeof entry.output !== 'number') {
        throw new InvalidInputError(`entry ${index}: expected {"input": string, "output": number}`, { source });
      }
      if (!Number.isInteger(entry.output) || entry.output < 1) {
        throw new InvalidInputError(
          `entry ${index}: output ${entry.output} is not a k ≥ 1 (a stepwise 0/1 dataset is not k-labelled)`,
          { source },
        );
      }
      return { states: [parseStateText(entry.input)], labels: [entry.output] };
    });
    return { kind: 'predict-k', items, skippedStates: 0 };
  }
  throw new InvalidInputError('not a k-labelled dataset: expected entries {"trajectory": [...]} or {"input", "output"}', { source });
}

/** One line of the authors' predictor logs. */
export interface BaselinePrediction {
  groundTruthK: number;
  predictedK: number;
}

/** Reads an authors' predictor log (JSON Lines with `ground_truth_k` and `predicted_k`). */
export function loadBaselineLog(path: string): BaselinePrediction[] {
  const text = readTextFile(path);
  const predictions: BaselinePrediction[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new InvalidInputError(`line ${index + 1}: not valid JSON`, { source: path });
    }
    const record = entry as { ground_truth_k?: unknown; predicted_k?: unknown };
    if (typeof record.ground_truth_k !== 'number' || typeof record.predicted_k !== 'number') {
      throw new InvalidInputError(`line ${index + 1}: expected "ground_truth_k" and "predicted_k" numbers`, { source: path });
    }
    predictions.push({ groundTruthK: record.ground_truth_k, predictedK: record.predicted_k });
  });
  if (predictions.length === 0) throw new InvalidInputError('the baseline log holds no predictions', { source: path });
  return predictions;
}
