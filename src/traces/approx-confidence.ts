/**
 * How well A's recorded confidence tells its right guesses from its wrong ones (spec §6, the call field
 * `confidence`): what to look at first in a run recorded with `dsp run --approx-confidence`, since the economic
 * policy lets an informative confidence steer its rounds (docs/predictor.md, "A's confidence"). Pure.
 */
import { exactMatch } from '../core/actions.js';
import type { Trace } from './schema.js';

/** A's confidence over a set of traces. */
export interface ApproxConfidenceSummary {
  /** Guesses of A (on the true prefix) that carry a confidence. */
  guesses: number;
  /** Of them, the ones that are T's action. */
  right: number;
  /**
   * P(a right guess has a higher confidence than a wrong one), ties counted half: 0.5 = tells nothing, 1 = tells
   * them apart. Null without both a right and a wrong guess.
   */
  auc: number | null;
}

/** The summary of A's confidence in `traces`, or undefined when no guess carries one. */
export function approxConfidenceSummary(traces: readonly Trace[]): ApproxConfidenceSummary | undefined {
  const scored: Array<{ confidence: number; right: boolean }> = [];
  for (const step of traces.flatMap((trace) => trace.steps)) {
    if (step.approx?.confidence === undefined) continue;
    scored.push({ confidence: step.approx.confidence, right: exactMatch(step.approx.action, step.target.action) });
  }
  if (scored.length === 0) return undefined;
  const right = scored.filter((entry) => entry.right).length;
  const wrong = scored.length - right;
  if (right === 0 || wrong === 0) return { guesses: scored.length, right, auc: null };
  // Mann–Whitney: the rank sum of the right guesses, ranks averaged over ties.
  scored.sort((a, b) => a.confidence - b.confidence);
  let rightRankSum = 0;
  for (let start = 0; start < scored.length; ) {
    let end = start;
    while (end + 1 < scored.length && scored[end + 1]!.confidence === scored[start]!.confidence) end += 1;
    const rank = (start + end) / 2 + 1;
    for (let index = start; index <= end; index += 1) if (scored[index]!.right) rightRankSum += rank;
    start = end + 1;
  }
  return { guesses: scored.length, right, auc: (rightRankSum - (right * (right + 1)) / 2) / (right * wrong) };
}

/** One line for a bench or sweep heading, e.g. `A's confidence: 412 guesses carry one (61% right); AUC 0.87 …`. */
export function describeApproxConfidence(summary: ApproxConfidenceSummary): string {
  const share = `${Math.round((100 * summary.right) / summary.guesses)}% right`;
  const auc =
    summary.auc === null
      ? 'no AUC (every guess right, or every one wrong)'
      : `AUC ${summary.auc.toFixed(3)} (how often a right guess had the higher confidence; 0.5 tells nothing; the economic policy lets it steer rounds from 0.85)`;
  return `A's confidence: ${summary.guesses} guesses carry one (${share}); ${auc}`;
}
