import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { parseTravelPlannerReply } from '../envs/travelplanner/react-prompt.js';
import { spanConfidence } from '../agents/logprobs.js';
import { toolTagActionSpan } from '../agents/action-space.js';
import { logprobsAskedIn, replyLogprobs } from './logprobs-answers.js';
import { replyText } from './replay-answers.js';

/** The pieces of a text cut at the given offsets. */
const cut = (text: string, offsets: readonly number[]): string[] => {
  const bounds = [0, ...[...new Set(offsets)].filter((offset) => offset > 0 && offset < text.length).sort((left, right) => left - right), text.length];
  return bounds.slice(1).map((end, index) => text.slice(bounds[index], end));
};

describe('log-probabilities derived from a recorded confidence', () => {
  it('give the client back the recorded confidence, however the reply is cut into pieces', () => {
    const kinds = ['direct', 'cot', 'react-action', 'debate-final'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom('Image Deblurring', 'Image Super Resolution', 'TERMINATE', 'Text to Image Generation'),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.array(fc.nat({ max: 200 }), { maxLength: 6 }),
        (kind, action, confidence, offsets) => {
          const text = replyText(kind, action, 3);
          const span = toolTagActionSpan(text)!;
          const pieces = cut(text, offsets);
          const grouped = replyLogprobs(pieces, span, confidence, { topLogprobs: 0 });
          expect(grouped.map((tokens) => tokens.map((token) => token.token).join(''))).toEqual(pieces);
          const parsed = openAgiActionSpace.parse(text);
          expect(parsed.ok && parsed.span).toEqual(span);
          const flat = grouped.flat();
          expect(spanConfidence(text, flat, span)).toBeCloseTo(confidence, 12);
          // Only the action's tokens carry the recorded doubt.
          expect(flat.filter((token) => token.logprob !== 0).map((token) => token.token).join('').trim()).toBe(confidence === 1 ? '' : action);
        },
      ),
    );
  });

  it('does so for a TravelPlanner action line, and answers 0 as OpenAI floor -9999', () => {
    const text = 'FlightSearch[Denver, Appleton, 2022-03-04]';
    const parsed = parseTravelPlannerReply(text);
    if (!parsed.ok) throw new Error('parsed');
    const tokens = replyLogprobs([text], parsed.span, 0.37, { topLogprobs: 0 })[0]!;
    expect(spanConfidence(text, tokens, parsed.span)).toBeCloseTo(0.37, 12);
    const zero = replyLogprobs([text], parsed.span, 0, { topLogprobs: 0 })[0]!;
    expect(zero.reduce((sum, token) => sum + token.logprob, 0)).toBeCloseTo(-9999, 6);
    expect(spanConfidence(text, zero, parsed.span)).toBe(0);
  });

  it('carry bytes, and list each token alone as its top alternative when asked', () => {
    const [tokens] = replyLogprobs(['<tool>Café</tool>'], { start: 6, end: 10 }, 0.5, { topLogprobs: 2 });
    const cafe = tokens!.find((token) => token.token === 'Café')!;
    expect(cafe.bytes).toEqual([...Buffer.from('Café', 'utf8')]);
    expect(cafe.logprob).toBeCloseTo(Math.log(0.5), 12);
    expect(cafe.top_logprobs).toEqual([{ token: 'Café', logprob: cafe.logprob, bytes: cafe.bytes }]);
    expect(replyLogprobs(['<tool>Café</tool>'], { start: 6, end: 10 }, 0.5, { topLogprobs: 0 })[0]![0]!.top_logprobs).toEqual([]);
  });

  it('are asked for by logprobs: true, with top_logprobs 0 to 20', () => {
    expect(logprobsAskedIn({})).toBeUndefined();
    expect(logprobsAskedIn({ logprobs: false, top_logprobs: 99 })).toBeUndefined();
    expect(logprobsAskedIn({ logprobs: true })).toEqual({ topLogprobs: 0 });
    expect(logprobsAskedIn({ logprobs: true, top_logprobs: 5 })).toEqual({ topLogprobs: 5 });
    expect(() => logprobsAskedIn({ logprobs: true, top_logprobs: 21 })).toThrow(/top_logprobs/);
    expect(() => logprobsAskedIn({ logprobs: true, top_logprobs: 1.5 })).toThrow(/top_logprobs/);
  });
});
