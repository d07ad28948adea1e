import { describe, expect, it } from 'vitest';
import { builtinPriceTable, costOf } from './prices.js';

describe('built-in price table', () => {
  it('prices the models of the published DSP runs and the paper, each with a source and a date', () => {
    for (const model of ['gpt-4-turbo', 'gpt-4.1-mini', 'deepseek-chat', 'deepseek-reasoner']) {
      expect(builtinPriceTable.models[model], model).toBeDefined();
    }
    for (const [model, price] of Object.entries(builtinPriceTable.models)) {
      expect(price.source, model).toMatch(/https:\/\//);
      expect(price.date, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.outputUsdPerMTok, model).toBeGreaterThanOrEqual(price.inputUsdPerMTok);
    }
  });

  it('costs a gpt-4-turbo ReAct step at $10 / $30 per million tokens', () => {
    expect(costOf(builtinPriceTable, 'gpt-4-turbo', { inputTokens: 919, outputTokens: 108 })).toBeCloseTo(0.01243, 8);
  });
});
