import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import { runTask } from '../engine/run-task.js';
import type { Environment } from '../core/environment.js';
import type { Agent } from '../core/types.js';
import { fixedPolicy } from '../policies/basic.js';
import { parseTraces, TraceRecorder } from './format.js';
import { traceFromTaskResult } from './from-task-result.js';

const plan = ['Image Deblurring', 'Colorization', 'TERMINATE'];
const guesses = ['Image Deblurring', 'Image Super Resolution', 'TERMINATE'];
const task = { id: 'task-3', text: 'Given blurry grayscale image, how to return the regular image step by step?' };

describe('traceFromTaskResult', () => {
  it("records T's committed steps and A's guesses on the true prefix, from the ledger", async () => {
    const clock = new VirtualClock();
    // T takes 1000 ms and reports usage; A takes 100 ms and reports none.
    const target: Agent = async (context, options) => {
      await clock.sleep(1000, options.signal);
      const onTrue = context.prefix.every((action, index) => action === plan[index]);
      return { action: onTrue ? plan[context.step - 1]! : 'TERMINATE', usage: { inputTokens: 900, outputTokens: 100, reasoningTokens: 7 } };
    };
    const approx: Agent = async (context, options) => {
      await clock.sleep(100, options.signal);
      return { action: guesses[context.step - 1] ?? 'TERMINATE' };
    };
    const result = await clock.run(() =>
      runTask({ task, approx, target, policy: fixedPolicy(3), clock, isTerminal: (action) => action === 'TERMINATE' }),
    );
    const trace = traceFromTaskResult(task, result, {
      id: 'openagi/task-3/run-1',
      suite: 'openagi',
      models: { approx: 'a', target: 't' },
      extra: { policy: 'fixed:3' },
    });
    expect(trace).toMatchObject({ format: 'dsp-trace/1', task: task.text, timing: 'measured', terminal: true, policy: 'fixed:3' });
    expect(trace.steps.map((step) => step.target.action)).toEqual(plan);
    expect(trace.steps.map((step) => step.approx?.action)).toEqual(guesses);
    expect(trace.steps[0]!.target).toEqual({
      action: 'Image Deblurring',
      latencyMs: 1000,
      inputTokens: 900,
      outputTokens: 100,
      reasoningTokens: 7,
    });
    // Unknown counts are written as 0 and flagged, never passed off as real zeros.
    expect(trace.steps[0]!.approx).toEqual({ action: 'Image Deblurring', latencyMs: 100, inputTokens: 0, outputTokens: 0, tokensUnknown: true });

    const path = join(mkdtempSync(join(tmpdir(), 'dsp-recorder-')), 'nested', 'runs.jsonl');
    const recorder = new TraceRecorder(path);
    recorder.append(trace);
    recorder.append({ ...trace, id: 'openagi/task-3/run-2' });
    expect(recorder.written).toBe(2);
    expect(parseTraces(readFileSync(path, 'utf8'), path).map((line) => line.id)).toEqual(['openagi/task-3/run-1', 'openagi/task-3/run-2']);
  });

  it("writes each call's tool execution: T's from the execution its step committed, A's from its guess's own", async () => {
    const clock = new VirtualClock();
    // T: search, book, END (200 ms a call). A: search, then a wrong guess (look), then END (20 ms a call).
    const plan = ['search:Paris', 'book:AF12', 'END'];
    const guesses = ['search:Paris', 'look:AF12', 'END'];
    const target: Agent = async (context, options) => {
      await clock.sleep(200, options.signal);
      return { action: plan[context.step - 1] ?? 'END', usage: { inputTokens: 10, outputTokens: 2 } };
    };
    const approx: Agent = async (context, options) => {
      await clock.sleep(20, options.signal);
      return { action: guesses[context.step - 1] ?? 'END', usage: { inputTokens: 5, outputTokens: 1 } };
    };
    const latencies: Record<string, number> = { search: 50, look: 30, book: 70 };
    const effects = { search: 'pure', look: 'pure', book: 'irreversible' } as const;
    const toolOf = (action: unknown): keyof typeof effects => String(action).split(':')[0] as keyof typeof effects;
    const environment: Environment = {
      effectOf: (action) => (action === 'END' ? null : effects[toolOf(action)]),
      execute: async (action, { signal }) => {
        await clock.sleep(latencies[toolOf(action)]!, signal);
        return `did ${action as string}`;
      },
    };
    const result = await clock.run(() =>
      runTask({ task, approx, target, policy: fixedPolicy(3), clock, environment, isTerminal: (action) => action === 'END' }),
    );
    const trace = traceFromTaskResult(
      task,
      result,
      { id: 'tools/run-1', suite: 'tools', models: { approx: 'a', target: 't' } },
      { effectOf: (action) => environment.effectOf(action) },
    );
    expect(trace.steps.map((step) => step.target.tool)).toEqual([
      { effect: 'pure', latencyMs: 50, observation: 'did search:Paris' },
      { effect: 'irreversible', latencyMs: 70, observation: 'did book:AF12' },
      undefined,
    ]);
    // A guessed T's first action: the same execution. Its wrong guess ran (pure) on the true prefix, for 30 ms.
    expect(trace.steps.map((step) => step.approx?.tool)).toEqual([
      { effect: 'pure', latencyMs: 50, observation: 'did search:Paris' },
      { effect: 'pure', latencyMs: 30 },
      undefined,
    ]);
    expect(parseTraces(`${JSON.stringify(trace)}\n`, 'trace')).toHaveLength(1);
  });
});

describe('traceFromTaskResult with tools', () => {
  it("records each call's tool execution on the true prefix: effect, latency and T's observation", async () => {
    const clock = new VirtualClock();
    const toolPlan = ['search', 'note', 'send'];
    const toolGuesses = ['search', 'note-wrong', 'send-elsewhere'];
    const effects: Record<string, 'pure' | 'sandboxed' | 'irreversible'> = {
      search: 'pure',
      note: 'sandboxed',
      'note-wrong': 'sandboxed',
      send: 'irreversible',
      'send-elsewhere': 'irreversible',
    };
    const target: Agent = async (context, options) => {
      await clock.sleep(1000, options.signal);
      return { action: toolPlan[context.step - 1] ?? 'send' };
    };
    const approx: Agent = async (context, options) => {
      await clock.sleep(100, options.signal);
      return { action: toolGuesses[context.step - 1] ?? 'send' };
    };
    const environment = {
      effectOf: (action: unknown) => effects[String(action)] ?? null,
      execute: async (action: unknown, { signal, state }: { signal: AbortSignal; state: { set(key: string, value: unknown): unknown } }) => {
        await clock.sleep(action === 'search' ? 300 : 50, signal);
        if (effects[String(action)] === 'sandboxed') state.set(String(action), true);
        return `did ${String(action)}`;
      },
    };
    const result = await clock.run(() =>
      runTask({ task, approx, target, policy: fixedPolicy(3), clock, isTerminal: (action) => action === 'send', environment }),
    );
    const trace = traceFromTaskResult(task, result, { id: 't', suite: 's', models: { approx: 'a', target: 't' } }, { effectOf: environment.effectOf });
    expect(trace.steps.map((step) => step.target.tool)).toEqual([
      { effect: 'pure', latencyMs: 300, observation: 'did search' },
      { effect: 'sandboxed', latencyMs: 50, observation: 'did note' },
      { effect: 'irreversible', latencyMs: 50, observation: 'did send' },
    ]);
    // A's right guess shares T's execution; its wrong note ran on a fork (dropped); its irreversible guess, which T
    // did not make, never ran.
    expect(trace.steps.map((step) => step.approx?.tool)).toEqual([
      { effect: 'pure', latencyMs: 300, observation: 'did search' },
      { effect: 'sandboxed', latencyMs: 50 },
      { effect: 'irreversible' },
    ]);
    expect([...result.state!.keys()]).toEqual(['note']);
  });
});
