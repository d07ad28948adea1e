import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import { isInvalidInputError } from '../core/errors.js';
import { type CallKind, renderPrompt } from '../agents/prompt-format.js';
import type { Action } from '../core/types.js';
import type { Trace } from '../traces/schema.js';
import { TraceBook, tokenShare } from './replay-answers.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const task = 'Given blurry grayscale image, how to return the regular image step by step?';
const trace: Trace = {
  format: 'dsp-trace/1',
  id: 'unit/run-1',
  suite: 'unit',
  task,
  timing: 'modelled',
  models: { approx: 'a', target: 't' },
  steps: [
    {
      target: { action: 'Image Deblurring', latencyMs: 3000, inputTokens: 901, outputTokens: 103, reasoningTokens: 20 },
      approx: { action: 'Image Deblurring', latencyMs: 400, inputTokens: 300, outputTokens: 9 },
    },
    {
      target: { action: 'Colorization', latencyMs: 1500, inputTokens: 950, outputTokens: 110 },
      approx: { action: 'Image Super Resolution', latencyMs: 300, inputTokens: 320, outputTokens: 10 },
    },
    { target: { action: 'TERMINATE', latencyMs: 600, inputTokens: 990, outputTokens: 20 } },
  ],
};

/** A clock that records every wait and returns at once. */
class RecordingClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return 0;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return Promise.resolve();
  }
}

function chatBody(model: string, kind: CallKind, prefix: Action[], stream = false, taskText = task): string {
  return JSON.stringify({
    model,
    stream,
    messages: [
      { role: 'system', content: 'You plan.' },
      { role: 'user', content: renderPrompt({ kind, task: taskText, prefix }, 'Answer with <tool>ACTION</tool>.') },
    ],
  });
}

interface ChatCompletion {
  choices: Array<{ message: { content: string }; finish_reason: string }>;
  usage: { prompt_tokens: number; completion_tokens: number; completion_tokens_details?: { reasoning_tokens: number } };
}

describe('replay server (instant clock)', () => {
  let server: ReplayServer;
  const clock = new RecordingClock();

  beforeAll(async () => {
    server = await startReplayServer({ traces: [trace], speed: 10, clock });
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (body: string): Promise<Response> =>
    fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('lists the two models', async () => {
    const response = await fetch(`${server.url}/models`);
    const list = (await response.json()) as { data: Array<{ id: string }> };
    expect(list.data.map((model) => model.id)).toEqual(['approx', 'target']);
  });

  it('answers a non-streaming request with the recorded action, usage and the recorded latency over the speed', async () => {
    clock.sleeps.length = 0;
    const response = await post(chatBody('target', 'direct', []));
    expect(response.status).toBe(200);
    const completion = (await response.json()) as ChatCompletion;
    expect(completion.choices[0]!.message.content).toBe('<tool>Image Deblurring</tool>');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 901, completion_tokens: 103 });
    expect(completion.usage.completion_tokens_details).toEqual({ reasoning_tokens: 20 });
    expect(clock.sleeps).toEqual([300]);
  });

  it("answers A's recorded guess to the approx model", async () => {
    const completion = (await (await post(chatBody('approx', 'direct', ['Image Deblurring']))).json()) as ChatCompletion;
    expect(completion.choices[0]!.message.content).toBe('<tool>Image Super Resolution</tool>');
    expect(completion.usage).toMatchObject({ prompt_tokens: 320, completion_tokens: 10 });
  });

  it('streams SSE chunks whose text is the reply, then a usage chunk and [DONE], spread over the latency', async () => {
    clock.sleeps.length = 0;
    const response = await post(chatBody('target', 'cot', ['Image Deblurring'], true));
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice('data: '.length));
    expect(events[events.length - 1]).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as {
      choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>;
      usage?: { prompt_tokens: number; completion_tokens: number };
    });
    const text = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');
    expect(text).toMatch(/<tool>Colorization<\/tool>$/);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks[chunks.length - 1]!.usage).toEqual({ prompt_tokens: 950, completion_tokens: 110, total_tokens: 1060 });
    // 1500 ms at speed 10: the waits add up to 150 ms, the first words after a quarter of it.
    expect(clock.sleeps[0]).toBeCloseTo(37.5);
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeCloseTo(150);
  });

  it("shares a step's record among a strategy's calls so that the calls add up to the record", async () => {
    const usageOf = async (kind: CallKind): Promise<ChatCompletion['usage']> =>
      ((await (await post(chatBody('target', kind, []))).json()) as ChatCompletion).usage;
    const react = [await usageOf('react-thought'), await usageOf('react-action')];
    expect(react.reduce((sum, usage) => sum + usage.prompt_tokens, 0)).toBe(901);
    expect(react.reduce((sum, usage) => sum + usage.completion_tokens, 0)).toBe(103);
    const debateKinds: CallKind[] = ['debate-1a', 'debate-1b', 'debate-2a', 'debate-2b', 'debate-final'];
    const debate = await Promise.all(debateKinds.map(usageOf));
    expect(debate.reduce((sum, usage) => sum + usage.prompt_tokens, 0)).toBe(901);
    expect(debate.reduce((sum, usage) => sum + usage.completion_tokens, 0)).toBe(103);
    expect(debateKinds.map((kind) => tokenShare(103, kind))).toEqual([20, 20, 20, 20, 23]);
  });

  it('answers a speculative prefix with the same step’s record, and counts it off the trace', async () => {
    const before = server.stats().offTrace;
    const completion = (await (await post(chatBody('target', 'direct', ['Image Denoising']))).json()) as ChatCompletion;
    expect(completion.choices[0]!.message.content).toBe('<tool>Colorization</tool>');
    const past = (await (await post(chatBody('target', 'direct', ['Image Deblurring', 'Colorization', 'TERMINATE', 'TERMINATE']))).json()) as ChatCompletion;
    expect(past.choices[0]!.message.content).toBe('<tool>TERMINATE</tool>');
    expect(server.stats().offTrace).toBe(before + 2);
  });

  it('answers bad requests with OpenAI-style errors that say what is wrong', async () => {
    const error = async (response: Promise<Response>): Promise<[number, string]> => {
      const settled = await response;
      return [settled.status, ((await settled.json()) as { error: { message: string } }).error.message];
    };
    expect(await error(post(chatBody('gpt-4', 'direct', [])))).toEqual([
      404,
      'model "gpt-4" does not exist; this server serves approx and target',
    ]);
    const [status, message] = await error(
      post(JSON.stringify({ model: 'target', messages: [{ role: 'user', content: 'Plan my holiday.' }] })),
    );
    expect(status).toBe(400);
    expect(message).toContain('line 1 should start with "Call:"');
    const [unknownStatus, unknownMessage] = await error(post(chatBody('target', 'direct', [], false, 'Given a poem, sing it.')));
    expect(unknownStatus).toBe(404);
    expect(unknownMessage).toBe('no trace for the task "Given a poem, sing it."');
    expect((await error(post('{not json')))[0]).toBe(400);
    expect((await error(fetch(`${server.url.replace(/\/v1$/, '')}/v2/anything`)))[0]).toBe(404);
    const [missingStatus, missingMessage] = await error(post(chatBody('approx', 'direct', ['Image Deblurring', 'Colorization'])));
    expect(missingStatus).toBe(404);
    expect(missingMessage).toBe('trace unit/run-1 has no approx record at step 3');
  });
});

describe('replay server (real clock)', () => {
  it('counts a request the client aborts mid-stream', async () => {
    const server = await startReplayServer({ traces: [trace], speed: 1 });
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        body: chatBody('target', 'direct', [], true),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      controller.abort();
      await response.body?.cancel().catch(() => undefined);
      for (let attempt = 0; attempt < 100 && server.stats().aborted === 0; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const stats = server.stats();
      expect(stats.aborted).toBe(1);
      expect(stats.byRole.target).toEqual({ requests: 1, completed: 0, aborted: 1 });
      expect(stats.completed).toBe(0);
      const overHttp = (await (await fetch(`${server.url.replace(/\/v1$/, '')}/stats`)).json()) as { aborted: number };
      expect(overHttp.aborted).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('listens on loopback only', async () => {
    const error: unknown = await startReplayServer({ traces: [trace], host: '0.0.0.0' }).catch((caught: unknown) => caught);
    expect(isInvalidInputError(error)).toBe(true);
    expect((error as Error).message).toContain('not a loopback address');
    const server = await startReplayServer({ traces: [trace] });
    expect(server.host).toBe('127.0.0.1');
    await server.close();
  });
});

describe('TraceBook', () => {
  it('picks, among traces of one task, the one whose plan shares the longest start with the prefix', () => {
    const other: Trace = { ...trace, id: 'unit/run-2', steps: [trace.steps[0]!, { target: { action: 'Image Denoising', latencyMs: 1, inputTokens: 1, outputTokens: 1 } }, trace.steps[2]!] };
    const book = new TraceBook([trace, other]);
    expect(book.answer('target', { kind: 'direct', task, prefix: ['Image Deblurring', 'Image Denoising'] }).traceId).toBe('unit/run-2');
    expect(book.answer('target', { kind: 'direct', task, prefix: ['Image Deblurring'] }).traceId).toBe('unit/run-1');
    // Names are compared canonically.
    const answer = book.answer('target', { kind: 'direct', task: `  ${task} `, prefix: ['image-deblurring', 'COLORIZATION'] });
    expect(answer.onTrace).toBe(true);
    expect(answer.action).toBe('TERMINATE');
  });
});
