import { describe, expect, it } from 'vitest';
import { builtinPriceTable, cacheSavingUsd, costOf, findPrice, type PriceTable } from './prices.js';

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

describe('the price of a model', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

  it('prices a provider-qualified name (as dsp run records it) like the provider’s model id', () => {
    expect(findPrice(builtinPriceTable, 'openai:gpt-4.1-mini')?.key).toBe('gpt-4.1-mini');
    expect(costOf(builtinPriceTable, 'openai:gpt-4.1-mini', usage)).toBe(costOf(builtinPriceTable, 'gpt-4.1-mini', usage));
    expect(costOf(builtinPriceTable, 'openai:gpt-4.1-mini', usage)).toBeCloseTo(2, 12);
    expect(costOf(builtinPriceTable, 'anthropic:claude-haiku-4-5', usage)).toBeCloseTo(6, 12);
  });

  it('lets a provider-qualified key take precedence over the model id', () => {
    const table: PriceTable = {
      name: 'qualified',
      models: { ...builtinPriceTable.models, 'openai:gpt-4.1-mini': { inputUsdPerMTok: 1, outputUsdPerMTok: 1 } },
    };
    expect(findPrice(table, 'openai:gpt-4.1-mini')?.key).toBe('openai:gpt-4.1-mini');
    expect(costOf(table, 'openai:gpt-4.1-mini', usage)).toBe(2);
    // The bare id keeps its own entry: a qualified key prices only calls known to come from that provider.
    expect(findPrice(table, 'gpt-4.1-mini')?.key).toBe('gpt-4.1-mini');
  });

  it('strips only a known provider, once: a model id may hold colons of its own', () => {
    const table: PriceTable = { name: 'local', models: { 'llama3:8b': { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.2 }, '8b': { inputUsdPerMTok: 9, outputUsdPerMTok: 9 } } };
    expect(findPrice(table, 'openai-compatible:llama3:8b')?.key).toBe('llama3:8b');
    expect(findPrice(table, 'llama3:8b')?.key).toBe('llama3:8b');
    expect(findPrice({ ...table, models: { '8b': table.models['8b']! } }, 'llama3:8b')).toBeUndefined();
    expect(findPrice(builtinPriceTable, 'google:gpt-4.1')).toBeUndefined();
    expect(findPrice(builtinPriceTable, 'openai:')).toBeUndefined();
  });

  it('reads only the table’s own entries: a model named after an Object method has no price, not NaN', () => {
    for (const model of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'openai:constructor', 'valueOf']) {
      expect(findPrice(builtinPriceTable, model), model).toBeUndefined();
      expect(costOf(builtinPriceTable, model, usage), model).toBeUndefined();
    }
  });
});

describe('cached input', () => {
  it('has a cached-input price below the input price, with its source, wherever the built-in table gives one', () => {
    const cached = Object.entries(builtinPriceTable.models).filter(([, price]) => price.cachedInputUsdPerMTok !== undefined);
    expect(cached.map(([model]) => model)).toEqual(expect.arrayContaining(['gpt-4.1', 'gpt-4.1-mini', 'deepseek-chat', 'claude-sonnet-4-5']));
    for (const [model, price] of cached) {
      expect(price.cachedInputUsdPerMTok, model).toBeLessThan(price.inputUsdPerMTok);
      expect(price.cachedInputSource, model).toMatch(/https:\/\/.*cache/);
      expect(price.cachedInputDate, model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Models whose provider publishes no cache discount keep the list price.
    expect(builtinPriceTable.models['gpt-4-turbo']!.cachedInputUsdPerMTok).toBeUndefined();
  });

  it('prices cached input tokens at the cached rate and says what that saved', () => {
    // gpt-4.1: $2 input, $0.50 cached, $8 output per million. 1000 in (600 cached) + 100 out:
    // 400 × 2 + 600 × 0.5 + 100 × 8 = 800 + 300 + 800 = $0.0019; at list price $0.0028, saving $0.0009.
    const usage = { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 600 };
    expect(costOf(builtinPriceTable, 'gpt-4.1', usage)).toBeCloseTo(0.0019, 12);
    expect(cacheSavingUsd(builtinPriceTable, 'gpt-4.1', usage)).toBeCloseTo(0.0009, 12);
    expect(costOf(builtinPriceTable, 'gpt-4.1', { inputTokens: 1000, outputTokens: 100 })).toBeCloseTo(0.0028, 12);
    // No cached price: the list price, nothing saved.
    expect(costOf(builtinPriceTable, 'gpt-4-turbo', usage)).toBeCloseTo(0.013, 12);
    expect(cacheSavingUsd(builtinPriceTable, 'gpt-4-turbo', usage)).toBe(0);
    // A report of more cached tokens than input tokens is capped at the input tokens.
    expect(costOf(builtinPriceTable, 'gpt-4.1', { inputTokens: 100, outputTokens: 0, cachedInputTokens: 500 })).toBeCloseTo(0.00005, 12);
    expect(cacheSavingUsd(builtinPriceTable, 'unknown-model', usage)).toBe(0);
  });
});
