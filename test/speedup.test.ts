/**
 * `speedup` says one thing: sequential latency ÷ latency. A suite's speedup is the ratio of its mean sequential
 * latency to its mean latency, so among the rows of one suite (which share the sequential latency) a slower policy
 * never shows a higher speedup. The mean of the per-task ratios is kept under its own name, `meanTaskSpeedup`.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicyList } from '../src/policies/registry.js';
import { combinedSummary, runBench } from '../src/suite/bench.js';
import { createPolicy } from '../src/suite/create-policy.js';
import { syntheticSuite } from '../src/suite/embedded-suites.js';
import type { BenchRow } from '../src/suite/bench-row.js';
import { handSuite } from './report/fixtures.js';

describe('the speedup of a suite', () => {
  const policies = parsePolicyList('sequential,fixed:1,fixed:2,fixed:3,fixed:4,fixed:6,additive,dsp,oracle');

  function expectOneMeaning(rows: readonly BenchRow[]): void {
    for (const row of rows) {
      expect(row.speedup, row.policy).toBeCloseTo(row.sequentialLatencySec / row.latencySec, 12);
    }
    const byLatency = [...rows].sort((a, b) => a.latencySec - b.latencySec);
    for (let index = 1; index < byLatency.length; index += 1) {
      // Slower (or as fast) never shows a higher speedup.
      expect(byLatency[index]!.speedup, `${byLatency[index]!.policy} after ${byLatency[index - 1]!.policy}`).toBeLessThanOrEqual(byLatency[index - 1]!.speedup + 1e-12);
    }
  }

  it('is mean sequential latency ÷ mean latency on the synthetic suite, ordered as the latencies are', async () => {
    const results = await runBench({ suites: [syntheticSuite(1)], policies, buildPolicy: (spec, context) => createPolicy(spec, context) });
    const rows = results[0]!.summary.rows;
    expectOneMeaning(rows);
    // The mean of per-task ratios is a different figure, named for what it is.
    const fixed2 = rows.find((row) => row.policy === 'fixed:2')!;
    expect(fixed2.meanTaskSpeedup).not.toBeCloseTo(fixed2.speedup, 3);
    const perTask = results[0]!.runs.find((run) => run.policy === 'fixed:2')!.results.map((result) => result.metrics.speedup);
    expect(fixed2.meanTaskSpeedup).toBeCloseTo(perTask.reduce((sum, value) => sum + value, 0) / perTask.length, 12);
  }, 60_000);

  it('is the same ratio in the summary over several suites', async () => {
    const results = await runBench({ suites: [handSuite(), syntheticSuite(2)], policies: parsePolicyList('sequential,fixed:2,fixed:4,oracle') });
    expectOneMeaning(combinedSummary(results, 'builtin').rows);
  });
});
