/**
 * Prices: USD per million input / output tokens, per model, and the cost of a call. Pure: no file, no schema
 * library. Every report names the table it used. The built-in table lists each price with its source and the date
 * it was read; `io/price-file.ts` loads a user's JSON file and lays it over the built-in table.
 */
import type { Usage } from '../core/types.js';

/** The price of one model. */
export interface ModelPrice {
  /** USD per 1,000,000 input (prompt) tokens. */
  inputUsdPerMTok: number;
  /** USD per 1,000,000 output (generated, reasoning included) tokens. */
  outputUsdPerMTok: number;
  /** Where the price comes from. */
  source?: string | undefined;
  /** When the source was read (YYYY-MM-DD). */
  date?: string | undefined;
  /**
   * USD per 1,000,000 input tokens read from the provider's prompt cache (`Usage.cachedInputTokens`). Undefined:
   * cached tokens cost the list input price.
   */
  cachedInputUsdPerMTok?: number | undefined;
  /** Where the cached-input price comes from. */
  cachedInputSource?: string | undefined;
  /** When the cached-input price's source was read (YYYY-MM-DD). */
  cachedInputDate?: string | undefined;
}

/** A named price table. */
export interface PriceTable {
  /** The table's name, shown in every report. */
  name: string;
  models: Record<string, ModelPrice>;
}

const openAiPricing = 'OpenAI API pricing, https://openai.com/api/pricing/ (standard tier, no cached-input discount)';
const deepSeekPricing =
  'DeepSeek API pricing, https://api-docs.deepseek.com/quick_start/pricing (DeepSeek-V3.2-Exp, cache-miss input)';
const anthropicPricing = 'Anthropic API pricing, https://www.anthropic.com/pricing#api (base input, no caching)';

/** Sources of the cached-input prices confirmed on the provider's own page, read on `confirmedOn`. */
const openAiModelPage = (model: string): string =>
  `OpenAI model page, https://developers.openai.com/api/docs/models/${model} (text tokens, cached input)`;
const anthropicCachedPricing =
  'Anthropic pricing, https://platform.claude.com/docs/en/docs/about-claude/pricing (cache hits and refreshes; cache writes are billed above base input and are not modelled)';
/** Sources of cached-input prices entered with the list prices on `enteredOn`, not confirmed on the provider's page since. */
const openAiCachedPricing =
  'OpenAI API pricing, https://openai.com/api/pricing/ (standard tier, cached input; entered 2025-10-01, not confirmed on a provider page when checked on 2026-12-07)';
const deepSeekCachedPricing =
  'DeepSeek API pricing, https://api-docs.deepseek.com/quick_start/pricing (DeepSeek-V3.2-Exp, cache-hit input; entered 2025-10-01, not confirmed on the provider page when checked on 2026-12-07)';
const confirmedOn = '2026-12-07';
const enteredOn = '2025-10-01';

/**
 * The built-in table. Prices are list prices for the standard tier, without batch discounts; `inputUsdPerMTok` is
 * the price of input not read from a cache, and `cachedInputUsdPerMTok` (where the provider publishes one) the
 * price of input read from the provider's prompt cache.
 */
export const builtinPriceTable: PriceTable = {
  name: 'builtin-2025-10',
  models: {
    'gpt-4-turbo': { inputUsdPerMTok: 10, outputUsdPerMTok: 30, source: openAiPricing, date: '2025-10-01' },
    'gpt-4.1': {
      inputUsdPerMTok: 2,
      outputUsdPerMTok: 8,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.5,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-4.1-mini': {
      inputUsdPerMTok: 0.4,
      outputUsdPerMTok: 1.6,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.1,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-4.1-nano': {
      inputUsdPerMTok: 0.1,
      outputUsdPerMTok: 0.4,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.025,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-4o': {
      inputUsdPerMTok: 2.5,
      outputUsdPerMTok: 10,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 1.25,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-4o-mini': {
      inputUsdPerMTok: 0.15,
      outputUsdPerMTok: 0.6,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.075,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-5': {
      inputUsdPerMTok: 1.25,
      outputUsdPerMTok: 10,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.125,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-5-mini': {
      inputUsdPerMTok: 0.25,
      outputUsdPerMTok: 2,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.025,
      cachedInputSource: openAiModelPage('gpt-5-mini'),
      cachedInputDate: confirmedOn,
    },
    'gpt-5-nano': {
      inputUsdPerMTok: 0.05,
      outputUsdPerMTok: 0.4,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.005,
      cachedInputSource: openAiModelPage('gpt-5-nano'),
      cachedInputDate: confirmedOn,
    },
    o3: {
      inputUsdPerMTok: 2,
      outputUsdPerMTok: 8,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.5,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'o4-mini': {
      inputUsdPerMTok: 1.1,
      outputUsdPerMTok: 4.4,
      source: openAiPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.275,
      cachedInputSource: openAiCachedPricing,
      cachedInputDate: enteredOn,
    },
    'gpt-3.5-turbo': { inputUsdPerMTok: 0.5, outputUsdPerMTok: 1.5, source: openAiPricing, date: '2025-10-01' },
    'deepseek-chat': {
      inputUsdPerMTok: 0.28,
      outputUsdPerMTok: 0.42,
      source: deepSeekPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.028,
      cachedInputSource: deepSeekCachedPricing,
      cachedInputDate: enteredOn,
    },
    'deepseek-reasoner': {
      inputUsdPerMTok: 0.28,
      outputUsdPerMTok: 0.42,
      source: deepSeekPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.028,
      cachedInputSource: deepSeekCachedPricing,
      cachedInputDate: enteredOn,
    },
    'claude-sonnet-4-5': {
      inputUsdPerMTok: 3,
      outputUsdPerMTok: 15,
      source: anthropicPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.3,
      cachedInputSource: anthropicCachedPricing,
      cachedInputDate: confirmedOn,
    },
    'claude-haiku-4-5': {
      inputUsdPerMTok: 1,
      outputUsdPerMTok: 5,
      source: anthropicPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.1,
      cachedInputSource: anthropicCachedPricing,
      cachedInputDate: confirmedOn,
    },
    'claude-sonnet-4': {
      inputUsdPerMTok: 3,
      outputUsdPerMTok: 15,
      source: anthropicPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 0.3,
      cachedInputSource: anthropicCachedPricing,
      cachedInputDate: confirmedOn,
    },
    'claude-opus-4-1': {
      inputUsdPerMTok: 15,
      outputUsdPerMTok: 75,
      source: anthropicPricing,
      date: '2025-10-01',
      cachedInputUsdPerMTok: 1.5,
      cachedInputSource: anthropicCachedPricing,
      cachedInputDate: confirmedOn,
    },
  },
};

/**
 * The providers a model name may be qualified with: `provider:modelId` is how `dsp run` names models in the ledger
 * and in recorded traces (`openai:gpt-4.1-mini`, `openai-compatible:llama3:8b`). The same names as model specs.
 */
export const qualifyingProviders = ['openai', 'deepseek', 'anthropic', 'openai-compatible'] as const;

/** A model's price and the key of the table it was found under. */
export interface FoundPrice {
  /** The table's key: the model name itself, or the provider's model id of a qualified name. */
  key: string;
  price: ModelPrice;
}

/**
 * The price of a model (spec §5), one rule for live runs and replays: the table's entry for the name as given, so
 * that a provider-qualified key (`openai:gpt-4.1-mini`) takes precedence; else, for a name qualified by one of
 * `qualifyingProviders`, the entry for the provider's model id (`gpt-4.1-mini`). Only the table's own entries
 * count: a model named `constructor` or `toString` has no price. Undefined when neither key has an entry.
 */
export function findPrice(table: PriceTable, model: string): FoundPrice | undefined {
  for (const key of priceKeys(model)) {
    if (Object.hasOwn(table.models, key)) return { key, price: table.models[key]! };
  }
  return undefined;
}

/** The keys a model's price is looked up under, in order of precedence. */
function priceKeys(model: string): string[] {
  const separator = model.indexOf(':');
  const provider = model.slice(0, separator);
  const modelId = model.slice(separator + 1);
  const qualified = separator > 0 && modelId !== '' && (qualifyingProviders as readonly string[]).includes(provider);
  return qualified ? [model, modelId] : [model];
}

/**
 * Cost of a call in USD, or undefined when the model has no price or the usage is entirely unknown. Input tokens
 * read from the provider's cache (`cachedInputTokens`) cost the model's cached-input price when it has one.
 */
export function costOf(table: PriceTable, model: string | undefined, usage: Usage): number | undefined {
  if (model === undefined) return undefined;
  const price = findPrice(table, model)?.price;
  if (price === undefined) return undefined;
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return undefined;
  const listCost = (usage.inputTokens ?? 0) * price.inputUsdPerMTok + (usage.outputTokens ?? 0) * price.outputUsdPerMTok;
  return (listCost - cachedTokens(usage) * cacheDiscount(price)) / 1e6;
}

/**
 * What reading prompt tokens from the provider's cache saved on a call against the list input price, in USD: 0
 * when nothing was cached, the model has no cached-input price, or no price at all.
 */
export function cacheSavingUsd(table: PriceTable, model: string | undefined, usage: Usage): number {
  const price = model === undefined ? undefined : findPrice(table, model)?.price;
  if (price === undefined || usage.inputTokens === undefined) return 0;
  return (cachedTokens(usage) * cacheDiscount(price)) / 1e6;
}

/** The cached input tokens of a call, never more than its input tokens. */
function cachedTokens(usage: Usage): number {
  return Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens ?? 0);
}

/** USD per million tokens saved on each cached input token. */
function cacheDiscount(price: ModelPrice): number {
  return price.cachedInputUsdPerMTok === undefined ? 0 : Math.max(0, price.inputUsdPerMTok - price.cachedInputUsdPerMTok);
}

/**
 * What to do about calls whose model has no price, for a run priced with the table named `priceTableName`: pass a
 * price file when the built-in table was used, add the models to the file given otherwise.
 */
export function unpricedRemedy(priceTableName: string): string {
  return priceTableName === builtinPriceTable.name ? 'pass --prices FILE' : `add their models to the price file of ${priceTableName}`;
}
