import { describe, expect, it } from 'vitest';
import { expectileGradient, expectileLoss } from './loss.js';
import { lambdaReturns } from './returns.js';

describe('expectileLoss', () => {
  it('weights under-prediction by τ and over-prediction by 1 − τ', () => {
    // u = 3 − 1 = 2 > 0: w = τ = 0.8, loss = 0.8 · 4.
    expect(expectileLoss(3, 1, 0.8)).toBeCloseTo(3.2, 12);
    // u = 1 − 3 = −2 ≤ 0: w = 1 − τ = 0.2, loss = 0.2 · 4.
    expect(expectileLoss(1, 3, 0.8)).toBeCloseTo(0.8, 12);
    // τ = 0.5 is half the squared error, symmetric.
    expect(expectileLoss(2, 0.5, 0.5)).toBeCloseTo(0.5 * 1.5 ** 2, 12);
    expect(expectileLoss(0.5, 2, 0.5)).toBeCloseTo(0.5 * 1.5 ** 2, 12);
    expect(expectileLoss(2, 2, 0.9)).toBe(0);
  });

  it('has the gradient −2·w·u with respect to the prediction', () => {
    expect(expectileGradient(3, 1, 0.8)).toBeCloseTo(-3.2, 12);
    expect(expectileGradient(1, 3, 0.8)).toBeCloseTo(0.8, 12);
    // Matches a finite difference.
    const step = 1e-6;
    const numeric = (expectileLoss(2.5, 1.2 + step, 0.7) - expectileLoss(2.5, 1.2 - step, 0.7)) / (2 * step);
    expect(expectileGradient(2.5, 1.2, 0.7)).toBeCloseTo(numeric, 5);
  });
});

describe('lambdaReturns', () => {
  const steps = [1, 2, 3];
  const values = [2.5, 1.5, 0.5];

  it('computes G_j = 1 + (1 − λ)V(s_{j+1}) + λG_{j+1} backwards from the break', () => {
    // G3 = 1; G2 = 1 + 0.5·0.5 + 0.5·1 = 1.75; G1 = 1 + 0.5·1.5 + 0.5·1.75 = 2.625.
    const targets = lambdaReturns(steps, values, 3, 0.5);
    expect([...targets]).toEqual([2.625, 1.75, 1]);
  });

  it('gives the labels k_j = m − j + 1 with λ = 1 and the one-step bootstrap with λ = 0', () => {
    expect([...lambdaReturns(steps, values, 3, 1)]).toEqual([3, 2, 1]);
    expect([...lambdaReturns(steps, values, 3, 0)]).toEqual([2.5, 1.5, 1]);
  });

  it("bootstraps from V(s_j) in the authors' variant", () => {
    // G3 = 1 + 0.5·0.5 = 1.25; G2 = 1 + 0.5·1.5 + 0.5·1.25 = 2.375; G1 = 1 + 0.5·2.5 + 0.5·2.375 = 3.4375.
    expect([...lambdaReturns(steps, values, 3, 0.5, 'current')]).toEqual([3.4375, 2.375, 1.25]);
  });

  it('keys states by step number: a step without a state is a Monte Carlo link', () => {
    // States at steps 1 and 2, break at 3 (a no-guess step): G3 = 1, V3 := G3;
    // G2 = 1 + 0.5·1 + 0.5·1 = 2; G1 = 1 + 0.5·V2 + 0.5·G2 = 1 + 0.5 + 1 = 2.5.
    expect([...lambdaReturns([1, 2], [2, 1], 3, 0.5)]).toEqual([2.5, 2]);
    // Labels stay exact with λ = 1 whatever the gaps.
    expect([...lambdaReturns([4, 6], [9, 9], 8, 1)]).toEqual([5, 3]);
  });
});
