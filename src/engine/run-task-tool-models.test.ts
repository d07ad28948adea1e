/**
 * Tool executions that call a model (TravelPlanner's Planner): their reported requests are billed on the tool record
 * and in the task's money figures, and a failure the environment declares fatal (`failsTask`) fails the task with
 * `ToolCallError`, carrying the ledger so far. Hand-computed on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import type { Environment } from '../core/environment.js';
import type { Action, Agent } from '../core/types.js';
import { isToolCallError, type ToolCallError } from '../core/errors.js';
import type { PriceTable } from '../ledger/prices.js';
import { fixedPolicy } from '../policies/basic.js';
import { runTask } from './run-task.js';

// $1 per million input tokens, $2 per million output tokens: 1000 in + 500 out = $0.002.
const prices: PriceTable = {
  name: 'test',
  models: {
    agent: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
    writer: { inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
  },
};

/** T plans `search`, `search`, `WRITE`; A guesses the same. Each agent call takes 100 ms and 10 + 1 tokens. */
function agent(clock: VirtualClock): Agent {
  return async (context, { signal }) => {
    await clock.sleep(100, signal);
    const action: Action = context.prefix.length < 2 ? 'search' : 'WRITE';
    return { action, usage: { inputTokens: 10, outputTokens: 1 }, model: 'agent' };
  };
}

/** `search` is pure (10 ms); `WRITE` is irreversible and makes one failed attempt, then one request (50 ms). */
function environment(clock: VirtualClock, options: { fail: boolean; writes: string[] }): Environment {
  return {
    effectOf: (action) => (action === 'search' ? 'pure' : 'irreversible'),
    execute: async (action, { signal, speculative, reportModelUsage }) => {
      if (action === 'search') {
        await clock.sleep(10, signal);
        return 'found';
      }
      options.writes.push(speculative ? 'speculative' : 'true');
      reportModelUsage?.({ model: 'writer', usage: { inputTokens: 1000, outputTokens: 0, estimated: true }, failed: true });
      await clock.sleep(50, signal);
      if (options.fail) {
        reportModelUsage?.({ model: 'writer', usage: { inputTokens: 1000, outputTokens: 0, estimated: true }, failed: true });
        throw new Error('the writer is down');
      }
      reportModelUsage?.({ model: 'writer', usage: { inputTokens: 1000, outputTokens: 500 } });
      return 'the plan';
    },
    failsTask: (action) => action === 'WRITE',
  };
}

/** Plans the writer task under fixed:4 with the tool environment (or `tools`, built on it). */
function run(clock: VirtualClock, options: { fail: boolean; writes: string[] }, tools: Environment = environment(clock, options)) {
  return clock.run(() =>
    runTask({
      task: { id: 'writer', text: 'plan then write' },
      approx: agent(clock),
      target: agent(clock),
      policy: fixedPolicy(4),
      clock,
      environment: tools,
      isTerminal: (action) => action === 'WRITE',
      priceTable: prices,
    }),
  );
}

describe('tool executions that call a model', () => {
  it('bills the requests on the tool record, in the cost and the sequential cost, and runs the terminal tool once on the true prefix', async () => {
    const writes: string[] = [];
    const result = await run(new VirtualClock(), { fail: false, writes });
    expect(result.plan).toEqual(['search', 'search', 'WRITE']);
    expect(writes).toEqual(['true']);
    const write = result.toolRecords!.filter((record) => record.action === 'WRITE');
    expect(write).toHaveLength(1);
    expect(write[0]).toMatchObject({
      status: 'committed',
      prefix: 'true',
      model: 'writer',
      usage: { inputTokens: 2000, outputTokens: 500, estimated: true },
      failedAttempts: 1,
    });
    // 2000 in × $1/M + 500 out × $2/M = $0.003.
    expect(write[0]!.costUsd).toBeCloseTo(0.003, 12);
    const agentsCost = result.records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    const committedT = result.records
      .filter((record) => record.role === 'target' && record.status === 'committed')
      .reduce((sum, record) => sum + record.costUsd!, 0);
    expect(result.metrics.costUsd).toBeCloseTo(agentsCost + 0.003, 12);
    expect(result.metrics.sequentialCostUsd).toBeCloseTo(committedT + 0.003, 12);
    // The write's model requests are not agent calls.
    expect(result.metrics.calls).toBe(result.records.length);
    expect(result.trajectory!.at(-1)).toEqual({ action: 'WRITE', observation: 'the plan' });
  });

  it('fails the task with ToolCallError when the environment declares the failure fatal, with what was spent', async () => {
    const writes: string[] = [];
    const error: unknown = await run(new VirtualClock(), { fail: true, writes }).catch((caught: unknown) => caught);
    expect(isToolCallError(error)).toBe(true);
    const failure = error as ToolCallError;
    expect(failure.step).toBe(3);
    expect(failure.action).toBe('WRITE');
    expect((failure.cause as Error).message).toBe('the writer is down');
    expect(writes).toEqual(['true']);
    expect(failure.records.length).toBeGreaterThan(0);
    const write = failure.toolRecords.find((record) => record.action === 'WRITE')!;
    expect(write).toMatchObject({ error: 'the writer is down', failedAttempts: 2, usage: { inputTokens: 2000, outputTokens: 0 } });
    expect(write.costUsd).toBeCloseTo(0.002, 12);
  });

  it('keeps a failure the environment does not declare fatal as an observation', async () => {
    const clock = new VirtualClock();
    const base = environment(clock, { fail: true, writes: [] });
    // Without its own failsTask: the failure is not declared fatal.
    const result = await run(clock, { fail: true, writes: [] }, { effectOf: (action) => base.effectOf(action), execute: (action, options) => base.execute(action, options) });
    expect(result.trajectory!.at(-1)).toEqual({ action: 'WRITE', error: 'the writer is down' });
  });
});
