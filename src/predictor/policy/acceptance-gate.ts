/**
 * The acceptance gate: our extension of DSP (not in the paper). The round's k is chosen before any guess exists;
 * the gate looks at each guess of A as it arrives and estimates the probability that T will accept it, given the
 * task, the plan so far and the guess itself. The next speculative T call on that guess is useful only if every
 * unverified guess of the round is right, so the policy continues only while the product of those probabilities is
 * at least the threshold θ. A wrong guess that the gate catches saves a T call (and an A call) that would only have
 * been cancelled.
 *
 * The model is an online logistic regression on hashed features, updated after each round with every guess T
 * judged (accepted → 1, rejected → 0; stale guesses after a break are not data). One update touches a dozen weights
 * (about a microsecond), so it runs inline: posting it to a worker would cost more than doing it.
 */
import { confidenceSlotValue } from '../maths/features.js';
import { hashString, mixHash, wordsOf } from '../maths/hashing.js';

/** Settings of the gate. */
export interface GateSettings {
  /** Continue speculating while P(every unverified guess is right) ≥ threshold. 0 turns the gate off. */
  threshold: number;
  /** Judged guesses seen before the gate may stop a round. Default 20. */
  warmUp: number;
  /** SGD step size. Default 0.3. */
  learningRate: number;
  /** log2 of the number of hashed weights. Default 14. */
  hashBits: number;
}

export const gateDefaults: Readonly<Omit<GateSettings, 'threshold'>> = { warmUp: 20, learningRate: 0.3, hashBits: 14 };

/** A guess in context: what the gate sees. */
export interface GuessContext {
  taskText: string;
  /** The plan before the guess (committed actions, then the round's earlier guesses), canonical strings. */
  history: readonly string[];
  /** The guess, canonical string. */
  guess: string;
  /** 1-based step the guess is for. */
  step: number;
  /** A's own confidence in the guess, in [0, 1], when it gave one. */
  confidence?: number;
}

const family = {
  bias: 1,
  guess: 2,
  guessStep: 3,
  lastGuess: 4,
  lastTwoGuess: 5,
  wordGuess: 6,
  step: 7,
  repeat: 8,
  exact: 9,
  taskStepGuess: 10,
  confidence: 11,
  confidenceLogOdds: 12,
} as const;

/** Online logistic regression of "T accepts this guess". */
export class AcceptanceGate {
  readonly settings: Readonly<GateSettings>;
  private readonly weights: Float64Array;
  private readonly mask: number;
  /** The slot of A's confidence as a number (its log-odds). */
  private readonly confidenceSlot: number;
  private judged = 0;
  private readonly wordCache = new Map<string, string[]>();

  constructor(settings: Partial<GateSettings> & Pick<GateSettings, 'threshold'>, state?: { weights: Float64Array; judged: number }) {
    this.settings = { ...gateDefaults, ...settings };
    this.mask = (1 << this.settings.hashBits) - 1;
    this.confidenceSlot = hashString('confidence log-odds', family.confidenceLogOdds) & this.mask;
    this.weights = state?.weights ?? new Float64Array(1 << this.settings.hashBits);
    this.judged = state?.judged ?? 0;
  }

  /** Whether the gate is on at all. */
  get enabled(): boolean {
    return this.settings.threshold > 0;
  }

  /** The learned state (for persistence). */
  exportState(): { weights: Float64Array; judged: number } {
    return { weights: this.weights.slice(), judged: this.judged };
  }

  /** P(T accepts the guess). */
  probability(context: GuessContext): number {
    return 1 / (1 + Math.exp(-this.score(context)));
  }

  /**
   * Whether to speculate past the last of `pending` (the round's unverified guesses, in order): true while the gate
   * is off or warming up, or while the product of their acceptance probabilities is at least the threshold.
   */
  shouldContinue(pending: readonly GuessContext[]): boolean {
    if (!this.enabled || this.judged < this.settings.warmUp) return true;
    let allRight = 1;
    for (const context of pending) {
      allRight *= this.probability(context);
      if (allRight < this.settings.threshold) return false;
    }
    return true;
  }

  /** One SGD step of the log-loss on a judged guess. */
  learn(context: GuessContext, accepted: boolean): void {
    const slots = this.slots(context);
    const gradient = 1 / (1 + Math.exp(-this.score(context, slots))) - (accepted ? 1 : 0);
    const step = (this.settings.learningRate * gradient) / Math.sqrt(slots.length + (context.confidence === undefined ? 0 : 1));
    for (const slot of slots) this.weights[slot] = this.weights[slot]! - step;
    if (context.confidence !== undefined) {
      this.weights[this.confidenceSlot] = this.weights[this.confidenceSlot]! - step * confidenceSlotValue(context.confidence);
    }
    this.judged += 1;
  }

  /** The log-odds of acceptance: the unit-valued slots, and A's confidence as a number when it gave one. */
  private score(context: GuessContext, slots = this.slots(context)): number {
    let score = 0;
    for (const slot of slots) score += this.weights[slot]!;
    if (context.confidence !== undefined) score += this.weights[this.confidenceSlot]! * confidenceSlotValue(context.confidence);
    return score;
  }

  /** The unit-valued slots of a guess in context. */
  private slots(context: GuessContext): number[] {
    const { guess, history, step } = context;
    const last = history[history.length - 1] ?? '<start>';
    const beforeLast = history[history.length - 2] ?? '<start>';
    const guessHash = hashString(guess, family.guess);
    const stepBucket = Math.min(step, 12);
    const slots = [
      hashString('bias', family.bias),
      guessHash,
      mixHash(hashString(guess, family.guessStep), stepBucket),
      hashString(`${last}\u0000${guess}`, family.lastGuess),
      hashString(`${beforeLast}\u0000${last}\u0000${guess}`, family.lastTwoGuess),
      mixHash(hashString('step', family.step), stepBucket),
      mixHash(hashString('repeat', family.repeat), history.includes(guess) ? 1 : 0),
      // Memory of exact situations: the same task, plan and guess seen before (agents repeat tasks and templates).
      hashString(`${context.taskText}\u0000${history.join('\u0001')}\u0000${guess}`, family.exact),
      mixHash(hashString(`${context.taskText}\u0000${guess}`, family.taskStepGuess), stepBucket),
    ];
    for (const word of this.words(context.taskText)) slots.push(hashString(`${word}\u0000${guess}`, family.wordGuess));
    if (context.confidence !== undefined) slots.push(mixHash(hashString('confidence', family.confidence), Math.min(9, Math.max(0, Math.floor(context.confidence * 10)))));
    for (let index = 0; index < slots.length; index += 1) slots[index] = slots[index]! & this.mask;
    return slots;
  }

  private words(text: string): string[] {
    let words = this.wordCache.get(text);
    if (words === undefined) {
      words = [...new Set(wordsOf(text))];
      if (this.wordCache.size > 4096) this.wordCache.clear();
      this.wordCache.set(text, words);
    }
    return words;
  }
}
