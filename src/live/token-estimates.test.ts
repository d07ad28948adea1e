import { describe, expect, it } from 'vitest';
import { TokenEstimates, defaultOutputTokens } from './token-estimates.js';

describe('token estimates', () => {
  it('start from the prompt count and the default output, then learn the provider’s counts per model and kind', () => {
    const estimates = new TokenEstimates();
    expect(estimates.estimate('m', 'direct', 100)).toBe(100 + defaultOutputTokens);
    // The provider counted 300 where we counted 100, and 40 then 60 output tokens: 3 × our count + 50.
    estimates.observe('m', 'direct', 100, { inputTokens: 300, outputTokens: 40 });
    estimates.observe('m', 'direct', 200, { inputTokens: 600, outputTokens: 60 });
    expect(estimates.estimate('m', 'direct', 150)).toBe(450 + 50);
    // Another kind or model has learnt nothing yet; an unknown input count teaches only the output.
    expect(estimates.estimate('m', 'react-action', 100)).toBe(100 + defaultOutputTokens);
    estimates.observe('other', 'direct', undefined, { inputTokens: 900, outputTokens: 10 });
    expect(estimates.estimate('other', 'direct', 100)).toBe(110);
  });
});
