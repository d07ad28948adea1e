/**
 * How well A's confidence has told its right guesses from its wrong ones so far (docs/predictor.md, "A's
 * confidence"), in a run and, with a saved predictor state, in the runs before it. The economic policy weighs every
 * guess as it arrives; when A's confidence has proven informative it lets a round run up to its cap and stops it at
 * the first doubtful guess, instead of stopping at a k chosen before any guess existed. Whether it has proven so is a
 * rank statistic over the guesses T judged: the AUC — the chance that a right guess had a higher confidence than a
 * wrong one — from counts in twentieths. Pure and deterministic.
 */

/** Bins of a confidence: twentieths. */
export const confidenceRecordBins = 20;
const bins = confidenceRecordBins;

/** When a confidence counts as informative (docs/predictor.md gives the measurements behind these). */
export const informativeConfidence = {
  /** Least AUC. */
  auc: 0.85,
  /** Least right and wrong guesses judged before the AUC is trusted. */
  right: 20,
  wrong: 5,
} as const;

/** What a record keeps, as saved with the predictor's state: judged guesses counted per bin of their confidence. */
export interface ConfidenceRecordData {
  /** Right guesses per bin (`confidenceRecordBins` counts; bin b holds confidences in [b/20, (b+1)/20)). */
  right: number[];
  /** Wrong guesses per bin. */
  wrong: number[];
}

export class ConfidenceRecord {
  private readonly right: number[];
  private readonly wrong: number[];
  private rightCount: number;
  private wrongCount: number;

  /** An empty record, or one carrying on from `saved` (a record exported by an earlier run). */
  constructor(saved?: ConfidenceRecordData) {
    if (saved !== undefined && (saved.right.length !== bins || saved.wrong.length !== bins)) {
      throw new RangeError(`a confidence record holds ${bins} counts of right and of wrong guesses, got ${saved.right.length} and ${saved.wrong.length}`);
    }
    this.right = saved === undefined ? new Array<number>(bins).fill(0) : [...saved.right];
    this.wrong = saved === undefined ? new Array<number>(bins).fill(0) : [...saved.wrong];
    this.rightCount = this.right.reduce((sum, value) => sum + value, 0);
    this.wrongCount = this.wrong.reduce((sum, value) => sum + value, 0);
  }

  /** Guesses counted so far. */
  get judged(): number {
    return this.rightCount + this.wrongCount;
  }

  /** The counts, to be saved and passed back to the constructor in a later run. */
  exportState(): ConfidenceRecordData {
    return { right: [...this.right], wrong: [...this.wrong] };
  }

  /** Counts one judged guess that carried a confidence in [0, 1]. */
  add(confidence: number, accepted: boolean): void {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
    if (accepted) {
      this.right[bin]! += 1;
      this.rightCount += 1;
    } else {
      this.wrong[bin]! += 1;
      this.wrongCount += 1;
    }
  }

  /** P(a right guess's confidence is above a wrong one's), ties (same bin) counted half; undefined with no pair. */
  auc(): number | undefined {
    if (this.rightCount === 0 || this.wrongCount === 0) return undefined;
    let wins = 0;
    let wrongBelow = 0;
    for (let bin = 0; bin < bins; bin += 1) {
      wins += this.right[bin]! * (wrongBelow + this.wrong[bin]! / 2);
      wrongBelow += this.wrong[bin]!;
    }
    return wins / (this.rightCount * this.wrongCount);
  }

  /** Whether enough guesses were judged and the AUC reached `informativeConfidence.auc`. */
  informative(): boolean {
    if (this.rightCount < informativeConfidence.right || this.wrongCount < informativeConfidence.wrong) return false;
    return (this.auc() ?? 0) >= informativeConfidence.auc;
  }
}
