/**
 * Language models by spec string: `openai:gpt-4.1-mini`, `deepseek:deepseek-chat`, `anthropic:MODEL`,
 * `openai-compatible:MODEL@http://host:port/v1`.
 *
 * API keys are read from the environment only (`OPENAI_API_KEY`, `DEEPSEEK_API_KEY`, `ANTHROPIC_API_KEY`; for
 * `openai-compatible` the optional `DSP_OPENAI_COMPATIBLE_API_KEY`). A missing key is a `MissingApiKeyError` that
 * names the variable, never a value. Keys never appear in a spec, a message, a trace or a report; `redactSecrets`
 * removes them from any text that could have picked one up (e.g. an error echoed by a server), and
 * `redactSecretsIn` from anything written (`io/api-keys.ts`).
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createDeepSeek } from '@ai-sdk/deepseek';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3Usage } from '@ai-sdk/provider';
import type { LanguageModel } from 'ai';
import { DspError, InvalidInputError } from '../core/errors.js';
import { apiKeyVariables, hideUrlCredentials, providerNames, type ProviderName } from '../io/api-keys.js';

export { apiKeyVariables, hideUrlCredentials, providerNames, redactSecrets, redactSecretsIn, type ProviderName } from '../io/api-keys.js';

/** A parsed model spec. */
export interface ModelSpec {
  provider: ProviderName;
  /** The model id sent to the provider, e.g. `gpt-4.1-mini`. */
  modelId: string;
  /** The API's base URL (`openai-compatible` only), e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl?: string;
}

const specExamples =
  'openai:gpt-4.1-mini, deepseek:deepseek-chat, anthropic:claude-haiku-4-5, openai-compatible:MODEL@http://127.0.0.1:8080/v1';

/** An API key the environment lacks. */
export class MissingApiKeyError extends DspError {
  override readonly name = 'MissingApiKeyError' as const;
  /** The user's environment is wrong: bad input. */
  override readonly exitCode = 2;
  /** The environment variable to set. */
  readonly variable: string;
  readonly provider: ProviderName;

  constructor(options: { provider: ProviderName; variable: string; spec: string }) {
    super(`missing API key for ${options.spec}: set the environment variable ${options.variable}`);
    this.variable = options.variable;
    this.provider = options.provider;
  }
}

/** True for a `MissingApiKeyError`, even from another copy of the package. */
export function isMissingApiKeyError(error: unknown): error is MissingApiKeyError {
  return DspError.isInstance(error) && error.name === 'MissingApiKeyError';
}

/**
 * Parses `provider:model` (or `openai-compatible:model@url`); throws `InvalidInputError` with examples, naming
 * `source` (default `model spec`; a command passes its option, e.g. `--target`).
 */
export function parseModelSpec(text: string, source = 'model spec'): ModelSpec {
  const given = text.trim();
  // What messages echo: never the credentials of a URL, even in the message that refuses them.
  const spec = hideUrlCredentials(given);
  const colon = given.indexOf(':');
  if (colon <= 0) {
    throw new InvalidInputError(`"${spec}" is not a model spec; expected PROVIDER:MODEL, e.g. ${specExamples}`, { source });
  }
  const provider = given.slice(0, colon);
  const rest = given.slice(colon + 1).trim();
  if (!(providerNames as readonly string[]).includes(provider)) {
    throw new InvalidInputError(
      `unknown provider "${provider}" in "${spec}"; valid providers: ${providerNames.join(', ')} (e.g. ${specExamples})`,
      { source },
    );
  }
  if (provider === 'openai-compatible') {
    const match = /^(.+?)@(https?:\/\/.+)$/.exec(rest);
    if (match === null) {
      throw new InvalidInputError(
        `"${spec}": an openai-compatible spec is openai-compatible:MODEL@http://host:port/v1`,
        { source },
      );
    }
    const modelId = match[1]!.trim();
    let url: URL;
    try {
      url = new URL(match[2]!);
    } catch {
      throw new InvalidInputError(`"${spec}": "${hideUrlCredentials(match[2]!)}" is not a URL`, { source });
    }
    if (url.username !== '' || url.password !== '') {
      throw new InvalidInputError(
        `"${spec}": do not put credentials in the URL; set ${apiKeyVariables['openai-compatible']} instead`,
        { source },
      );
    }
    return { provider, modelId, baseUrl: url.href.replace(/\/+$/, '') };
  }
  if (rest === '') throw new InvalidInputError(`"${spec}" names no model; e.g. ${specExamples}`, { source });
  return { provider: provider as ProviderName, modelId: rest };
}

/** A spec written back as text (the URL included for `openai-compatible`). */
export function formatModelSpec(spec: ModelSpec): string {
  return spec.baseUrl === undefined ? `${spec.provider}:${spec.modelId}` : `${spec.provider}:${spec.modelId}@${spec.baseUrl}`;
}

/** Options of `createLanguageModel`. */
export interface CreateLanguageModelOptions {
  /** Where keys are read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A `fetch` for the provider's HTTP requests (tests, proxies). Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Where the spec came from, for messages. Default `model spec`; a command passes its option, e.g. `--target`. */
  source?: string;
}

/** A language model built from a spec. */
export interface ProviderModel {
  model: LanguageModel;
  spec: ModelSpec;
  /** The model name used for pricing and traces (the model id). */
  modelName: string;
}

/** Builds a language model from a spec string; throws `InvalidInputError` or `MissingApiKeyError`. */
export function createLanguageModel(specText: string, options: CreateLanguageModelOptions = {}): ProviderModel {
  const spec = parseModelSpec(specText, options.source);
  const env = options.env ?? process.env;
  const variable = apiKeyVariables[spec.provider];
  const apiKey = nonEmpty(env[variable]);
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  const requireKey = (): string => {
    if (apiKey === undefined) {
      throw new MissingApiKeyError({ provider: spec.provider, variable, spec: formatModelSpec(spec) });
    }
    return apiKey;
  };
  let model: LanguageModel;
  switch (spec.provider) {
    case 'openai':
      model = createOpenAI({ apiKey: requireKey(), ...fetchOption })(spec.modelId);
      break;
    case 'deepseek':
      model = createDeepSeek({ apiKey: requireKey(), ...fetchOption })(spec.modelId);
      break;
    case 'anthropic':
      model = createAnthropic({ apiKey: requireKey(), ...fetchOption })(spec.modelId);
      break;
    case 'openai-compatible':
      model = createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: spec.baseUrl!,
        ...(apiKey === undefined ? {} : { apiKey }),
        includeUsage: true,
        convertUsage: convertCompatibleUsage,
        ...fetchOption,
      }).chatModel(spec.modelId);
      break;
  }
  return { model, spec, modelName: spec.modelId };
}

/** The `usage` object of an OpenAI-compatible response. */
interface CompatibleUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/**
 * OpenAI-compatible usage with absent fields kept unknown (the SDK's default turns them into 0, which would read
 * as "no reasoning" or "nothing cached" when the server simply did not say).
 */
export function convertCompatibleUsage(usage: CompatibleUsage | null | undefined): LanguageModelV3Usage {
  const known = (value: number | null | undefined): number | undefined => (typeof value === 'number' ? value : undefined);
  const input = known(usage?.prompt_tokens);
  const output = known(usage?.completion_tokens);
  const cached = known(usage?.prompt_tokens_details?.cached_tokens);
  const reasoning = known(usage?.completion_tokens_details?.reasoning_tokens);
  return {
    inputTokens: {
      total: input,
      noCache: input !== undefined && cached !== undefined ? input - cached : undefined,
      cacheRead: cached,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: output,
      text: output !== undefined && reasoning !== undefined ? Math.max(0, output - reasoning) : undefined,
      reasoning,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
