/**
 * Log-probabilities from an OpenAI-compatible server. `@ai-sdk/openai-compatible` passes a request's unknown
 * provider options into the body (so `providerOptions.openaiCompatible.logprobs = true` sends OpenAI's
 * `logprobs: true`) but does not read `choices[0].logprobs` back; a `MetadataExtractor` does, from the whole reply
 * or chunk by chunk from a stream, and puts the tokens where the AI SDK adapter reads them:
 * `providerMetadata.openaiCompatible.logprobs`, a list of `{token, logprob}` in reply order (the shape of
 * `@ai-sdk/openai`'s chat model).
 */
import type { MetadataExtractor } from '@ai-sdk/openai-compatible';
import type { JSONObject } from '@ai-sdk/provider';

/** The provider-metadata key the tokens are put under (the provider options key of `openai-compatible`). */
export const compatibleLogprobsKey = 'openaiCompatible';

/** Reads `choices[0].logprobs.content` of OpenAI-compatible replies and chunks into provider metadata. */
export const compatibleLogprobsExtractor: MetadataExtractor = {
  extractMetadata: ({ parsedBody }) => Promise.resolve(metadataOf(contentLogprobs(parsedBody) ?? [])),
  createStreamExtractor: () => {
    const tokens: JSONObject[] = [];
    return {
      processChunk: (parsedChunk) => void tokens.push(...(contentLogprobs(parsedChunk) ?? [])),
      buildMetadata: () => metadataOf(tokens),
    };
  },
};

function metadataOf(tokens: JSONObject[]): Record<string, JSONObject> | undefined {
  return tokens.length === 0 ? undefined : { [compatibleLogprobsKey]: { logprobs: tokens } };
}

/** The `{token, logprob}` entries of a reply's or a chunk's first choice; undefined when it has none. */
function contentLogprobs(body: unknown): JSONObject[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const logprobs = (choices[0] as { logprobs?: unknown } | null)?.logprobs;
  const content = typeof logprobs === 'object' && logprobs !== null ? (logprobs as { content?: unknown }).content : undefined;
  if (!Array.isArray(content)) return undefined;
  const tokens: JSONObject[] = [];
  for (const entry of content) {
    const { token, logprob } = (entry ?? {}) as { token?: unknown; logprob?: unknown };
    // A malformed entry leaves the whole reply without log-probabilities (its confidence unknown), never fails it.
    if (typeof token !== 'string' || typeof logprob !== 'number') return undefined;
    tokens.push({ token, logprob });
  }
  return tokens;
}
