/**
 * `dsp bench` agrees with an independent replay written from the spec (bench/independent-replay/simulator.ts, no
 * engine code) on a seeded synthetic suite of 150 tasks with A's acceptance 0.55: within 2% on latency and 3% on the
 * cost ratios to fixed:2 of fixed:4, fixed:6 and the oracle. Before replay used a live run's step limit, the two
 * disagreed by 8% (fixed:4) and 18% (fixed:6) on cost: `dsp bench` never speculated past a plan's end.
 */
import { describe, expect, it } from 'vitest';
import { builtinPriceTable } from '../src/ledger/prices.js';
import { parsePolicySpec } from '../src/policies/registry.js';
import { runBench } from '../src/suite/bench.js';
import { generateSyntheticTraces } from '../src/traces/synthetic.js';
import { compareReplays } from '../bench/independent-replay/compare.js';
import { simulateTask, type SimulatedTrace } from '../bench/independent-replay/simulator.js';

describe('the independent replay of the spec', () => {
  it('reproduces a round worked out by hand', () => {
    // T 10 ms (100 in, 10 out at $1000/$2000 per M = $0.12), A 2 ms (50 in, 5 out at $100/$200 per M = $0.006).
    // fixed:2, A wrong at step 1 (src/engine/run-task.test.ts works the same case through the engine): latency
    // 32 ms; 4 committed T calls, 5 A calls and one T call cancelled after 8 of its 10 ms (output 8 of 10 tokens).
    const call = (action: string, latencyMs: number, inputTokens: number, outputTokens: number) => ({ action, latencyMs, inputTokens, outputTokens });
    const trace: SimulatedTrace = {
      id: 'hand',
      models: { approx: 'a', target: 't' },
      steps: [
        ['X', 'W'],
        ['Y', 'Y'],
        ['Z', 'Z'],
        ['TERMINATE', 'TERMINATE'],
      ].map(([target, guess]) => ({ target: call(target!, 10, 100, 10), approx: call(guess!, 2, 50, 5) })),
    };
    const prices = { t: { inputUsdPerMTok: 1000, outputUsdPerMTok: 2000 }, a: { inputUsdPerMTok: 100, outputUsdPerMTok: 200 } };
    const fixed2 = simulateTask(trace, { kind: 'fixed', k: 2 }, { prices });
    expect(fixed2.latencyMs).toBe(32);
    expect(fixed2.costUsd).toBeCloseTo(0.48 + 0.116 + 0.03, 12);
    const oracle = simulateTask(trace, { kind: 'oracle' }, { prices });
    expect(oracle.latencyMs).toBe(24);
    expect(oracle.costUsd).toBeCloseTo(0.48 + 4 * 0.006, 12);
  });

  it('agrees with dsp bench on a seeded synthetic suite (150 tasks, acceptance 0.55)', async () => {
    const traces = generateSyntheticTraces({ tasks: 150, seed: 1, approxAccuracy: 0.55 });
    const rows = await compareReplays({
      traces,
      prices: builtinPriceTable.models,
      bench: async (policies) => {
        const [result] = await runBench({
          suites: [{ name: 'synthetic', traces, source: 'test' }],
          policies: policies.map((name) => parsePolicySpec(name)),
        });
        return result!.summary.rows;
      },
    });
    expect(rows.map((row) => row.policy)).toEqual(['fixed:2', 'fixed:4', 'fixed:6', 'oracle']);
    for (const row of rows) {
      expect(Math.abs(row.latencyGap), `${row.policy} latency`).toBeLessThanOrEqual(0.02);
      expect(Math.abs(row.latencyRatioGap), `${row.policy} latency / fixed:2`).toBeLessThanOrEqual(0.02);
      expect(Math.abs(row.costRatioGap), `${row.policy} cost / fixed:2`).toBeLessThanOrEqual(0.03);
    }
    // The comparison means something: fixed:K speculates past plans' ends (the oracle never does), and speculating
    // further costs more.
    const byPolicy = Object.fromEntries(rows.map((row) => [row.policy, row]));
    expect(byPolicy['fixed:4']!.independent.callsPastTheEnd).toBeGreaterThan(0);
    expect(byPolicy['oracle']!.independent.callsPastTheEnd).toBe(0);
    expect(byPolicy['fixed:6']!.bench.costRatio).toBeGreaterThan(byPolicy['fixed:4']!.bench.costRatio);
  });
});
