import { APICallError } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import type { LanguageModelV3CallOptions, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { describeAgentConformance, type ConformanceBackend } from '../../test/conformance/agent-conformance.js';
import { runTask } from '../engine/run-task.js';
import type { AgentContext, Usage } from '../core/types.js';
import { VirtualClock } from '../core/virtual-clock.js';
import { fixedPolicy } from '../policies/basic.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { callLanguageModel, createAiSdkAgent, mapLanguageModelUsage } from './ai-sdk.js';
import { isModelCallError } from './errors.js';
import { countPromptTokens, loadTokenCounter } from './tokenizer.js';

const context: AgentContext = {
  task: { id: 'task-13', text: 'Given noisy image, how to return the regular image step by step?' },
  prefix: [],
  step: 1,
  speculative: false,
};

function v3Usage(input: number | undefined, output: number | undefined, reasoning: number | undefined): LanguageModelV3Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: {
      total: output,
      text: output === undefined ? undefined : output - (reasoning ?? 0),
      reasoning,
    },
  };
}

/** A stream of the given parts that then closes, or stays open when `stall` is set. */
function partsStream(parts: LanguageModelV3StreamPart[], stall = false): ReadableStream<LanguageModelV3StreamPart> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      if (!stall) controller.close();
    },
  });
}

function textReply(text: string[], usage: LanguageModelV3Usage): LanguageModelV3StreamPart[] {
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...text.map((delta): LanguageModelV3StreamPart => ({ type: 'text-delta', id: 't', delta })),
    { type: 'text-end', id: 't' },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
  ];
}

/** The texts of a request's messages, in order. */
function messageTexts(options: LanguageModelV3CallOptions): string[] {
  return options.prompt.map((message) =>
    typeof message.content === 'string'
      ? message.content
      : message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
  );
}

/** A `doStream` that answers the given parts (and stalls after them when `stall` is set). */
function streaming(parts: LanguageModelV3StreamPart[], stall = false): MockLanguageModelV3['doStream'] {
  return () => Promise.resolve({ stream: partsStream(parts, stall) });
}

/** A `doStream` that fails with `error`. */
function failingWith(error: Error): MockLanguageModelV3['doStream'] {
  return () => Promise.reject(error);
}

function mockBackend(): ConformanceBackend {
  const models: MockLanguageModelV3[] = [];
  const track = (model: MockLanguageModelV3): MockLanguageModelV3 => {
    models.push(model);
    return model;
  };
  const allCalls = (): LanguageModelV3CallOptions[] => models.flatMap((model) => model.doStreamCalls);
  return {
    answering: () => ({
      model: track(
        new MockLanguageModelV3({
          modelId: 'mock-target',
          doStream: streaming(textReply(['<tool>Image ', 'Denoising</tool>'], v3Usage(321, 45, 12))),
        }),
      ),
      context,
      expectedAction: 'Image Denoising',
      expectedUsage: { inputTokens: 321, outputTokens: 45, reasoningTokens: 12 },
      expectedModel: 'mock-target',
    }),
    stalling: () => ({
      // The stream ignores the abort signal on purpose: the adapter must still return at once.
      model: track(
        new MockLanguageModelV3({
          modelId: 'mock-slow',
          doStream: streaming(
            [
              { type: 'stream-start', warnings: [] },
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'Let me think about the noisy image first' },
            ],
            true,
          ),
        }),
      ),
      context,
    }),
    failing: () => {
      const model = track(
        new MockLanguageModelV3({
          modelId: 'mock-overloaded',
          doStream: failingWith(
            new APICallError({
              message: 'Service Unavailable: the model is overloaded',
              url: 'https://mock.invalid/v1/chat/completions',
              requestBodyValues: {},
              statusCode: 503,
              isRetryable: true,
            }),
          ),
        }),
      );
      return { model, context, expectedStatus: 503, expectedMessage: /overloaded/, attempts: () => model.doStreamCalls.length };
    },
    unreachable: () => {
      const model = track(
        new MockLanguageModelV3({
          modelId: 'mock-offline',
          doStream: failingWith(
            new APICallError({
              message: 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:9',
              url: 'http://127.0.0.1:9/v1/chat/completions',
              requestBodyValues: {},
              isRetryable: true,
            }),
          ),
        }),
      );
      return { model, context, attempts: () => model.doStreamCalls.length };
    },
    unparsable: () => ({
      model: track(
        new MockLanguageModelV3({
          modelId: 'mock-rambling',
          doStream: streaming(textReply(['I am not sure what to do.'], v3Usage(100, 8, undefined))),
        }),
      ),
      context,
    }),
    lastRequestMessages: () => messageTexts(allCalls()[allCalls().length - 1]!),
    requestCount: () => allCalls().length,
  };
}

describeAgentConformance('AI SDK MockLanguageModelV3', mockBackend());

describe('mapLanguageModelUsage', () => {
  it('keeps unknown counts undefined, never zero', () => {
    expect(mapLanguageModelUsage(undefined)).toEqual({});
    const usage = mapLanguageModelUsage({
      inputTokens: 10,
      inputTokenDetails: { noCacheTokens: undefined, cacheReadTokens: undefined, cacheWriteTokens: undefined },
      outputTokens: undefined,
      outputTokenDetails: { textTokens: undefined, reasoningTokens: undefined },
      totalTokens: undefined,
    });
    expect(usage).toEqual({ inputTokens: 10 });
    expect('outputTokens' in usage).toBe(false);
  });
});

describe('mapLanguageModelUsage and cached input', () => {
  it('keeps the prompt tokens read from the provider cache', () => {
    const usage = mapLanguageModelUsage({
      inputTokens: 1000,
      inputTokenDetails: { noCacheTokens: 400, cacheReadTokens: 600, cacheWriteTokens: undefined },
      outputTokens: 50,
      outputTokenDetails: { textTokens: 50, reasoningTokens: undefined },
      totalTokens: 1050,
    });
    expect(usage).toEqual({ inputTokens: 1000, outputTokens: 50, cachedInputTokens: 600 });
  });
});

describe('callLanguageModel', () => {
  it('estimates the usage a provider did not report, and marks it estimated', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4.1-mini',
      doStream: () => Promise.resolve({ stream: partsStream(textReply(['<tool>TERMINATE</tool>'], v3Usage(undefined, undefined, undefined))) }),
    });
    const reply = await callLanguageModel({ model, system: 'You plan.', prompt: 'Task: x' });
    const counter = await loadTokenCounter('o200k_base');
    expect(reply.usage).toEqual({
      inputTokens: countPromptTokens(counter, ['You plan.', 'Task: x']),
      outputTokens: counter.count('<tool>TERMINATE</tool>'),
      estimated: true,
    });
  });

  it('leaves unreported usage unknown when estimates are turned off', async () => {
    const model = new MockLanguageModelV3({
      doStream: () => Promise.resolve({ stream: partsStream(textReply(['ok'], v3Usage(7, undefined, undefined))) }),
    });
    const reply = await callLanguageModel({ model, prompt: 'hi', estimateMissingUsage: false });
    expect(reply.usage).toEqual({ inputTokens: 7 });
  });

  it('reports estimated partial usage while the reply streams', async () => {
    const counter = await loadTokenCounter('cl100k_base');
    const model = new MockLanguageModelV3({
      modelId: 'mock-model',
      doStream: () => Promise.resolve({ stream: partsStream(textReply(['one ', 'two ', 'three'], v3Usage(50, 3, undefined))) }),
    });
    const partials: Usage[] = [];
    const reply = await callLanguageModel({ model, prompt: 'count', onPartialUsage: (usage) => partials.push(usage) });
    const counts = ['one ', 'two ', 'three'].map((delta) => counter.count(delta));
    expect(partials.map((usage) => usage.outputTokens)).toEqual([counts[0], counts[0]! + counts[1]!, counts[0]! + counts[1]! + counts[2]!]);
    expect(partials.every((usage) => usage.estimated === true && (usage.inputTokens ?? 0) > 0)).toBe(true);
    expect(reply.usage).toEqual({ inputTokens: 50, outputTokens: 3 });
  });

  it('sends temperature 0 and retries only when the caller asks', async () => {
    let attempts = 0;
    const model = new MockLanguageModelV3({
      doStream: () => {
        attempts += 1;
        return Promise.reject(new APICallError({
          message: 'rate limited',
          url: 'https://x.invalid',
          requestBodyValues: {},
          statusCode: 429,
          isRetryable: true,
          // Lets the SDK retry at once instead of after its two-second backoff.
          responseHeaders: { 'retry-after-ms': '0' },
        }));
      },
    });
    await expect(callLanguageModel({ model, prompt: 'p' })).rejects.toThrow(/HTTP 429/);
    expect(attempts).toBe(1);
    expect(model.doStreamCalls[0]!.temperature).toBe(0);
    attempts = 0;
    const retried = callLanguageModel({ model, prompt: 'p', maxRetries: 1 });
    await expect(retried).rejects.toThrow(/rate limited/);
    expect(attempts).toBe(2);
  });
});

describe('the timeout of a call', () => {
  it('aborts a stalled request, bills its estimate, and fails with a transient ModelCallError', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'gpt-4.1',
      doStream: streaming(
        [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'Let me think' },
        ],
        true,
      ),
    });
    const partials: Usage[] = [];
    const error: unknown = await callLanguageModel({ model, prompt: 'plan', timeoutMs: 30, onPartialUsage: (usage) => partials.push(usage) }).catch(
      (caught: unknown) => caught,
    );
    expect(isModelCallError(error)).toBe(true);
    if (!isModelCallError(error)) return;
    expect(error.timedOut).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('call to model gpt-4.1 failed: no complete reply within 30 ms');
    // The HTTP request was aborted, and the prompt plus the streamed words are billed as an estimate.
    expect(model.doStreamCalls[0]!.abortSignal?.aborted).toBe(true);
    const counter = await loadTokenCounter('o200k_base');
    expect(partials[partials.length - 1]).toEqual({
      inputTokens: countPromptTokens(counter, ['plan']),
      outputTokens: counter.count('Let me think'),
      estimated: true,
    });
  });

  it('is not a cancellation: a call cancelled before its timeout rejects with the cancellation reason', async () => {
    const model = new MockLanguageModelV3({ doStream: streaming([{ type: 'stream-start', warnings: [] }], true) });
    const controller = new AbortController();
    const reason = new Error('round ended');
    const call = callLanguageModel({ model, prompt: 'plan', timeoutMs: 60_000, signal: controller.signal });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('must be positive, and fit one timer (a longer one would fire at once)', async () => {
    const model = new MockLanguageModelV3({ doStream: streaming([], false) });
    await expect(callLanguageModel({ model, prompt: 'p', timeoutMs: 0 })).rejects.toThrow(
      'timeoutMs must be a number of milliseconds from 1 to 2147483647, got 0',
    );
    await expect(callLanguageModel({ model, prompt: 'p', timeoutMs: 99_999_999_999 })).rejects.toThrow(
      'timeoutMs must be a number of milliseconds from 1 to 2147483647, got 99999999999',
    );
  });
});

describe('createAiSdkAgent with the engine', () => {
  it('plans a task with mock models through react, two calls per step with their usage summed', async () => {
    // A always guesses Colorization, so every round breaks at its first step and T's action is committed.
    const replies = ['<tool>Image Denoising</tool>', '<tool>TERMINATE</tool>'];
    const target = new MockLanguageModelV3({
      modelId: 'mock-target',
      doStream: (options) => {
        const step = messageTexts(options).join('\n').includes('1. Image Denoising') ? 1 : 0;
        return Promise.resolve({ stream: partsStream(textReply([replies[step]!], v3Usage(100, 10, undefined))) });
      },
    });
    const approx = new MockLanguageModelV3({
      modelId: 'mock-approx',
      doStream: () => Promise.resolve({ stream: partsStream(textReply(['<tool>Colorization</tool>'], v3Usage(40, 5, undefined))) }),
    });
    const clock = new VirtualClock();
    const result = await clock.run(() =>
      runTask({
        task: context.task,
        approx: createAiSdkAgent({ model: approx, actionSpace: openAgiActionSpace }),
        target: createAiSdkAgent({ model: target, actionSpace: openAgiActionSpace, strategy: 'react' }),
        policy: fixedPolicy(3),
        clock,
        actionsMatch: openAgiActionSpace.actionsMatch,
        isTerminal: openAgiActionSpace.isTerminal,
      }),
    );
    expect(result.plan).toEqual(['Image Denoising', 'TERMINATE']);
    const committed = result.records.filter((record) => record.status === 'committed');
    // react: two calls per step, usage summed.
    expect(committed.map((record) => record.usage)).toEqual([
      { inputTokens: 200, outputTokens: 20 },
      { inputTokens: 200, outputTokens: 20 },
    ]);
  });
});
