/**
 * The log-probabilities `dsp serve` answers when a request asks for them (OpenAI chat completions' `logprobs: true`,
 * `top_logprobs: N`), derived from a recorded call's `confidence` alone (pure, no I/O).
 *
 * The reply is cut into tokens (runs of letters and digits, or one other character, each with the white space
 * before it), never across where the reply spells the action (`ReplayAnswer.actionSpan`) nor across the pieces a
 * streamed reply is sent in. The tokens that spell the action share `ln(confidence)` evenly; every other token gets
 * 0 (probability 1). A client that computes its confidence as the probability of the action's tokens
 * (`spanConfidence` of the agents) therefore gets the recorded value back, to the rounding of a sum of doubles.
 * Nothing else is known of the recorded model's distribution: `top_logprobs`, when asked for, lists each token
 * alone. A confidence of 0 is answered as -9999 in all (OpenAI's floor), since JSON has no minus infinity.
 */
import type { TextSpan } from '../agents/action-space.js';

/** One alternative of a token, in OpenAI's format. */
export interface ChatTopLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

/** One token of a reply with its log-probability, in OpenAI's chat-completions format (`choices[0].logprobs.content`). */
export interface ChatTokenLogprob extends ChatTopLogprob {
  top_logprobs: ChatTopLogprob[];
}

/** What a request asked for: `logprobs: true`, and how many alternatives per token (`top_logprobs`, default 0). */
export interface LogprobsAsked {
  topLogprobs: number;
}

/** OpenAI's floor for a log-probability, used for a recorded confidence of 0. */
const minimumLogprob = -9999;

/**
 * The reply's tokens with their log-probabilities, grouped by the pieces a reply is sent in (`pieces` concatenated
 * is `text`; one piece for a reply sent whole).
 */
export function replyLogprobs(
  pieces: readonly string[],
  actionSpan: TextSpan,
  confidence: number,
  asked: LogprobsAsked,
): ChatTokenLogprob[][] {
  const text = pieces.join('');
  const cuts = new Set<number>([actionSpan.start, actionSpan.end]);
  let offset = 0;
  for (const piece of pieces) {
    cuts.add(offset);
    offset += piece.length;
  }
  cuts.add(text.length);
  const bounds = [...cuts].filter((cut) => cut >= 0 && cut <= text.length).sort((left, right) => left - right);
  const tokens: Array<{ start: number; text: string }> = [];
  for (let index = 0; index + 1 < bounds.length; index += 1) {
    const start = bounds[index]!;
    for (const match of text.slice(start, bounds[index + 1]).matchAll(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+/gu)) {
      tokens.push({ start: start + match.index, text: match[0] });
    }
  }
  const inAction = (token: { start: number }): boolean => token.start >= actionSpan.start && token.start < actionSpan.end;
  const actionTokens = tokens.filter(inAction).length;
  const total = confidence > 0 ? Math.log(confidence) : minimumLogprob;
  const each = actionTokens === 0 ? 0 : total / actionTokens;
  const grouped: ChatTokenLogprob[][] = pieces.map(() => []);
  let piece = 0;
  let pieceEnd = pieces[0]?.length ?? 0;
  for (const token of tokens) {
    while (token.start >= pieceEnd && piece + 1 < pieces.length) {
      piece += 1;
      pieceEnd += pieces[piece]!.length;
    }
    const logprob = inAction(token) ? each : 0;
    const bytes = [...Buffer.from(token.text, 'utf8')];
    grouped[piece]!.push({
      token: token.text,
      logprob,
      bytes,
      top_logprobs: asked.topLogprobs > 0 ? [{ token: token.text, logprob, bytes }] : [],
    });
  }
  return grouped;
}

/**
 * What a chat-completion request asks of log-probabilities: undefined unless `logprobs` is `true`; `top_logprobs`
 * must then be a whole number from 0 to 20 when given (as OpenAI's API requires), else a `RangeError` naming it.
 */
export function logprobsAskedIn(body: { logprobs?: unknown; top_logprobs?: unknown }): LogprobsAsked | undefined {
  // Without `logprobs: true` the request is answered as it always was, whatever else it says.
  if (body.logprobs !== true) return undefined;
  const top = body.top_logprobs;
  if (top !== undefined && top !== null && !(typeof top === 'number' && Number.isInteger(top) && top >= 0 && top <= 20)) {
    throw new RangeError(`"top_logprobs" must be a whole number from 0 to 20, got ${JSON.stringify(top)}`);
  }
  return { topLogprobs: typeof top === 'number' ? top : 0 };
}
