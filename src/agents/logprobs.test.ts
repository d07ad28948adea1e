import { describe, expect, it } from 'vitest';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { logprobsFromProviderMetadata, logprobsRequestFor, spanConfidence, type TokenLogprob } from './logprobs.js';
import { createStrategyAgent, type ModelCaller, type ModelReply } from './strategies.js';

const tokens = (...pairs: Array<[string, number]>): TokenLogprob[] => pairs.map(([token, logprob]) => ({ token, logprob }));

describe('asking providers for log-probabilities', () => {
  it('asks OpenAI (chat and responses), DeepSeek and openai-compatible by their options, and no other provider', () => {
    expect(logprobsRequestFor('openai.chat')).toEqual({ openai: { logprobs: 1 } });
    expect(logprobsRequestFor('openai.responses')).toEqual({ openai: { logprobs: 1 } });
    expect(logprobsRequestFor('deepseek.chat')).toEqual({ deepseek: { logprobs: true } });
    expect(logprobsRequestFor('openai-compatible.chat')).toEqual({ openaiCompatible: { logprobs: true } });
    expect(logprobsRequestFor('anthropic.messages')).toBeUndefined();
    expect(logprobsRequestFor('mistral.chat')).toBeUndefined();
  });
});

describe('reading log-probabilities from provider metadata', () => {
  const entry = { token: 'Image', logprob: -0.1, top_logprobs: [] };
  it('reads the shapes of OpenAI chat, OpenAI responses, DeepSeek and our openai-compatible extractor', () => {
    expect(logprobsFromProviderMetadata({ openai: { logprobs: [entry, { token: ' Deblurring', logprob: -0.2 }] } })).toEqual(
      tokens(['Image', -0.1], [' Deblurring', -0.2]),
    );
    expect(logprobsFromProviderMetadata({ openai: { responseId: 'r', logprobs: [[entry], [{ token: '!', logprob: 0 }]] } })).toEqual(
      tokens(['Image', -0.1], ['!', 0]),
    );
    expect(logprobsFromProviderMetadata({ deepseek: { logprobs: { content: [entry], reasoning_content: [{ token: 'x', logprob: -5 }] } } })).toEqual(
      tokens(['Image', -0.1]),
    );
    expect(logprobsFromProviderMetadata({ 'openai-compatible': {}, openaiCompatible: { logprobs: [entry] } })).toEqual(tokens(['Image', -0.1]));
  });

  it('gives none when there are none or an entry is not a token', () => {
    expect(logprobsFromProviderMetadata(undefined)).toBeUndefined();
    expect(logprobsFromProviderMetadata({ openai: { responseId: 'r' } })).toBeUndefined();
    expect(logprobsFromProviderMetadata({ openai: { logprobs: [] } })).toBeUndefined();
    expect(logprobsFromProviderMetadata({ openai: { logprobs: [{ token: 'a', logprob: 'high' }] } })).toBeUndefined();
    expect(logprobsFromProviderMetadata({ openai: { logprobs: [{ token: 'a', logprob: Number.NaN }] } })).toBeUndefined();
  });
});

describe('the confidence of a span', () => {
  const reply = '<tool>Image Deblurring</tool>';
  const span = { start: 6, end: 22 };
  const replyTokens = tokens(['<', -0.01], ['tool', -0.02], ['>', -0.03], ['Image', -0.5], [' Deblur', -0.25], ['ring', -0.05], ['</', -0.04], ['tool', 0], ['>', 0]);

  it('is exp of the sum of the log-probabilities of the tokens that spell the action, and of no other', () => {
    expect(spanConfidence(reply, replyTokens, span)).toBeCloseTo(Math.exp(-0.8), 12);
  });

  it('counts a token that straddles the span', () => {
    const straddling = tokens(['<tool', -0.01], ['>Image', -0.5], [' Deblurring', -0.3], ['</tool>', -0.02]);
    expect(spanConfidence(reply, straddling, span)).toBeCloseTo(Math.exp(-0.8), 12);
  });

  it('lays tokens from the end when one before the action does not spell the reply (a split character)', () => {
    const text = 'Étape → <tool>Image Deblurring</tool>';
    const garbled = tokens(['Étape', -1], [' \ufffd', -1], ['\ufffd', -1], [' <tool>', 0], ['Image', -0.5], [' Deblurring', -0.3], ['</tool>', 0]);
    expect(spanConfidence(text, garbled, { start: 14, end: 30 })).toBeCloseTo(Math.exp(-0.8), 12);
  });

  it('is unknown when the tokens do not cover the action, or the span is empty', () => {
    expect(spanConfidence(reply, tokens(['<tool>', 0], ['Image', -0.5]), span)).toBeUndefined();
    expect(spanConfidence(reply, tokens(['<tool>', 0], ['Imag?', -0.5], [' Deblurring</tool>', -0.1]), span)).toBeUndefined();
    expect(spanConfidence(reply, replyTokens, { start: 6, end: 6 })).toBeUndefined();
  });

  it('stays in [0, 1]: a token of log-probability minus infinity gives 0, a positive one is capped at 1', () => {
    expect(spanConfidence('<tool>A</tool>', tokens(['<tool>', 0], ['A', -Infinity], ['</tool>', 0]), { start: 6, end: 7 })).toBe(0);
    expect(spanConfidence('<tool>A</tool>', tokens(['<tool>', 0], ['A', 1e-9], ['</tool>', 0]), { start: 6, end: 7 })).toBe(1);
  });
});

describe('a strategy agent with log-probabilities', () => {
  /** A model that answers each call kind with a reply and, when given, its tokens. */
  const model = (replies: Record<string, { text: string; logprobs?: TokenLogprob[] }>): ModelCaller =>
    (request) => {
      const reply = replies[request.kind]!;
      const answer: ModelReply = { text: reply.text, usage: { inputTokens: 10, outputTokens: 5 } };
      if (reply.logprobs !== undefined) answer.logprobs = reply.logprobs;
      return Promise.resolve(answer);
    };
  const call = async (strategy: 'direct' | 'cot' | 'react', callModel: ModelCaller) =>
    createStrategyAgent({ strategy, actionSpace: openAgiActionSpace, callModel, onUnparsable: 'mismatch' })(
      { task: { id: 't', text: 'Given blurry image, how to return the regular image step by step?' }, prefix: [], step: 1, speculative: false },
      { signal: new AbortController().signal, reportPartialUsage: () => undefined },
    );

  it('gives the probability of the action tokens of a direct reply', async () => {
    const result = await call('direct', model({ direct: { text: '<tool>Image Deblurring</tool>', logprobs: tokens(['<tool>', -0.01], ['Image', -0.2], [' Deblurring', -0.1], ['</tool>', 0]) } }));
    expect(result.action).toBe('Image Deblurring');
    expect(result.confidence).toBeCloseTo(Math.exp(-0.3), 12);
  });

  it('leaves a chain of thought out, and reads the final call of a two-call strategy', async () => {
    const cot = await call('cot', model({ cot: { text: 'Deblur first. <tool>Image Deblurring</tool>', logprobs: tokens(['Deblur', -3], [' first.', -4], [' <tool>', 0], ['Image Deblurring', -0.4], ['</tool>', 0]) } }));
    expect(cot.confidence).toBeCloseTo(Math.exp(-0.4), 12);
    const react = await call(
      'react',
      model({
        'react-thought': { text: 'Deblur first.', logprobs: tokens(['Deblur first.', -7]) },
        'react-action': { text: '<tool>Image Deblurring</tool>', logprobs: tokens(['<tool>', 0], ['Image Deblurring', -0.6], ['</tool>', 0]) },
      }),
    );
    expect(react.confidence).toBeCloseTo(Math.exp(-0.6), 12);
  });

  it('gives no confidence without log-probabilities, or for a reply with no action', async () => {
    const plain = await call('direct', model({ direct: { text: '<tool>Image Deblurring</tool>' } }));
    expect(plain).not.toHaveProperty('confidence');
    const unparsable = await call('direct', model({ direct: { text: 'I do not know.', logprobs: tokens(['I do not know.', -0.1]) } }));
    expect(unparsable.action).toEqual({ unparsed: 'I do not know.' });
    expect(unparsable).not.toHaveProperty('confidence');
  });
});
