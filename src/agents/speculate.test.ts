/**
 * `speculate` with the AI SDK's mock models and tools on real timers (test/fixtures/tool-agent-scenario.ts): the
 * speculative run commits what the target alone does, runs the irreversible tool once, keeps a wrong guess's
 * writes out of the state, and overlaps tool time with model calls. Times are never asserted, only the ledger's
 * order of events.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from 'ai';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { isInvalidInputError } from '../core/errors.js';
import { parseTraces } from '../traces/format.js';
import { toolAgentScenario, scriptedModel } from '../../test/fixtures/tool-agent-scenario.js';
import { preloadTokenCounters } from './tokenizer.js';
import { speculate, type SpeculativeRunResult } from './speculate.js';

const prompt = 'Find me a flight to Paris, check the weather, note it down and mail the notes to Ada.';

beforeAll(async () => {
  // As dsp run does: building the tokenizer in the middle of a run would stall the event loop for a second.
  await preloadTokenCounters(['approx-mock', 'target-mock']);
});

const latencies = { approxMs: 10, targetMs: 150, toolMs: 60 };

/**
 * In the speculative run the target's answers wait for the events the assertions are about, so they hold on a
 * loaded machine too: step 1 for A's first guess to be running (tool time overlapped), step 2 (which breaks the
 * London branch) for that branch's note to be written. The timers alone give the same order.
 */
const ordered = { 1: 'searchFlights({"to":"Paris"}) [speculative]', 2: 'notes({"text":"Trip: London: 18°C, sunny"}) [speculative]' };

async function runScenario(policy: string, streaming: boolean): Promise<{ result: SpeculativeRunResult; log: ReturnType<typeof toolAgentScenario>['log'] }> {
  const scenario = toolAgentScenario({ streaming, latencies, ...(policy === 'sequential' ? {} : { targetWaitsFor: ordered }) });
  const agent = speculate({ ...scenario, policy, system: 'You plan trips with tools.', settings: { streaming } });
  try {
    return { result: await agent.run(prompt), log: scenario.log };
  } finally {
    await agent.close();
  }
}

function committedCalls(result: SpeculativeRunResult): string[] {
  return result.steps.flatMap((step) => step.toolCalls.map((call) => `${call.toolName}(${JSON.stringify(call.input)})`));
}

describe.each([
  ['streaming', true],
  ['non-streaming', false],
])('speculate with %s models', (_name, streaming) => {
  it('commits what the target alone does, runs the irreversible tool once, keeps the wrong guess out', async () => {
    const sequential = await runScenario('sequential', streaming);
    const speculative = await runScenario('fixed:4', streaming);

    expect(sequential.result.text).toBe('Done. mail 1 sent to ada@example.com.');
    expect(speculative.result.text).toBe(sequential.result.text);
    expect(speculative.result.finishReason).toBe('stop');
    expect(committedCalls(speculative.result)).toEqual([
      'searchFlights({"to":"Paris"})',
      'weather({"city":"Paris"})',
      'notes({"text":"Trip: Paris: 18°C, sunny"})',
      'send({"body":"Trip notes attached","to":"ada@example.com"})',
    ]);
    expect(committedCalls(speculative.result)).toEqual(committedCalls(sequential.result));
    expect(speculative.result.steps.map((step) => step.toolResults)).toEqual(sequential.result.steps.map((step) => step.toolResults));

    // The irreversible tool ran exactly once, on the confirmed call; the mail quotes only the committed note.
    expect(speculative.log.started.filter((label) => label.startsWith('send'))).toEqual([
      'send({"body":"Trip notes attached","to":"ada@example.com"})',
    ]);
    expect(speculative.log.outbox).toEqual(['ada@example.com: Trip notes attached (Trip: Paris: 18°C, sunny)']);

    // The pure tool ran for the wrong guess (London), which is in no committed step.
    expect(speculative.log.started).toContain('weather({"city":"London"}) [speculative]');
    expect(JSON.stringify(speculative.result.steps)).not.toContain('London');

    // The committed state holds exactly the committed sandboxed write; the London branch wrote its own note into
    // a fork, which was dropped.
    expect(speculative.log.started).toContain('notes({"text":"Trip: London: 18°C, sunny"}) [speculative]');
    expect(speculative.result.state).toEqual(new Map([['notes', ['Trip: Paris: 18°C, sunny']]]));
    expect(speculative.result.state).toEqual(sequential.result.state);

    // The ledger shows tool time overlapped: a pure result computed on a guess, while the target call that confirmed
    // it was still running, is committed; the sequential run has no speculative execution.
    const { calls, tools } = speculative.result.ledger;
    const search = tools.find((record) => record.committedStep === 1)!;
    expect(search).toMatchObject({ prefix: 'speculative', status: 'committed', effect: 'pure' });
    const firstTarget = calls.find((record) => record.role === 'target' && record.step === 1 && record.status === 'committed')!;
    expect(search.startMs).toBeLessThan(firstTarget.endMs);
    expect(tools.filter((record) => record.effect === 'irreversible').map((record) => [record.prefix, record.status])).toEqual([
      ['true', 'committed'],
    ]);
    expect(sequential.result.ledger.tools.every((record) => record.prefix === 'true')).toBe(true);
    expect(speculative.result.metrics.sequentialLatencyMs).toBeGreaterThan(0);

    // The run as a trace: each step's action as committed, its tool execution, and A's guess on the same prefix
    // (the London guess ran, as a pure call may).
    const { trace } = speculative.result;
    expect(trace.steps.map((step) => step.target.action)).toEqual(sequential.result.trace.steps.map((step) => step.target.action));
    expect(trace.steps[4]!.target.action).toEqual({ text: 'Done. mail 1 sent to ada@example.com.' });
    expect(trace.steps.map((step) => step.target.tool?.effect)).toEqual(['pure', 'pure', 'sandboxed', 'irreversible', undefined]);
    expect(trace.steps[0]!.target.tool?.observation).toBe(JSON.stringify(speculative.result.steps[0]!.toolResults));
    expect(trace.steps[1]!.approx).toMatchObject({ action: { toolCalls: [{ input: { city: 'London' }, toolName: 'weather' }] }, tool: { effect: 'pure' } });
    expect(trace).toMatchObject({ suite: 'speculate', terminal: true, models: { approx: 'mock-provider:approx-mock', target: 'mock-provider:target-mock' } });
  });
});

describe('speculate', () => {
  it('shows the models the trajectory as AI SDK messages: tool calls, then their results', async () => {
    const scenario = toolAgentScenario({ streaming: true, latencies: { approxMs: 1, targetMs: 5, toolMs: 1 } });
    const agent = speculate({ ...scenario, policy: 'sequential' });
    await agent.run(prompt);
    const lastCall = scenario.target.doStreamCalls[scenario.target.doStreamCalls.length - 1]!;
    expect(lastCall.prompt.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool']);
    expect(lastCall.prompt[1]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'tool-call', toolCallId: 'call_1_0', toolName: 'searchFlights', input: { to: 'Paris' } }],
    });
    expect(lastCall.prompt[2]).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'call_1_0', toolName: 'searchFlights', output: { type: 'text', value: '3 flights to Paris' } }],
    });
    // The tools were offered to the model (as schemas).
    expect(lastCall.tools?.map((offered) => offered.name).sort()).toEqual(['notes', 'searchFlights', 'send', 'weather']);
  });

  it('a tool that throws is a tool error the model sees; the run goes on', async () => {
    const tools = {
      lookup: tool({
        description: 'Look something up',
        inputSchema: z.object({ key: z.string() }),
        execute: (): string => {
          throw new Error('index offline');
        },
      }),
    };
    const script = (step: number, lastResult: string): { toolName: string; input: Record<string, unknown> } | { text: string } =>
      step === 1 ? { toolName: 'lookup', input: { key: 'x' } } : { text: `saw: ${lastResult}` };
    const model = (): ReturnType<typeof scriptedModel> => scriptedModel({ modelId: 'm', latencyMs: 1, streaming: true, script });
    const agent = speculate({ approx: model(), target: model(), tools, effects: { lookup: 'pure' }, policy: 'fixed:2' });
    const result = await agent.run('look up x');
    expect(result.steps[0]!.toolResults).toEqual([{ toolCallId: 'call_1_0', toolName: 'lookup', input: { key: 'x' }, error: 'index offline' }]);
    expect(result.text).toBe('saw: index offline');
  });

  it('stops on its signal: rejects with the reason and aborts the tools in flight', async () => {
    const controller = new AbortController();
    const reason = new Error('user stopped');
    // Stopped while the first tool (a guess of A) runs, long before the target answers.
    const scenario = toolAgentScenario({
      streaming: true,
      latencies: { approxMs: 5, targetMs: 2000, toolMs: 1000 },
      onToolStart: () => setTimeout(() => controller.abort(reason), 10),
    });
    const agent = speculate({ ...scenario, policy: 'fixed:4' });
    await expect(agent.run(prompt, { signal: controller.signal })).rejects.toBe(reason);
    expect(scenario.log.aborted).toEqual(['searchFlights({"to":"Paris"}) [speculative]']);
  });

  it('records each run as a trace line, and refuses a record file whose last line is cut off before any run', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-speculate-record-'));
    const record = join(directory, 'runs', 'trips.jsonl');
    const scenario = toolAgentScenario({ streaming: true, latencies: { approxMs: 1, targetMs: 5, toolMs: 1 } });
    const agent = speculate({ ...scenario, policy: 'fixed:2', record, suite: 'trips' });
    const first = await agent.run(prompt, { traceId: 'trips/one' });
    const second = await agent.run(prompt);
    await agent.close();
    const lines = parseTraces(readFileSync(record, 'utf8'), record);
    expect(lines.map((trace) => trace.id)).toEqual(['trips/one', second.trace.id]);
    expect(second.trace.id).toMatch(/^trips\/run-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(lines[0]).toEqual(JSON.parse(JSON.stringify(first.trace)));
    expect(lines[0]).toMatchObject({ suite: 'trips', agent: 'speculate', policy: 'fixed:2', effects: scenario.effects });

    const cut = join(directory, 'cut.jsonl');
    writeFileSync(cut, readFileSync(record, 'utf8').slice(0, -10));
    expect(() => speculate({ ...scenario, record: cut })).toThrow(/does not end with a newline/);
  });

  it('writes no configured API key into its recording, even when the prompt quotes one', async () => {
    const key = 'sk-test-speculate-recording-0123456789';
    vi.stubEnv('OPENAI_API_KEY', key);
    try {
      const directory = mkdtempSync(join(tmpdir(), 'dsp-speculate-redact-'));
      const record = join(directory, 'runs.jsonl');
      const scenario = toolAgentScenario({ streaming: true, latencies: { approxMs: 1, targetMs: 5, toolMs: 1 } });
      const agent = speculate({ ...scenario, policy: 'fixed:2', record });
      const result = await agent.run(`${prompt} (my key is ${key})`);
      await agent.close();
      const written = readFileSync(record, 'utf8');
      expect(result.trace.task).toContain(key);
      expect(written).not.toContain(key);
      expect(written).toContain('[redacted OPENAI_API_KEY]');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses an effect for a tool it does not have', () => {
    const scenario = toolAgentScenario({ streaming: true });
    let error: unknown;
    try {
      speculate({ ...scenario, effects: { ...scenario.effects, wether: 'pure' } as typeof scenario.effects });
    } catch (caught) {
      error = caught;
    }
    expect(isInvalidInputError(error)).toBe(true);
    expect(String(error)).toContain('effects: names tool "wether", which is not in tools');
  });

  it('refuses maxSteps and kMax that are not whole numbers ≥ 1 when it is built, before any run', () => {
    const scenario = toolAgentScenario({ streaming: true });
    expect(() => speculate({ ...scenario, maxSteps: 0 })).toThrow('maxSteps: maxSteps must be a whole number ≥ 1, got 0');
    expect(() => speculate({ ...scenario, kMax: 2.5 })).toThrow('kMax: kMax must be a whole number ≥ 1, got 2.5');
  });
});
