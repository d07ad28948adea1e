import { describe, expect, it } from 'vitest';
import { ConfidenceRecord, informativeConfidence } from './confidence-record.js';

/** A record of `right` and `wrong` guesses with the given confidences, cycled. */
function recordOf(right: number, rightConfidences: number[], wrong: number, wrongConfidences: number[]): ConfidenceRecord {
  const record = new ConfidenceRecord();
  for (let index = 0; index < right; index += 1) record.add(rightConfidences[index % rightConfidences.length]!, true);
  for (let index = 0; index < wrong; index += 1) record.add(wrongConfidences[index % wrongConfidences.length]!, false);
  return record;
}

describe('ConfidenceRecord', () => {
  it('measures the AUC of the confidences: 1 when they separate right from wrong, 0 reversed, ½ when equal', () => {
    expect(recordOf(30, [0.9, 0.8], 10, [0.2, 0.1]).auc()).toBe(1);
    expect(recordOf(30, [0.2], 10, [0.9]).auc()).toBe(0);
    expect(recordOf(30, [0.5], 10, [0.5]).auc()).toBe(0.5);
    // Right 0.9 and 0.3, wrong 0.5: half the right guesses are above every wrong one.
    expect(recordOf(20, [0.9, 0.3], 10, [0.5]).auc()).toBe(0.5);
    // Right {0.9, 0.5}, wrong {0.5, 0.1}: pairs above 3 of 4, one tie (same bin) counted half.
    expect(recordOf(2, [0.9, 0.5], 2, [0.5, 0.1]).auc()).toBe(3.5 / 4);
    expect(new ConfidenceRecord().auc()).toBeUndefined();
    expect(recordOf(5, [0.9], 0, []).auc()).toBeUndefined();
  });

  it('calls a confidence informative only with enough right and wrong guesses judged and the AUC at the threshold', () => {
    const { right, wrong } = informativeConfidence;
    expect(recordOf(right, [0.9], wrong, [0.1]).informative()).toBe(true);
    expect(recordOf(right - 1, [0.9], wrong, [0.1]).informative()).toBe(false);
    expect(recordOf(right, [0.9], wrong - 1, [0.1]).informative()).toBe(false);
    // AUC 0.75 < 0.85: right guesses at 0.9 and 0.5, wrong at 0.7.
    expect(recordOf(40, [0.9, 0.5], 10, [0.7]).informative()).toBe(false);
    // Out-of-range confidences fall in the end bins.
    expect(recordOf(right, [1.5], wrong, [-0.2]).auc()).toBe(1);
  });

  it('carries on from exported counts, and refuses counts of another shape', () => {
    const { right, wrong } = informativeConfidence;
    const earlier = recordOf(right - 5, [0.9, 0.7], wrong, [0.1, 0.3]);
    expect(earlier.informative()).toBe(false);
    const resumed = new ConfidenceRecord(earlier.exportState());
    expect(resumed.judged).toBe(right - 5 + wrong);
    expect(resumed.auc()).toBe(earlier.auc());
    for (let index = 0; index < 5; index += 1) resumed.add(0.8, true);
    expect(resumed.informative()).toBe(true);
    // The export is a copy: adding to the resumed record does not change what the earlier one exported.
    expect(new ConfidenceRecord(earlier.exportState()).judged).toBe(right - 5 + wrong);
    expect(() => new ConfidenceRecord({ right: [1, 2], wrong: [] })).toThrow(/holds 20 counts of right and of wrong guesses, got 2 and 0/);
  });
});
