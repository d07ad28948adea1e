import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';
import type { Trace } from '../traces/schema.js';
import { isReplayLookupError } from './replay-answers.js';
import { isToolRequest, readToolConversation, type ToolAgentAction, toolAgentActionOf, ToolTraceBook, toolCallDeltas } from './tool-answers.js';

/** A step's action as a trace holds it. */
const json = (action: ToolAgentAction): JsonValue => action as unknown as JsonValue;

const search = { toolCalls: [{ input: { to: 'Paris' }, toolName: 'searchFlights' }] };
const weatherParis = { toolCalls: [{ input: { city: 'Paris' }, toolName: 'weather' }] };
const weatherLondon = { toolCalls: [{ input: { city: 'London' }, toolName: 'weather' }] };
const both: ToolAgentAction = {
  toolCalls: [
    { input: { city: 'Paris' }, toolName: 'weather' },
    { input: { to: 'Paris' }, toolName: 'searchFlights' },
  ],
};

const trace: Trace = {
  format: 'dsp-trace/1',
  id: 'tools/trip/run-1',
  suite: 'tools',
  task: 'Plan my  trip to Paris.',
  timing: 'measured',
  models: { approx: 'a', target: 't' },
  steps: [
    {
      target: { action: json(search), latencyMs: 600, inputTokens: 100, outputTokens: 20, cachedInputTokens: 64, tool: { effect: 'pure', latencyMs: 300 } },
      approx: { action: json(search), latencyMs: 60, inputTokens: 90, outputTokens: 10 },
    },
    {
      target: { action: json(both), latencyMs: 700, inputTokens: 150, outputTokens: 30 },
      approx: { action: json(weatherLondon), latencyMs: 70, inputTokens: 95, outputTokens: 11 },
    },
    { target: { action: { text: 'Booked.' }, latencyMs: 500, inputTokens: 200, outputTokens: 5 } },
  ],
};
const openAgi: Trace = { ...trace, id: 'openagi/1', task: 'Given blurry image, how to return the regular image step by step?', steps: [{ target: { action: 'TERMINATE', latencyMs: 1, inputTokens: 1, outputTokens: 1 } }] };
const book = new ToolTraceBook([trace, openAgi]);

function call(id: string, name: string, args: string) {
  return { id, type: 'function', function: { name, arguments: args } };
}

describe('readToolConversation', () => {
  it('reads the task from the first user message and a step from each assistant message', () => {
    const conversation = readToolConversation([
      { role: 'system', content: 'You plan trips.' },
      { role: 'user', content: [{ type: 'text', text: 'Plan my trip ' }, { type: 'text', text: 'to Paris.' }] },
      { role: 'assistant', content: null, tool_calls: [call('x', 'searchFlights', '{"to":"Paris"}')] },
      { role: 'tool', tool_call_id: 'x', content: '3 flights' },
      { role: 'assistant', content: 'Let me see.', tool_calls: [call('y', 'weather', 'not json')] },
      { role: 'tool', tool_call_id: 'y', content: 'error' },
      { role: 'assistant', content: 'All done.' },
    ]);
    expect(conversation).toEqual({
      task: 'Plan my trip to Paris.',
      steps: [search, { toolCalls: [{ toolName: 'weather', input: 'not json' }] }, { text: 'All done.' }],
    });
  });

  it('refuses messages a chat-completions client does not send, naming the message', () => {
    const errors = [
      () => readToolConversation([{ role: 'system', content: 'only a system prompt' }]),
      () => readToolConversation([{ role: 'user', content: 'x' }, { role: 'assistant', tool_calls: [{ type: 'function' }] }]),
    ].map((read) => {
      try {
        read();
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(errors.every(isInvalidInputError)).toBe(true);
    expect(errors.map(String)).toEqual([
      'InvalidInputError: messages: no user message (the first one holds the task)',
      'InvalidInputError: messages[1].tool_calls[0]: expected a function call with a name',
    ]);
  });

  it('tells a tool-calling request and a tool-agent action', () => {
    expect(isToolRequest({ tools: [{ type: 'function' }] })).toBe(true);
    expect(isToolRequest({ tools: [] })).toBe(false);
    expect(isToolRequest({ messages: [] })).toBe(false);
    expect(toolAgentActionOf(search)).toEqual(search);
    expect(toolAgentActionOf({ text: 'done' })).toEqual({ text: 'done' });
    expect(toolAgentActionOf('Image Deblurring')).toBeUndefined();
    expect(toolAgentActionOf({ text: 'done', extra: 1 })).toBeUndefined();
    expect(toolAgentActionOf({ toolCalls: [{ name: 'x' }] })).toBeUndefined();
  });
});

describe('ToolTraceBook', () => {
  it("answers T's step on the recorded plan with the recorded calls, whole latency and tokens", () => {
    const answer = book.answer('target', { task: 'Plan my trip to Paris.', steps: [] });
    expect(answer).toMatchObject({
      traceId: 'tools/trip/run-1',
      step: 1,
      onTrace: true,
      text: '',
      toolCalls: [call('call_1_0', 'searchFlights', '{"to":"Paris"}')],
      finishReason: 'tool_calls',
      latencyMs: 600,
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 64 },
    });
  });

  it('finds the plan so far whatever order the calls of a step came in, and answers the final text', () => {
    const reversed: ToolAgentAction = { toolCalls: [...(both as { toolCalls: [] }).toolCalls].reverse() };
    const answer = book.answer('target', { task: 'Plan my trip to Paris.', steps: [search, reversed] });
    expect(answer).toMatchObject({ step: 3, onTrace: true, text: 'Booked.', toolCalls: [], finishReason: 'stop', latencyMs: 500 });
  });

  it("answers A's guess with its own record; a prefix the trace never saw gets the same step's record", () => {
    expect(book.answer('approx', { task: 'Plan my trip to Paris.', steps: [search] }).toolCalls).toEqual([call('call_2_0', 'weather', '{"city":"London"}')]);
    const offTrace = book.answer('target', { task: 'Plan my trip to Paris.', steps: [search, weatherLondon] });
    expect(offTrace).toMatchObject({ step: 3, onTrace: false, text: 'Booked.' });
    const pastEnd = book.answer('target', { task: 'Plan my trip to Paris.', steps: [search, both, { text: 'Booked.' }, weatherParis] });
    expect(pastEnd).toMatchObject({ step: 3, onTrace: false });
  });

  it('refuses a task with no tool-agent trace, and a step with no record of the role', () => {
    const lookups = [
      () => book.answer('target', { task: 'Given blurry image, how to return the regular image step by step?', steps: [] }),
      () => book.answer('approx', { task: 'Plan my trip to Paris.', steps: [search, both] }),
    ].map((lookup) => {
      try {
        lookup();
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(lookups.every(isReplayLookupError)).toBe(true);
    expect(lookups.map((error) => (error as Error).message)).toEqual([
      'no tool-agent trace for the task "Given blurry image, how to return the regular image step by step?" (the request\'s first user message); the traces hold 1 tool-agent task',
      'trace tools/trip/run-1 has no approx record at step 3',
    ]);
  });

  it('replays a call the client could not parse as the text it failed on', () => {
    const unparsable: Trace = {
      ...trace,
      id: 'tools/bad/run-1',
      task: 'Broken call.',
      steps: [{ target: { action: { toolCalls: [{ error: 'Invalid input', input: '{"city":', toolName: 'weather' }] }, latencyMs: 1, inputTokens: 1, outputTokens: 1 } }],
    };
    const answer = new ToolTraceBook([unparsable]).answer('target', { task: 'Broken call.', steps: [] });
    expect(answer.toolCalls).toEqual([call('call_1_0', 'weather', '{"city":')]);
  });
});

describe('toolCallDeltas', () => {
  it("streams each call's id and name, then its arguments in pieces that add up to them", () => {
    const deltas = toolCallDeltas([call('call_1_0', 'weather', '{"city":"Paris"}'), call('call_1_1', 'send', '{}')] as never);
    expect(deltas[0]).toEqual({ tool_calls: [{ index: 0, id: 'call_1_0', type: 'function', function: { name: 'weather', arguments: '' } }] });
    const argumentsOf = (index: number): string =>
      deltas
        .flatMap((delta) => delta.tool_calls as Array<{ index: number; function: { arguments: string } }>)
        .filter((part) => part.index === index)
        .map((part) => part.function.arguments)
        .join('');
    expect([argumentsOf(0), argumentsOf(1)]).toEqual(['{"city":"Paris"}', '{}']);
  });
});
