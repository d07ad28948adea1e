import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import {
  convertCompatibleUsage,
  createLanguageModel,
  isMissingApiKeyError,
  parseModelSpec,
  redactSecrets,
  redactSecretsIn,
} from './providers.js';

const fakeKey = 'sk-fake-provider-key-0123456789';

describe('parseModelSpec', () => {
  it('reads provider:model and openai-compatible:model@url', () => {
    expect(parseModelSpec('openai:gpt-4.1-mini')).toEqual({ provider: 'openai', modelId: 'gpt-4.1-mini' });
    expect(parseModelSpec('deepseek:deepseek-chat')).toEqual({ provider: 'deepseek', modelId: 'deepseek-chat' });
    expect(parseModelSpec('anthropic:claude-haiku-4-5')).toEqual({ provider: 'anthropic', modelId: 'claude-haiku-4-5' });
    expect(parseModelSpec('openai-compatible:Qwen/Qwen2.5-7B@http://127.0.0.1:8000/v1/')).toEqual({
      provider: 'openai-compatible',
      modelId: 'Qwen/Qwen2.5-7B',
      baseUrl: 'http://127.0.0.1:8000/v1',
    });
  });

  it('rejects bad specs with the valid forms', () => {
    expect(() => parseModelSpec('gpt-4.1')).toThrow(/is not a model spec; expected PROVIDER:MODEL/);
    expect(() => parseModelSpec('acme:big', '--target')).toThrow(
      '--target: unknown provider "acme" in "acme:big"; valid providers: openai, deepseek, anthropic, openai-compatible',
    );
    expect(() => parseModelSpec('openai:')).toThrow(/names no model/);
    expect(() => parseModelSpec('openai-compatible:m')).toThrow(/openai-compatible:MODEL@http:\/\/host:port\/v1/);
    expect(() => parseModelSpec(`openai-compatible:m@http://user:${fakeKey}@host/v1`)).toThrow(/do not put credentials in the URL/);
  });

  it('never echoes the credentials of a URL, not even when refusing them', () => {
    const refusal = (spec: string): string => {
      try {
        parseModelSpec(spec, '--approx');
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal('openai-compatible:m@http://user:pa55word@host/v1')).toBe(
      '--approx: "openai-compatible:m@http://***@host/v1": do not put credentials in the URL; set DSP_OPENAI_COMPATIBLE_API_KEY instead',
    );
    expect(refusal('openai-compatible:m@http://user:pa55word@ho st/v1')).not.toContain('pa55word');
    expect(refusal('acme:m@https://me:pa55word@host/v1')).not.toContain('pa55word');
  });
});

describe('createLanguageModel', () => {
  it('builds each provider with the key from the environment', () => {
    const env = { OPENAI_API_KEY: fakeKey, DEEPSEEK_API_KEY: fakeKey, ANTHROPIC_API_KEY: fakeKey };
    for (const [spec, provider] of [
      ['openai:gpt-4.1-mini', 'openai'],
      ['deepseek:deepseek-chat', 'deepseek'],
      ['anthropic:claude-haiku-4-5', 'anthropic'],
      ['openai-compatible:target@http://127.0.0.1:1/v1', 'openai-compatible'],
    ] as const) {
      const built = createLanguageModel(spec, { env });
      expect(typeof built.model === 'string' ? built.model : built.model.provider).toContain(provider);
      expect(built.modelName).toBe(spec.slice(spec.indexOf(':') + 1).split('@')[0]);
    }
  });

  it('names the missing variable, never a value', () => {
    const error: unknown = (() => {
      try {
        createLanguageModel('anthropic:claude-haiku-4-5', { env: { OPENAI_API_KEY: fakeKey, ANTHROPIC_API_KEY: '  ' } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isMissingApiKeyError(error)).toBe(true);
    expect((error as Error).message).toBe('missing API key for anthropic:claude-haiku-4-5: set the environment variable ANTHROPIC_API_KEY');
    expect((error as Error).message).not.toContain(fakeKey);
  });

  it('needs no key for openai-compatible, and rejects an unknown provider', () => {
    expect(() => createLanguageModel('openai-compatible:m@http://127.0.0.1:1/v1', { env: {} })).not.toThrow();
    const error: unknown = (() => {
      try {
        createLanguageModel('mistral:large', { env: {} });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isInvalidInputError(error)).toBe(true);
  });
});

describe('convertCompatibleUsage', () => {
  it('keeps absent counts unknown instead of zero', () => {
    const usage = convertCompatibleUsage({ prompt_tokens: 12, completion_tokens: 7 });
    expect(usage.inputTokens.total).toBe(12);
    expect(usage.outputTokens.total).toBe(7);
    expect(usage.outputTokens.reasoning).toBeUndefined();
    expect(usage.inputTokens.cacheRead).toBeUndefined();
    expect(convertCompatibleUsage(undefined).inputTokens.total).toBeUndefined();
    const reasoning = convertCompatibleUsage({ prompt_tokens: 12, completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 5 } });
    expect(reasoning.outputTokens).toEqual({ total: 7, text: 2, reasoning: 5 });
    const cached = convertCompatibleUsage({ prompt_tokens: 12, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 8 } });
    expect(cached.inputTokens).toEqual({ total: 12, noCache: 4, cacheRead: 8, cacheWrite: undefined });
  });
});

describe('redactSecrets', () => {
  it('replaces every key value found in the environment', () => {
    const env = { OPENAI_API_KEY: fakeKey };
    expect(redactSecrets(`401: bad key ${fakeKey} (${fakeKey})`, env)).toBe(
      '401: bad key [redacted OPENAI_API_KEY] ([redacted OPENAI_API_KEY])',
    );
    expect(redactSecrets(`glued${fakeKey}glued`, env)).toBe('glued[redacted OPENAI_API_KEY]glued');
  });

  it('redacts keys of any length; one shorter than 8 characters where it stands as a whole token', () => {
    const env = { DEEPSEEK_API_KEY: 'k3y', ANTHROPIC_API_KEY: 'x', DSP_OPENAI_COMPATIBLE_API_KEY: ' s3cr.t+ ' };
    expect(redactSecrets('Authorization: Bearer k3y', env)).toBe('Authorization: Bearer [redacted DEEPSEEK_API_KEY]');
    expect(redactSecrets('{"key":"k3y"} x', env)).toBe('{"key":"[redacted DEEPSEEK_API_KEY]"} [redacted ANTHROPIC_API_KEY]');
    // Inside a longer word it is not the key: a one-letter key must not eat every word that has the letter.
    expect(redactSecrets('k3yboard extra xk3y', env)).toBe('k3yboard extra xk3y');
    // Trimmed as the provider uses it; regex characters are taken literally.
    expect(redactSecrets('sent s3cr.t+ and s3crat+', env)).toBe('sent [redacted DSP_OPENAI_COMPATIBLE_API_KEY] and s3crat+');
  });

  it('redacts every string of a value to be written, keys and nested values alike', () => {
    const env = { OPENAI_API_KEY: fakeKey };
    const trace = { id: 't', steps: [{ approx: { action: { unparsed: `Bearer ${fakeKey}` }, inputTokens: 3 } }], [fakeKey]: true };
    expect(redactSecretsIn(trace, env)).toEqual({
      id: 't',
      steps: [{ approx: { action: { unparsed: 'Bearer [redacted OPENAI_API_KEY]' }, inputTokens: 3 } }],
      '[redacted OPENAI_API_KEY]': true,
    });
    expect(redactSecretsIn(trace, {})).toBe(trace);
  });
});
