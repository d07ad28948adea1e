/**
 * How well A's confidence has told its right guesses from its wrong ones so far in a run (docs/predictor.md, "A's
 * confidence"). The economic policy weighs every guess as it arrives; when A's confidence has proven informative it
 * lets a round run up to its cap and stops it at the first doubtful guess, instead of stopping at a k chosen before
 * any guess existed. Whether it has proven so is a rank statistic over the guesses T judged: the AUC — the chance
 * that a right guess had a higher confidence than a wrong one — from counts in twentieths. Pure and deterministic.
 */

/** Bins of a confidence: twentieths. */
const bins = 20;

/** When a confidence counts as informative (docs/predictor.md gives the measurements behind these). */
export const informativeConfidence = {
  /** Least AUC. */
  auc: 0.85,
  /** Least right and wrong guesses judged before the AUC is trusted. */
  right: 20,
  wrong: 5,
} as const;

export class ConfidenceRecord {
  private readonly right = new Array<number>(bins).fill(0);
  private readonly wrong = new Array<number>(bins).fill(0);
  private rightCount = 0;
  private wrongCount = 0;

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
