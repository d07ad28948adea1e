/** Replaying traces with tool steps: exact, hand-computed figures; traces without tool fields replay as before. */
import { describe, expect, it } from 'vitest';
import { parsePolicySpec } from '../policies/registry.js';
import { replaySuite } from '../suite/replay-suite.js';
import { generateSyntheticTraces } from './synthetic.js';
import type { Trace, TraceTool } from './schema.js';

function call(action: string, latencyMs: number, tool?: TraceTool): Trace['steps'][number]['target'] {
  return { action, latencyMs, inputTokens: 100, outputTokens: 10, ...(tool === undefined ? {} : { tool }) };
}

const booking: Trace = {
  format: 'dsp-trace/1',
  id: 'booking',
  suite: 'hand',
  task: 'find a flight and book it',
  timing: 'synthetic',
  models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' },
  steps: [
    {
      target: call('search', 10, { effect: 'pure', latencyMs: 4, observation: '3 flights' }),
      approx: call('search', 2, { effect: 'pure', latencyMs: 4 }),
    },
    { target: call('book', 10, { effect: 'irreversible', latencyMs: 3 }), approx: call('book', 2) },
    { target: call('TERMINATE', 10), approx: call('TERMINATE', 2) },
  ],
};

describe('replay with tool steps', () => {
  it('overlaps pure tool time and runs the irreversible call once confirmed, with exact figures', async () => {
    // fixed:3. Round 0: T1 [0,10]; A1 → search at 2, run at once [2,6]; A2, T2 at 6; A2 → book at 8: irreversible,
    //   the round stops. T1 confirms search at 10, T2 confirms book at 16; book runs [16,19].
    // Round 1 at 19: T3 [19,29]; A3 → TERMINATE at 21; T3 = TERMINATE at 29.
    // Sequential: 3 × 10 ms of T plus 4 + 3 ms of tools = 37 ms.
    const run = await replaySuite({ traces: [booking], policy: parsePolicySpec('fixed:3') });
    expect(run.lossless).toBe(true);
    const result = run.results[0]!;
    expect(result.metrics.latencyMs).toBe(29);
    expect(result.metrics.sequentialLatencyMs).toBe(37);
    expect(result.trajectory).toEqual([
      { action: 'search', observation: '3 flights' },
      { action: 'book' },
      { action: 'TERMINATE' },
    ]);
    expect(result.toolRecords?.map((record) => [record.action, record.prefix, record.status, record.startMs, record.endMs])).toEqual([
      ['search', 'speculative', 'committed', 2, 6],
      ['book', 'true', 'committed', 16, 19],
    ]);

    const sequential = await replaySuite({ traces: [booking], policy: parsePolicySpec('sequential') });
    expect(sequential.results[0]!.metrics.latencyMs).toBe(37);
  });

  it('a guess whose tool nobody recorded is irreversible: never run on a guess', async () => {
    const trace: Trace = {
      ...booking,
      id: 'unknown-guess',
      steps: [
        { target: call('search', 10, { effect: 'pure', latencyMs: 4 }), approx: call('delete-everything', 2) },
        { target: call('TERMINATE', 10), approx: call('TERMINATE', 2) },
      ],
    };
    const run = await replaySuite({ traces: [trace], policy: parsePolicySpec('fixed:2') });
    expect(run.lossless).toBe(true);
    const records = run.results[0]!.toolRecords!;
    expect(records.map((record) => [record.action, record.prefix])).toEqual([['search', 'true']]);
    expect(run.results[0]!.rounds[0]).toMatchObject({ stoppedAfter: 1, stoppedBy: 'irreversible', end: 'mismatch' });
  });

  it('a trace without tool fields replays with no environment, and tool fields leave the agents’ figures unchanged', async () => {
    const plain = generateSyntheticTraces({ tasks: 6, seed: 11 });
    const withTools = generateSyntheticTraces({ tasks: 6, seed: 11, tools: {} });
    const stripped = withTools.map((trace) => ({
      ...trace,
      steps: trace.steps.map((step) => ({
        target: { ...step.target, tool: undefined },
        ...(step.approx === undefined ? {} : { approx: { ...step.approx, tool: undefined } }),
      })),
    }));
    expect(JSON.parse(JSON.stringify(stripped))).toEqual(plain);
    expect(withTools.some((trace) => trace.steps.some((step) => step.target.tool?.effect === 'pure'))).toBe(true);

    const run = await replaySuite({ traces: plain, policy: parsePolicySpec('fixed:4') });
    for (const result of run.results) {
      expect(result.trajectory).toBeUndefined();
      expect(result.toolRecords).toBeUndefined();
    }
    const tooled = await replaySuite({ traces: withTools, policy: parsePolicySpec('fixed:4') });
    expect(tooled.lossless).toBe(true);
    expect(tooled.metrics.sequentialLatencyMs).toBeGreaterThan(run.metrics.sequentialLatencyMs);
    tooled.results.forEach((result, index) => {
      const toolMs = withTools[index]!.steps.reduce((sum, step) => sum + (step.target.tool?.latencyMs ?? 0), 0);
      expect(result.metrics.sequentialLatencyMs).toBe(run.results[index]!.metrics.sequentialLatencyMs + toolMs);
    });
  });
});
