/**
 * Token counts for estimates (a cancelled call's input and streamed output, or a provider that reports no usage).
 * Uses js-tiktoken with the ranks bundled in the package (`o200k_base`, `cl100k_base`): nothing is downloaded.
 *
 * Building an encoder takes about a second of CPU (o200k: ~1.7 s, cl100k: ~0.7 s) and blocks the event loop, so
 * encoders are built lazily, once per process, and a live run should call `preloadTokenCounter` before it starts
 * timing calls.
 */
import { Tiktoken } from 'js-tiktoken/lite';

/** The bundled encodings we use. */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Counts tokens of a text with one encoding. */
export interface TokenCounter {
  readonly encoding: EncodingName;
  /** Number of tokens of `text` (special-token strings are counted as ordinary text). */
  count(text: string): number;
}

/** Tokens a chat request adds per message (role and separators), as in OpenAI's chat format. */
export const tokensPerMessage = 3;
/** Tokens that prime the assistant's reply in OpenAI's chat format. */
export const tokensPerReplyPriming = 3;

/**
 * The encoding whose counts best approximate a model's: `o200k_base` for OpenAI's GPT-4o / GPT-4.1 / GPT-5 and
 * o-series models, `cl100k_base` for everything else (older OpenAI models, and an approximation for other
 * vendors' models, whose tokenizers are not bundled).
 */
export function encodingForModel(modelName: string): EncodingName {
  const name = modelName.toLowerCase().replace(/^.*\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(name)) return 'o200k_base';
  return 'cl100k_base';
}

const counters = new Map<EncodingName, TokenCounter>();
const loading = new Map<EncodingName, Promise<TokenCounter>>();

/** The encoding's counter if it was already built, else undefined (never blocks). */
export function loadedTokenCounter(encoding: EncodingName): TokenCounter | undefined {
  return counters.get(encoding);
}

/** Builds (once per process) and returns the counter of an encoding. */
export function loadTokenCounter(encoding: EncodingName): Promise<TokenCounter> {
  const ready = counters.get(encoding);
  if (ready !== undefined) return Promise.resolve(ready);
  let pending = loading.get(encoding);
  if (pending === undefined) {
    pending = importRanks(encoding).then((ranks) => {
      const encoder = new Tiktoken(ranks);
      const counter: TokenCounter = {
        encoding,
        count: (text) => (text.length === 0 ? 0 : encoder.encode(text, [], []).length),
      };
      counters.set(encoding, counter);
      return counter;
    });
    // A failed load may be retried by the next caller.
    pending.catch(() => loading.delete(encoding));
    loading.set(encoding, pending);
  }
  return pending;
}

/** Builds the counters of the given models' encodings now, so that no later estimate stalls a timed run. */
export async function preloadTokenCounters(modelNames: readonly string[]): Promise<void> {
  const encodings = new Set(modelNames.map(encodingForModel));
  for (const encoding of encodings) await loadTokenCounter(encoding);
}

/** Estimated prompt tokens of a chat request made of the given messages (their texts only). */
export function countPromptTokens(counter: TokenCounter, messages: readonly string[]): number {
  let total = tokensPerReplyPriming;
  for (const message of messages) total += tokensPerMessage + counter.count(message);
  return total;
}

async function importRanks(encoding: EncodingName): Promise<ConstructorParameters<typeof Tiktoken>[0]> {
  // Separate literal imports so that bundlers and `tsc` see both modules.
  const module =
    encoding === 'o200k_base'
      ? await import('js-tiktoken/ranks/o200k_base')
      : await import('js-tiktoken/ranks/cl100k_base');
  return module.default;
}
