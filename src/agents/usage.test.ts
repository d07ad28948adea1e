import { describe, expect, it } from 'vitest';
import { encodingForModel, countPromptTokens, loadTokenCounter, tokensPerMessage, tokensPerReplyPriming } from './tokenizer.js';
import { compactUsage, sumUsage } from './usage.js';

describe('sumUsage', () => {
  it('adds known counts and keeps a count unknown when any part of it is unknown', () => {
    expect(sumUsage([{ inputTokens: 3, outputTokens: 4, reasoningTokens: 1 }, { inputTokens: 5, outputTokens: 6 }])).toEqual({
      inputTokens: 8,
      outputTokens: 10,
    });
    expect(sumUsage([{ inputTokens: 3 }, { inputTokens: 2, estimated: true }])).toEqual({ inputTokens: 5, estimated: true });
    expect(sumUsage([])).toEqual({});
  });

  it('drops undefined fields', () => {
    expect(compactUsage({ inputTokens: undefined, outputTokens: 0, estimated: false })).toEqual({ outputTokens: 0 });
  });
});

describe('tokenizer', () => {
  it('picks o200k for recent OpenAI models and cl100k otherwise', () => {
    expect(encodingForModel('gpt-4.1-mini')).toBe('o200k_base');
    expect(encodingForModel('openai/gpt-4o')).toBe('o200k_base');
    expect(encodingForModel('o3-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingForModel('deepseek-chat')).toBe('cl100k_base');
  });

  it('counts tokens with the bundled ranks, special-token text counted as text', async () => {
    const counter = await loadTokenCounter('cl100k_base');
    expect(counter.count('')).toBe(0);
    expect(counter.count('hello world')).toBe(2);
    expect(counter.count('<|endoftext|>')).toBeGreaterThan(1);
    expect(countPromptTokens(counter, ['hello world', 'hello world'])).toBe(tokensPerReplyPriming + 2 * (tokensPerMessage + 2));
  });
});
