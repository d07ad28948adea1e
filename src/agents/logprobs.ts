/**
 * An agent's confidence in its action from the token log-probabilities of its reply (docs/live-agents.md, "A's
 * confidence from log-probabilities").
 *
 * The confidence is the probability the model gave to the tokens that spell the action in the reply the action was
 * read from: `exp(Σ logprob)` over the tokens that overlap the action's text (the content of the `<tool>` tag, a
 * TravelPlanner action line). Tokens outside it — the tag itself, a chain of thought before it — are left out: the
 * tag is near certain and says nothing, and a thought's probability shrinks with its length, not with the model's
 * doubt about the action. Pure: no provider, no I/O; `ai-sdk.ts` asks the providers and reads their metadata.
 */
import type { TextSpan } from './action-space.js';

/** One token of a reply and its log-probability (natural logarithm), as a provider reports it. */
export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** The provider options that ask a provider for its reply's log-probabilities (AI SDK `providerOptions`). */
export type LogprobsRequest = Record<string, Record<string, boolean | number>>;

/**
 * How to ask a provider for log-probabilities, by the AI SDK model's `provider` id (`openai.chat`,
 * `openai.responses`, `deepseek.chat`, `openai-compatible.chat`); undefined for a provider that offers none here
 * (Anthropic) or that we do not know.
 *
 * - OpenAI (chat completions and responses): `logprobs: 1` (one alternative per token, the fewest the responses API
 *   accepts; `true` would ask it for 20).
 * - DeepSeek: `logprobs: true`.
 * - `openai-compatible` (the provider `createLanguageModel` makes): `logprobs: true`, which the provider passes
 *   through into the request body as OpenAI's chat-completions field.
 */
export function logprobsRequestFor(providerId: string): LogprobsRequest | undefined {
  const provider = providerId.split('.')[0]!.trim();
  switch (provider) {
    case 'openai':
      return { openai: { logprobs: 1 } };
    case 'deepseek':
      return { deepseek: { logprobs: true } };
    case 'openai-compatible':
      return { openaiCompatible: { logprobs: true } };
    default:
      return undefined;
  }
}

/**
 * The reply's token log-probabilities from the AI SDK's `providerMetadata`, whichever provider key holds them:
 * a list of tokens (`openai` chat completions, `openaiCompatible`), a list of lists, one per text part (`openai`
 * responses), or `{content: [...]}` (`deepseek`; its reasoning tokens are left out). Undefined when none is there
 * or an entry is not a token with a finite-or-minus-infinite log-probability.
 */
export function logprobsFromProviderMetadata(metadata: unknown): TokenLogprob[] | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  for (const entry of Object.values(metadata as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const found = tokenList((entry as { logprobs?: unknown }).logprobs);
    if (found !== undefined) return found;
  }
  return undefined;
}

function tokenList(value: unknown): TokenLogprob[] | undefined {
  let items: unknown[];
  if (Array.isArray(value)) {
    items = value.every((item) => Array.isArray(item)) ? (value as unknown[][]).flat() : value;
  } else if (typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content)) {
    items = (value as { content: unknown[] }).content;
  } else {
    return undefined;
  }
  if (items.length === 0) return undefined;
  const tokens: TokenLogprob[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { token, logprob } = item as { token?: unknown; logprob?: unknown };
    if (typeof token !== 'string' || typeof logprob !== 'number' || Number.isNaN(logprob)) return undefined;
    tokens.push({ token, logprob });
  }
  return tokens;
}

/**
 * The confidence in the text at `span` of `reply`: `exp` of the sum of the log-probabilities of the tokens that
 * overlap it, in [0, 1]. The tokens are laid over the reply from its start and from its end, as far as they spell
 * it exactly (a token that splits a character, say, stops the walk); undefined when the span is empty or not
 * wholly under tokens laid so.
 */
export function spanConfidence(reply: string, logprobs: readonly TokenLogprob[], span: TextSpan): number | undefined {
  if (!(span.start < span.end) || span.start < 0 || span.end > reply.length) return undefined;
  const placed = placeTokens(reply, logprobs);
  let covered = span.start;
  let sum = 0;
  // Tokens are placed in reply order (those from the start, then those from the end), so one pass checks coverage.
  for (const token of placed) {
    if (token.end <= span.start || token.start >= span.end) continue;
    if (token.start > covered) return undefined;
    covered = Math.max(covered, token.end);
    sum += token.logprob;
  }
  if (covered < span.end) return undefined;
  const confidence = Math.exp(sum);
  return Number.isNaN(confidence) ? undefined : Math.min(1, Math.max(0, confidence));
}

/** The tokens that spell the reply exactly, with their offsets: from the start as far as they match, then from the end. */
function placeTokens(reply: string, logprobs: readonly TokenLogprob[]): Array<TextSpan & { logprob: number }> {
  const fromStart: Array<TextSpan & { logprob: number }> = [];
  let position = 0;
  let index = 0;
  for (; index < logprobs.length; index += 1) {
    const { token, logprob } = logprobs[index]!;
    if (!reply.startsWith(token, position)) break;
    fromStart.push({ start: position, end: position + token.length, logprob });
    position += token.length;
  }
  const fromEnd: Array<TextSpan & { logprob: number }> = [];
  let end = reply.length;
  for (let last = logprobs.length - 1; last >= index; last -= 1) {
    const { token, logprob } = logprobs[last]!;
    if (end - token.length < position || reply.slice(end - token.length, end) !== token) break;
    fromEnd.push({ start: end - token.length, end, logprob });
    end -= token.length;
  }
  return [...fromStart, ...fromEnd.reverse()];
}
