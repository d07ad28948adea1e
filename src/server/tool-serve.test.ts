/**
 * End to end with tools: `speculate()` with both models served by `dsp serve` (a child process, real HTTP on
 * 127.0.0.1, the AI SDK's openai-compatible provider, native `tools` / `tool_calls`), tools with real `execute`
 * functions, against the recorded tool-agent runs of test/fixtures/serve/tool-agent.jsonl. The run must reproduce
 * each recorded trajectory and final text, whatever the policy, and run the irreversible tool once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { speculate } from '../agents/speculate.js';
import { preloadTokenCounters } from '../agents/tokenizer.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { runDsp } from '../../test/fixtures/cli/captured-io.js';
import { type DspProcess, spawnDsp } from '../../test/fixtures/cli/spawn-dsp.js';
import { toolAgentScenario } from '../../test/fixtures/tool-agent-scenario.js';

const fixturePath = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'tool-agent.jsonl');
const fixture = loadTraces(fixturePath);
const latencies = { approxMs: 0, targetMs: 0, toolMs: 20 };
const run = promisify(execFile);

let dsp: DspProcess;
let url: string;

beforeAll(async () => {
  // 10× faster than recorded: T's steps take about 60 ms, A's 6–20 ms.
  dsp = spawnDsp(['serve', '--traces', fixturePath, '--port', '0', '--speed', '10']);
  const output = await dsp.waitForOutput((stdout) => stdout.includes('/stats'));
  url = /OpenAI-compatible API: (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output)![1]!;
  // As dsp run does: building the tokenizer mid-run would stall the event loop for a second.
  await preloadTokenCounters(['approx', 'target']);
});

afterAll(async () => {
  dsp.child.kill('SIGINT');
  await dsp.exited;
});

/** A step's action as the trace writes it, from what the run committed. */
function committedActions(steps: Array<{ text: string; toolCalls: Array<{ toolName: string; input: unknown }> }>): unknown[] {
  return steps.map((step) =>
    step.toolCalls.length > 0 ? { toolCalls: step.toolCalls.map(({ toolName, input }) => ({ input, toolName })) } : { text: step.text },
  );
}

function recordedActions(trace: Trace): unknown[] {
  return trace.steps.map((step) => step.target.action);
}

function served(streaming: boolean, policy: string, record?: string) {
  const provider = createOpenAICompatible({ name: 'dsp', baseURL: url });
  const scenario = toolAgentScenario({ streaming, latencies });
  const agent = speculate({
    approx: provider('approx'),
    target: provider('target'),
    tools: scenario.tools,
    effects: scenario.effects,
    policy,
    system: 'You plan trips with tools.',
    settings: { streaming },
    ...(record === undefined ? {} : { record, suite: 'served' }),
  });
  return { agent, log: scenario.log };
}

describe.each([
  ['streaming', true],
  ['non-streaming', false],
])('speculate() against dsp serve with native tool calls, %s', (_name, streaming) => {
  it.each(['fixed:3', 'sequential'])('reproduces every recorded trajectory and final text under %s', async (policy) => {
    for (const trace of fixture) {
      const { agent, log } = served(streaming, policy);
      try {
        const result = await agent.run(trace.task);
        expect(committedActions(result.steps)).toEqual(recordedActions(trace));
        const last = trace.steps[trace.steps.length - 1]!.target.action as { text: string };
        expect(result.text).toBe(last.text);
        expect(result.finishReason).toBe('stop');
        // The real tools returned what they returned when the run was recorded.
        expect(result.steps.slice(0, -1).map((step) => JSON.stringify(step.toolResults))).toEqual(
          trace.steps.slice(0, -1).map((step) => step.target.tool?.observation),
        );
        // The irreversible tool ran once per committed call, never on a guess.
        const sends = trace.steps.filter((step) => JSON.stringify(step.target.action).includes('"toolName":"send"')).length;
        expect(log.started.filter((label) => label.startsWith('send'))).toHaveLength(sends);
        expect(log.started.filter((label) => label.startsWith('send') && label.endsWith('[speculative]'))).toEqual([]);
        expect(log.outbox).toHaveLength(sends);
        // Usage is the recorded tokens: every committed target call billed 100 in, 20 out.
        const committed = result.ledger.calls.filter((call) => call.role === 'target' && call.status === 'committed');
        expect(committed.map((call) => [call.usage.inputTokens, call.usage.outputTokens])).toEqual(
          trace.steps.map((step) => [step.target.inputTokens, step.target.outputTokens]),
        );
        if (policy === 'fixed:3') expect(result.ledger.calls.some((call) => call.role === 'approx')).toBe(true);
      } finally {
        await agent.close();
      }
    }
  });
});

describe('dsp serve with tool agents', () => {
  it("has the example of docs/tools.md in the package's data: the traces these tests serve, byte for byte", () => {
    const shipped = join(import.meta.dirname, '..', '..', 'data', 'examples', 'tool-agent.jsonl');
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(fixturePath, 'utf8'));
  });

  it('records a served run that replays the recording: the same plan, tool fields and all', async () => {
    const record = join(mkdtempSync(join(tmpdir(), 'dsp-tool-serve-')), 'served.jsonl');
    const trace = fixture[0]!;
    const { agent } = served(true, 'fixed:3', record);
    await agent.run(trace.task, { traceId: 'served/trip' });
    await agent.close();
    const [recorded] = parseTraces(readFileSync(record, 'utf8'), record);
    expect(recordedActions(recorded!)).toEqual(recordedActions(trace));
    expect(recorded!.models).toEqual({ approx: 'dsp:approx', target: 'dsp:target' });
    expect(recorded!.steps.map((step) => step.target.tool?.effect)).toEqual(trace.steps.map((step) => step.target.tool?.effect));
    expect(recorded!.steps.map((step) => step.target.tool?.observation)).toEqual(trace.steps.map((step) => step.target.tool?.observation));
  });

  it('answers a request with tools for an unknown task with a 404 that names the task', async () => {
    const response = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'target',
        messages: [{ role: 'user', content: 'Book me a table in Lyon.' }],
        tools: [{ type: 'function', function: { name: 'book', parameters: { type: 'object', properties: {} } } }],
      }),
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('not_in_traces');
    expect(body.error.message).toBe(
      `no tool-agent trace for the task "Book me a table in Lyon." (the request's first user message); the traces hold 2 tool-agent tasks`,
    );

    const { agent } = served(false, 'fixed:3');
    try {
      await expect(agent.run('Book me a table in Lyon.')).rejects.toThrow(/no tool-agent trace for the task "Book me a table in Lyon\."/);
    } finally {
      await agent.close();
    }
  });

  it('answers in the native format: tool_calls with JSON arguments, then the final text', async () => {
    const trace = fixture[1]!;
    const tools = [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: {} } } }];
    const ask = async (messages: unknown[]): Promise<{ choices: Array<{ message: unknown; finish_reason: string }>; usage: unknown }> => {
      const response = await fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'target', messages, tools }) });
      expect(response.status).toBe(200);
      return (await response.json()) as { choices: Array<{ message: unknown; finish_reason: string }>; usage: unknown };
    };
    const toolRequests = async (): Promise<number> =>
      ((await (await fetch(url.replace(/\/v1$/, '/stats'))).json()) as { byCall: { tools?: number } }).byCall.tools ?? 0;
    const before = await toolRequests();
    const first = await ask([{ role: 'user', content: trace.task }]);
    // /stats counts the tool-calling requests apart from the strategies' sub-calls.
    expect(await toolRequests()).toBe(before + 1);
    expect(first.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }],
      },
      finish_reason: 'tool_calls',
    });
    expect(first.usage).toEqual({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 });
    const history = [
      { role: 'system', content: 'You plan trips with tools.' },
      { role: 'user', content: trace.task },
      { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }] },
      { role: 'tool', tool_call_id: 'a', content: 'Rome: 18°C, sunny' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'b', type: 'function', function: { name: 'notes', arguments: '{"text":"Rome: 18°C, sunny"}' } }] },
      { role: 'tool', tool_call_id: 'b', content: 'saved' },
    ];
    const last = await ask(history);
    expect(last.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: 'Noted: saved' }, finish_reason: 'stop' });
  });
});

describe('dsp serve and tool_choice', () => {
  const rome = fixture[1]!;
  const tools = ['weather', 'notes'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } }));
  /** Rome's first step (the recorded step calls weather) and its last (the recorded final text "Noted: saved"). */
  const firstStep = [{ role: 'user', content: rome.task }];
  const lastStep = [
    { role: 'user', content: rome.task },
    { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }] },
    { role: 'tool', tool_call_id: 'a', content: 'Rome: 18°C, sunny' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'b', type: 'function', function: { name: 'notes', arguments: '{"text":"Rome: 18°C, sunny"}' } }] },
    { role: 'tool', tool_call_id: 'b', content: 'saved' },
  ];
  const weather = { type: 'function', function: { name: 'weather' } };
  const notes = { type: 'function', function: { name: 'notes' } };
  const post = (body: Record<string, unknown>): Promise<Response> =>
    fetch(`${url}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'target', tools, ...body }) });
  const stats = async (): Promise<{ failed: number; completed: number }> =>
    (await (await fetch(url.replace(/\/v1$/, '/stats'))).json()) as { failed: number; completed: number };
  /** The reply's assistant message and finish reason, from a JSON answer or from the chunks of a stream. */
  const reply = async (response: Response, streaming: boolean): Promise<{ toolNames: string[]; content: string; finishReason: string }> => {
    expect(response.status).toBe(200);
    if (!streaming) {
      const body = (await response.json()) as {
        choices: Array<{ message: { content: string | null; tool_calls?: Array<{ function: { name: string } }> }; finish_reason: string }>;
      };
      const choice = body.choices[0]!;
      return { toolNames: (choice.message.tool_calls ?? []).map((call) => call.function.name), content: choice.message.content ?? '', finishReason: choice.finish_reason };
    }
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
      .map((line) => JSON.parse(line.slice('data: '.length)) as { choices: Array<{ delta: { content?: string; tool_calls?: Array<{ function: { name?: string } }> }; finish_reason: string | null }> });
    const choices = chunks.flatMap((chunk) => chunk.choices);
    return {
      toolNames: choices.flatMap((choice) => (choice.delta.tool_calls ?? []).flatMap((call) => (call.function.name === undefined ? [] : [call.function.name]))),
      content: choices.map((choice) => choice.delta.content ?? '').join(''),
      finishReason: choices.find((choice) => choice.finish_reason !== null)!.finish_reason!,
    };
  };
  /** The body of a 400, which is JSON even for a request that asked for a stream. */
  const refusal = async (response: Response): Promise<{ message: string; type: string; param: string; code: string }> => {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    return ((await response.json()) as { error: { message: string; type: string; param: string; code: string } }).error;
  };

  describe.each([
    ['streaming', true],
    ['non-streaming', false],
  ])('%s', (_name, stream) => {
    it.each([['auto'], ['required'], [weather], [undefined], [null]])('answers the recorded call under tool_choice %j', async (toolChoice) => {
      const answer = await reply(await post({ messages: firstStep, stream, tool_choice: toolChoice }), stream);
      expect(answer).toEqual({ toolNames: ['weather'], content: '', finishReason: 'tool_calls' });
    });

    it.each([['auto'], ['none'], [undefined]])('answers the recorded final text under tool_choice %j', async (toolChoice) => {
      const answer = await reply(await post({ messages: lastStep, stream, tool_choice: toolChoice }), stream);
      expect(answer).toEqual({ toolNames: [], content: 'Noted: saved', finishReason: 'stop' });
    });

    it.each([
      ['none', firstStep, 'tool_choice "none" but the recorded step calls weather'],
      ['required', lastStep, 'tool_choice "required" but the recorded step is the final text "Noted: saved"'],
      [notes, firstStep, 'tool_choice {"type":"function","function":{"name":"notes"}} but the recorded step calls weather'],
      [weather, lastStep, 'tool_choice {"type":"function","function":{"name":"weather"}} but the recorded step is the final text "Noted: saved"'],
    ])('refuses tool_choice %j when the recording holds something else, with a 400 that says what', async (toolChoice, messages, message) => {
      const before = await stats();
      const error = await refusal(await post({ messages, stream, tool_choice: toolChoice }));
      expect(error).toEqual({ message, type: 'invalid_request_error', param: 'tool_choice', code: 'tool_choice_not_recorded' });
      const after = await stats();
      expect([after.failed - before.failed, after.completed - before.completed]).toEqual([1, 0]);
    });

    it.each([['always'], [42], [{ type: 'function' }], [{ type: 'function', function: { name: '' } }], [['none']]])(
      'refuses the malformed tool_choice %j with a 400 naming the field and the accepted forms',
      async (toolChoice) => {
        const error = await refusal(await post({ messages: firstStep, stream, tool_choice: toolChoice }));
        expect(error).toEqual({
          message: `tool_choice: must be "none", "auto", "required" or {"type": "function", "function": {"name": "…"}}, got ${JSON.stringify(toolChoice)}`,
          type: 'invalid_request_error',
          param: 'tool_choice',
          code: 'invalid_request',
        });
      },
    );

    it.each([[{ weather: {} }], ['weather'], [42]])('refuses tools %j, not a list, with a 400 naming the field and what it takes', async (given) => {
      const before = await stats();
      const error = await refusal(await post({ messages: firstStep, stream, tools: given }));
      expect(error).toEqual({
        message: `tools: must be a list of tools such as [{"type": "function", "function": {"name": "…"}}], got ${JSON.stringify(given)}`,
        type: 'invalid_request_error',
        param: 'tools',
        code: 'invalid_request',
      });
      expect((await stats()).completed - before.completed).toBe(0);
    });

    it('refuses a tool_choice that asks for tools the request does not offer', async () => {
      const send = { type: 'function', function: { name: 'send' } };
      expect((await refusal(await post({ messages: firstStep, stream, tool_choice: send }))).message).toBe(
        `tool_choice {"type":"function","function":{"name":"send"}} but the request's "tools" are weather, notes`,
      );
      expect((await refusal(await post({ messages: firstStep, stream, tools: undefined, tool_choice: 'required' }))).message).toBe(
        'tool_choice "required" but the request offers no "tools"',
      );
    });
  });

  it("reaches an AI SDK agent as the call's error: toolChoice 'none' on a recorded tool call", async () => {
    const provider = createOpenAICompatible({ name: 'dsp', baseURL: url });
    const call = generateText({
      model: provider('target'),
      prompt: rome.task,
      tools: { weather: tool({ inputSchema: z.object({ city: z.string() }) }) },
      toolChoice: 'none',
      maxRetries: 0,
    });
    await expect(call).rejects.toThrow('tool_choice "none" but the recorded step calls weather');
  });
});

describe('examples/tool-agent-no-key.ts', () => {
  it('runs against dsp serve: both policies commit the recorded calls and send one mail each', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'examples', 'tool-agent-no-key.ts')], {
      cwd: root,
      env: { ...process.env, DSP_SERVE_URL: url },
    });
    const lines = stdout.split('\n');
    expect(lines.filter((line) => /^(sequential|fixed:3): 5 steps in /.test(line))).toHaveLength(2);
    expect(lines.filter((line) => line === '  answer: Done. mail 1 sent to ada@example.com.')).toHaveLength(2);
    expect(lines.filter((line) => line === '  state: [["notes",["Trip: Paris: 18°C, sunny"]]]; mails sent: 1')).toHaveLength(2);
  });
});

describe('dsp bench on the recorded tool agents', () => {
  it('replays them losslessly under every policy, with the tools in the sequential latency', async () => {
    const run = await runDsp(['bench', '--traces', fixturePath, '--format', 'json', '--quiet']);
    expect(run.code).toBe(0);
    const rows = (JSON.parse(run.stdout) as { rows: Array<{ policy: string; lossless: boolean; sequentialLatencySec: number }> }).rows;
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((row) => row.lossless)).toBe(true);
    const modelOnlyMs =
      fixture.map((trace) => trace.steps.reduce((sum, step) => sum + step.target.latencyMs, 0)).reduce((sum, value) => sum + value, 0) / fixture.length;
    expect(rows[0]!.sequentialLatencySec * 1000).toBeGreaterThan(modelOnlyMs);
  });
});
