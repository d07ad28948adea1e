import { describe, expect, it } from 'vitest';
import { approxConfidenceSummary, describeApproxConfidence } from './approx-confidence.js';
import type { Trace } from './schema.js';

/** A trace whose steps are [T's action, A's guess, A's confidence]. */
function traceOf(steps: Array<[string, string, number | undefined]>): Trace {
  return {
    format: 'dsp-trace/1',
    id: 't',
    suite: 's',
    task: 'task',
    timing: 'modelled',
    models: { approx: 'a', target: 't' },
    steps: steps.map(([target, guess, confidence]) => ({
      target: { action: target, latencyMs: 100, inputTokens: 10, outputTokens: 5 },
      approx: { action: guess, latencyMs: 10, inputTokens: 5, outputTokens: 2, ...(confidence === undefined ? {} : { confidence }) },
    })),
  };
}

describe('approxConfidenceSummary', () => {
  it('is undefined when no guess carries a confidence', () => {
    expect(approxConfidenceSummary([traceOf([['A', 'A', undefined]])])).toBeUndefined();
  });

  it('ranks right guesses against wrong ones: 1 when they separate, 0 reversed, ties half', () => {
    const separated = traceOf([['A', 'A', 0.9], ['B', 'X', 0.2], ['C', 'C', 0.7], ['D', 'Y', 0.1]]);
    expect(approxConfidenceSummary([separated])).toEqual({ guesses: 4, right: 2, auc: 1 });
    const reversed = traceOf([['A', 'A', 0.1], ['B', 'X', 0.9]]);
    expect(approxConfidenceSummary([reversed])!.auc).toBe(0);
    // Right {0.8, 0.5}, wrong {0.5, 0.2}: 3 of 4 pairs above, one tie.
    const tied = traceOf([['A', 'A', 0.8], ['B', 'B', 0.5], ['C', 'X', 0.5], ['D', 'Y', 0.2]]);
    expect(approxConfidenceSummary([tied])!.auc).toBe(3.5 / 4);
    // Guesses without a confidence are left out; several traces pool.
    expect(approxConfidenceSummary([separated, traceOf([['E', 'Z', undefined]])])!.guesses).toBe(4);
  });

  it('has no AUC when every guess is right, and says so', () => {
    const summary = approxConfidenceSummary([traceOf([['A', 'A', 0.9], ['B', 'B', 0.4]])])!;
    expect(summary).toEqual({ guesses: 2, right: 2, auc: null });
    expect(describeApproxConfidence(summary)).toMatch(/^A's confidence: 2 guesses carry one \(100% right\); no AUC/);
    expect(describeApproxConfidence({ guesses: 4, right: 3, auc: 0.8751 })).toMatch(/4 guesses carry one \(75% right\); AUC 0\.875 /);
  });
});
