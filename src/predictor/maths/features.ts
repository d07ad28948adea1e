/**
 * The featurizer of the DSP predictor (spec §4): turns what a live run knows about a state — the task text, the
 * true prefix, A's record so far in the task and overall, the step position — into a sparse vector of a fixed
 * dimension. Pure: no I/O, no clock, no randomness; the same state always gives the same vector.
 *
 * The vector has a small dense block (bias, step position, acceptance rates, the previous step's outcome, the
 * current run of accepted guesses) followed by a hashed block of word n-grams of the task and of the history's
 * last actions, some of them crossed with the step position.
 */
import { hashString, mixHash, wordsOf } from './hashing.js';

/** How A's guess for one step of the history fared. */
export type StepOutcome = 'accepted' | 'rejected' | 'no-guess';

/**
 * What the predictor may see of a state: exactly what a live run knows when it reaches it. A state inside a round
 * is the committed prefix plus the round's guesses confirmed so far, so this round's confirmed guesses are part of
 * `history` (marked `accepted`).
 */
export interface PredictorState {
  /** The task text. */
  taskText: string;
  /** The true prefix, one canonical action string per step (see `canonicalAction`). */
  history: readonly string[];
  /** How A's guess fared at each step of `history` (same length). */
  outcomes: readonly StepOutcome[];
  /** Guesses of A accepted before this state, over every task seen so far (this one included). */
  overallAccepted: number;
  /** Guesses of A judged (accepted or rejected) before this state, over every task seen so far. */
  overallJudged: number;
  /**
   * A's guess for this state's step, canonical string, when it is known (the acceptance head scores a guess as it
   * arrives). Absent for the state alone (the value and survival heads).
   */
  guess?: string;
  /** A's own confidence in `guess`, in [0, 1], when it gave one (`AgentResult.confidence`). */
  guessConfidence?: number;
}

/** A sparse feature vector: parallel arrays of slot indices and values. Indices may repeat (hash collisions add). */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Bumped whenever the meaning of a feature slot changes; a saved state of another version is incompatible. */
export const featurizerVersion = 4;

/** Earlier featurizer versions whose saved weights each version reads as they are. */
const readsEarlier: Readonly<Record<number, readonly number[]>> = {
  // Version 4 only added a slot (A's confidence as a number) that nothing of version 3 trained.
  4: [3],
};

/** Whether weights saved with featurizer version `saved` (a state or a prior) read under version `current`. */
export function readsFeaturizerVersion(saved: number, current: number): boolean {
  return saved === current || (readsEarlier[current]?.includes(saved) ?? false);
}

/** Slots of the dense block. */
const dense = {
  bias: 0,
  stepScaled: 1,
  taskRate: 2,
  taskJudgedScaled: 3,
  overallRate: 4,
  streakScaled: 5,
  /** One-hot: start of task, accepted, rejected, no guess. */
  previousOutcome: 6,
  /** One-hot of the step number 1..11, then 12 and later. */
  stepOneHot: 10,
  /** One-hot of the run of accepted guesses just before this step: 0..4, then 5 and more. */
  streakOneHot: 22,
  /** One-hot: nothing judged yet in the task, task rate < 1/3, < 2/3, ≥ 2/3. */
  taskRateBin: 28,
} as const;

/** Number of slots in the dense block. */
export const denseFeatureCount = 32;

const stepBuckets = 12;
const streakBuckets = 6;

/** Default number of bits of the hashed block (2^14 = 16,384 slots). */
export const defaultHashBits = 14;

/** Seeds of the hashed feature families, so that the same word in two families lands in different slots. */
const family = {
  taskWord: 1,
  taskBigram: 2,
  taskWhole: 3,
  taskWholeStep: 4,
  taskWordStep: 5,
  lastAction: 6,
  lastTwoActions: 7,
  lastActionWord: 8,
  lastTool: 9,
  guess: 11,
  guessStep: 12,
  lastGuess: 13,
  lastTwoGuess: 14,
  guessTool: 15,
  lastToolGuessTool: 16,
  guessToolStep: 17,
  lastTwoToolsGuessTool: 18,
  guessRepeats: 19,
  exactGuess: 20,
  taskGuessStep: 21,
  offset: 22,
  offsetStep: 23,
  confidence: 24,
  confidenceTool: 25,
  confidenceLogit: 26,
} as const;

/** Bins of A's confidence in a guess: tenths. */
const confidenceBins = 10;

/**
 * A's confidence as the value of a numeric slot: its log-odds, clipped to ±4 (confidences of 0 and 1 are finite) and
 * halved, so that the slot's value stays within ±2 like the rest of a vector. The featurizer and the acceptance gate
 * both read a confidence through it.
 */
export function confidenceSlotValue(confidence: number): number {
  const p = Math.min(1 - 1e-6, Math.max(1e-6, confidence));
  return Math.max(-4, Math.min(4, Math.log(p / (1 - p)))) / 2;
}

/**
 * A's confidence in a guess: binned, alone and by the guess's tool (how far to trust it is learned like everything
 * else), and as a number, its log-odds — one weight shared by every guess, so a confidence that ranks guesses well is
 * taken up in a few dozen judged guesses where ten bins × tools take hundreds. (Its own function: inside the guess
 * block it made every featurization measurably slower.)
 */
function pushConfidence(confidence: number, toolHash: number, push: (index: number, value: number) => void, hashed: (hash: number) => number): void {
  const bin = Math.min(confidenceBins - 1, Math.max(0, Math.floor(confidence * confidenceBins)));
  push(hashed(mixHash(family.confidence * 0x1000193, bin)), 1);
  push(hashed(mixHash(toolHash ^ family.confidenceTool, bin)), 1);
  push(hashed(mixHash(family.confidenceLogit * 0x1000193, 1)), confidenceSlotValue(confidence));
}

/**
 * The tool of an action (canonical string): the text before its first `[` or `(`, without JSON quotes, e.g.
 * `"FlightSearch[Oakland, Tucson]"` → `FlightSearch`. An action with no arguments is its own tool. Tool names
 * generalize across tasks where whole actions (with their arguments) do not.
 */
export function toolOf(action: string): string {
  const text = action.startsWith('"') ? action.slice(1) : action;
  const end = text.search(/[[(]/);
  return (end < 0 ? text.replace(/"$/, '') : text.slice(0, end)).trim();
}

/**
 * The survival head's vector for "A's guesses up to `offset` steps ahead of the state at `step`": the state's own
 * vector plus two slots for the offset (alone, and crossed with the step the guess lands on). Pure; the trainer and
 * the policy build the same vector. `dimension` is the featurizer's.
 */
export function withOffset(base: SparseVector, step: number, offset: number, dimension: number): SparseVector {
  const mask = dimension - denseFeatureCount - 1;
  const indices = new Int32Array(base.indices.length + 2);
  const values = new Float64Array(base.values.length + 2);
  indices.set(base.indices);
  values.set(base.values);
  const at = base.indices.length;
  indices[at] = denseFeatureCount + (mixHash(family.offset * 0x1000193, offset) & mask);
  indices[at + 1] = denseFeatureCount + (mixHash(mixHash(family.offsetStep * 0x1000193, offset), Math.min(step + offset - 1, stepBuckets)) & mask);
  values[at] = 1;
  values[at + 1] = 1;
  return { indices, values };
}

/** The total dimension of vectors made with `hashBits`. */
export function featureDimension(hashBits = defaultHashBits): number {
  return denseFeatureCount + 2 ** hashBits;
}

interface TaskFeatures {
  /** Hashed slots and values that do not depend on the step. */
  indices: number[];
  values: number[];
  /** Hashes of task words (crossed with the step bucket at featurization). */
  wordHashes: number[];
  wordValue: number;
  wholeHash: number;
}

/** Options of a `Featurizer`. */
export interface FeaturizerOptions {
  /** Bits of the hashed block. Default 14. */
  hashBits?: number;
  /** Tasks whose text features are cached. Default 512. */
  taskCacheSize?: number;
}

/** Turns predictor states into sparse vectors. Caches per-task and per-action work, so a call costs microseconds. */
export class Featurizer {
  /** Dimension of the vectors produced. */
  readonly dimension: number;
  private readonly hashMask: number;
  private readonly taskCache = new Map<string, TaskFeatures>();
  private readonly taskCacheSize: number;
  private readonly actionCache = new Map<string, { hash: number; wordHashes: number[]; toolHash: number; guessHash: number; guessToolHash: number }>();
  private readonly indexScratch: number[] = [];
  private readonly valueScratch: number[] = [];

  constructor(options: FeaturizerOptions = {}) {
    const bits = options.hashBits ?? defaultHashBits;
    if (!Number.isInteger(bits) || bits < 4 || bits > 24) throw new RangeError(`hashBits must be 4..24, got ${bits}`);
    this.hashMask = 2 ** bits - 1;
    this.dimension = featureDimension(bits);
    this.taskCacheSize = options.taskCacheSize ?? 512;
  }

  /** The sparse vector of `state`. */
  featurize(state: PredictorState): SparseVector {
    const indices = this.indexScratch;
    const values = this.valueScratch;
    indices.length = 0;
    values.length = 0;
    const push = (index: number, value: number): void => {
      indices.push(index);
      values.push(value);
    };
    const hashed = (hash: number): number => denseFeatureCount + (hash & this.hashMask);

    const step = state.history.length + 1;
    const stepBucket = Math.min(step, stepBuckets);
    let accepted = 0;
    let judged = 0;
    for (const outcome of state.outcomes) {
      if (outcome === 'accepted') accepted += 1;
      if (outcome !== 'no-guess') judged += 1;
    }
    let streak = 0;
    for (let index = state.outcomes.length - 1; index >= 0 && state.outcomes[index] === 'accepted'; index -= 1) streak += 1;
    const previous = state.outcomes[state.outcomes.length - 1];
    const previousCode = previous === undefined ? 0 : previous === 'accepted' ? 1 : previous === 'rejected' ? 2 : 3;
    const taskRate = (accepted + 1) / (judged + 2);
    const overallRate = (state.overallAccepted + 1) / (state.overallJudged + 2);

    push(dense.bias, 1);
    push(dense.stepScaled, Math.min(step, 20) / 10);
    push(dense.taskRate, taskRate - 0.5);
    if (judged > 0) push(dense.taskJudgedScaled, Math.min(judged, 20) / 10);
    push(dense.overallRate, overallRate - 0.5);
    if (streak > 0) push(dense.streakScaled, Math.min(streak, 10) / 5);
    push(dense.previousOutcome + previousCode, 1);
    push(dense.stepOneHot + stepBucket - 1, 1);
    push(dense.streakOneHot + Math.min(streak, streakBuckets - 1), 1);
    push(dense.taskRateBin + (judged === 0 ? 0 : taskRate < 1 / 3 ? 1 : taskRate < 2 / 3 ? 2 : 3), 1);

    const task = this.taskFeatures(state.taskText);
    for (let index = 0; index < task.indices.length; index += 1) push(task.indices[index]!, task.values[index]!);
    push(hashed(mixHash(task.wholeHash, stepBucket)), 1);
    for (const wordHash of task.wordHashes) push(hashed(mixHash(wordHash, stepBucket)), task.wordValue);

    const last = state.history[state.history.length - 1];
    if (last !== undefined) {
      const action = this.actionFeatures(last);
      push(hashed(action.hash), 1);
      push(hashed(mixHash(action.hash, stepBucket)), 1);
      push(hashed(mixHash(action.hash, 100 + previousCode)), 1);
      const wordValue = 1 / Math.sqrt(Math.max(1, action.wordHashes.length));
      for (const wordHash of action.wordHashes) push(hashed(wordHash), wordValue);
      const beforeLast = state.history[state.history.length - 2];
      const before = beforeLast === undefined ? undefined : this.actionFeatures(beforeLast);
      push(hashed(mixHash(action.hash ^ hashString('|', family.lastTwoActions), before?.hash ?? 0)), 1);
    }
    if (state.guess !== undefined) this.pushGuess(state, task.wholeHash, stepBucket, push, hashed);
    return { indices: Int32Array.from(indices), values: Float64Array.from(values) };
  }

  /** The guess block: the guess, its tool, and both crossed with the step and the last actions; an exact-situation slot. */
  private pushGuess(
    state: PredictorState,
    taskHash: number,
    stepBucket: number,
    push: (index: number, value: number) => void,
    hashed: (hash: number) => number,
  ): void {
    const guess = this.actionFeatures(state.guess!);
    const lastAction = state.history[state.history.length - 1];
    const beforeLast = state.history[state.history.length - 2];
    const last = lastAction === undefined ? undefined : this.actionFeatures(lastAction);
    const before = beforeLast === undefined ? undefined : this.actionFeatures(beforeLast);
    push(hashed(guess.guessHash), 1);
    push(hashed(mixHash(guess.guessHash ^ family.guessStep, stepBucket)), 1);
    push(hashed(mixHash(guess.guessHash ^ family.lastGuess, last?.hash ?? 0)), 1);
    push(hashed(mixHash(mixHash(guess.guessHash ^ family.lastTwoGuess, last?.hash ?? 0), before?.hash ?? 0)), 1);
    push(hashed(guess.guessToolHash), 1);
    push(hashed(mixHash(guess.guessToolHash ^ family.lastToolGuessTool, last?.toolHash ?? 0)), 1);
    push(hashed(mixHash(guess.guessToolHash ^ family.guessToolStep, stepBucket)), 1);
    push(hashed(mixHash(mixHash(guess.guessToolHash ^ family.lastTwoToolsGuessTool, last?.toolHash ?? 0), before?.toolHash ?? 0)), 1);
    push(hashed(mixHash(family.guessRepeats, state.history.includes(state.guess!) ? 1 : 0)), 1);
    push(hashed(mixHash(mixHash(guess.guessHash ^ family.taskGuessStep, taskHash), stepBucket)), 1);
    // Memory of the exact situation (the same task, plan and guess seen before): agents repeat tasks and templates.
    let exact = mixHash(guess.guessHash ^ family.exactGuess, taskHash);
    for (const action of state.history) exact = mixHash(exact, this.actionFeatures(action).hash);
    push(hashed(exact), 1);
    if (state.guessConfidence !== undefined) pushConfidence(state.guessConfidence, guess.guessToolHash, push, hashed);
  }

  private taskFeatures(text: string): TaskFeatures {
    const cached = this.taskCache.get(text);
    if (cached !== undefined) return cached;
    const hashed = (hash: number): number => denseFeatureCount + (hash & this.hashMask);
    const words = [...new Set(wordsOf(text))];
    const allWords = wordsOf(text);
    const bigrams = new Set<string>();
    for (let index = 1; index < allWords.length; index += 1) bigrams.add(`${allWords[index - 1]} ${allWords[index]}`);
    const indices: number[] = [];
    const values: number[] = [];
    const wordValue = 1 / Math.sqrt(Math.max(1, words.length));
    for (const word of words) {
      indices.push(hashed(hashString(word, family.taskWord)));
      values.push(wordValue);
    }
    const bigramValue = 1 / Math.sqrt(Math.max(1, bigrams.size));
    for (const bigram of bigrams) {
      indices.push(hashed(hashString(bigram, family.taskBigram)));
      values.push(bigramValue);
    }
    const wholeHash = hashString(allWords.join(' '), family.taskWhole);
    indices.push(hashed(wholeHash));
    values.push(1);
    const features: TaskFeatures = {
      indices,
      values,
      wordHashes: words.map((word) => hashString(word, family.taskWordStep)),
      wordValue,
      wholeHash: hashString(allWords.join(' '), family.taskWholeStep),
    };
    if (this.taskCache.size >= this.taskCacheSize) {
      const oldest = this.taskCache.keys().next().value;
      if (oldest !== undefined) this.taskCache.delete(oldest);
    }
    this.taskCache.set(text, features);
    return features;
  }

  private actionFeatures(action: string): { hash: number; wordHashes: number[]; toolHash: number; guessHash: number; guessToolHash: number } {
    const cached = this.actionCache.get(action);
    if (cached !== undefined) return cached;
    const tool = toolOf(action);
    const features = {
      hash: hashString(action, family.lastAction),
      wordHashes: [...new Set(wordsOf(action))].map((word) => hashString(word, family.lastActionWord)),
      toolHash: hashString(tool, family.lastTool),
      guessHash: hashString(action, family.guess),
      guessToolHash: hashString(tool, family.guessTool),
    };
    if (this.actionCache.size >= 4096) this.actionCache.clear();
    this.actionCache.set(action, features);
    return features;
  }
}
