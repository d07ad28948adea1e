import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { parseKDataset, parseStateText } from './dataset.js';
import { parseDspOptions } from '../policy/dsp-settings.js';
import { calibrationTable, evaluateOnline, summarizePredictions } from './evaluate.js';

describe('dataset states', () => {
  it('reads the committed prefix and A’s outcomes from the old interleaved history', () => {
    const state = parseStateText(
      [
        'Given low-resolutioned noisy blurry image, how to return the regular image step by step?',
        'Previous history:',
        'Approximation Step 1: Image Denoising',
        'Approximation Step 2: Image Deblurring',
        'Target Step 1: Image Deblurring',
        'Approximation Step 2: Image Denoising',
        'Approximation Step 3: Image Super-Resolution',
        'Target Step 2: Image Denoising',
        'Now, please predict how many steps approximation can do correctly next.',
      ].join('\n'),
    );
    expect(state.taskText).toBe('Given low-resolutioned noisy blurry image, how to return the regular image step by step?');
    expect(state.history).toEqual(['"Image Deblurring"', '"Image Denoising"']);
    // Step 1: A said Denoising, T Deblurring. Step 2: the last guess (Denoising) matches.
    expect(state.outcomes).toEqual(['rejected', 'accepted']);
  });

  it('keeps the k ≥ 1 states of trajectories and refuses a stepwise dataset', () => {
    const dataset = parseKDataset(
      [
        { trajectory: [{ state: 'task A\n', reward: 1, k: 2 }, { state: 'task A\nPrevious history:\nTarget Step 1: x\n', reward: 1, k: 1 }, { state: 'task A', reward: 0, k: 0 }] },
        { trajectory: [{ state: 'task B', reward: 0, k: 0 }] },
      ],
      'test',
    );
    expect(dataset.kind).toBe('value-func');
    expect(dataset.items.map((item) => item.labels)).toEqual([[2, 1]]);
    expect(dataset.skippedStates).toBe(2);
    expect(() => parseKDataset([{ input: 'task', output: 0 }], 'stepwise.json')).toThrow(InvalidInputError);
  });
});

describe('prediction figures', () => {
  it('counts k̂ ∈ {k, k+1} as accurate', () => {
    const summary = summarizePredictions([
      { label: 1, predictedK: 1 },
      { label: 1, predictedK: 2 },
      { label: 2, predictedK: 1 },
      { label: 3, predictedK: 5 },
    ]);
    expect(summary.accuracy).toBe(0.5);
    expect(summary.exact).toBe(0.25);
    expect(summary.meanAbsoluteError).toBe((0 + 1 + 1 + 2) / 4);
    expect(summary.coverage).toBe(0.75);
    expect(calibrationTable([
      { label: 1, predictedK: 2, value: 1.8 },
      { label: 3, predictedK: 2, value: 2.2 },
    ])).toEqual([{ predictedK: 2, count: 2, meanValue: 2, meanLabel: 2, exact: 0, coverage: 0.5 }]);
  });

  it('learns online: a task whose k is always 4 ends up predicted 4', () => {
    const items = Array.from({ length: 30 }, () => ({ input: 'Given blurry image, return the caption', output: 4 }));
    const result = evaluateOnline(parseKDataset(items, 'test'), { settings: parseDspOptions({ lr: 0.2 }) });
    expect(result.predictions[0]!.predictedK).toBe(2);
    expect(result.predictions.slice(-5).map((prediction) => prediction.predictedK)).toEqual([4, 4, 4, 4, 4]);
    expect(result.trainings).toBeGreaterThan(0);
  });
});
