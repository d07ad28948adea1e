/**
 * A hand-built suite whose replay figures can be worked out on paper (see `handSuiteExpected`), plus helpers that
 * run it through the bench and the results builder.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../src/suite/bench.js';
import type { Suite } from '../../src/suite/embedded-suites.js';
import { builtinPriceTable } from '../../src/ledger/prices.js';
import { createPolicy } from '../../src/suite/create-policy.js';
import { parsePolicyList } from '../../src/policies/registry.js';
import { buildResults } from '../../src/report/build-results.js';
import type { ResultsFile } from '../../src/report/results-schema.js';
import { generateSyntheticTraces } from '../../src/traces/synthetic.js';
import type { Trace, TraceCall } from '../../src/traces/schema.js';

/** T: 10 s, 1,000 input and 100 output tokens of gpt-4.1 ($2 / $8 per M) = $0.0028 per call. */
const target = (action: string): TraceCall => ({ action, latencyMs: 10_000, inputTokens: 1000, outputTokens: 100 });
/** A: 1 s, 500 input and 10 output tokens of gpt-4.1-mini ($0.4 / $1.6 per M) = $0.000216 per call. */
const approx = (action: string): TraceCall => ({ action, latencyMs: 1000, inputTokens: 500, outputTokens: 10 });

/** USD of one full T call and one full A call of the hand-built suite. */
export const targetCallUsd = (1000 * 2 + 100 * 8) / 1e6;
export const approxCallUsd = (500 * 0.4 + 10 * 1.6) / 1e6;

/**
 * Two tasks. Task 1 (3 steps): A right at step 1, wrong at step 2, right at the terminal step 3. Task 2 (5 steps):
 * A right at every step.
 */
export function handTraces(): Trace[] {
  const base = { format: 'dsp-trace/1', suite: 'hand', timing: 'synthetic', models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' } } as const;
  return [
    {
      ...base,
      id: 'hand/task-1',
      task: 'three steps, A wrong at step 2',
      steps: [
        { target: target('a'), approx: approx('a') },
        { target: target('b'), approx: approx('x') },
        { target: target('TERMINATE'), approx: approx('TERMINATE') },
      ],
    },
    {
      ...base,
      id: 'hand/task-2',
      task: 'five steps, A always right',
      steps: ['p', 'q', 'r', 's', 'TERMINATE'].map((action) => ({ target: target(action), approx: approx(action) })),
    },
  ];
}

/**
 * The figures of the hand-built suite, worked out on paper (means over the two tasks; T = 10 s, A = 1 s).
 *
 * Task 1: sequential 30 s; fixed:1 30 s (one step a round); fixed:2, fixed:3, additive and oracle 21 s (steps 1–2
 * in the first round, which breaks at step 2 when T answers at 11 s, then step 3 alone). fixed:3 also launched a
 * third A guess and a T call for step 3 in the first round: the guess is discarded and the T call cancelled at 11 s.
 *
 * Task 2: sequential and fixed:1 50 s; fixed:2 32 s (rounds of 2, 2, 1); fixed:3 23 s (3 then 2); additive 23 s
 * (2, then k = 4, stopped by A's terminal guess at step 5); oracle 14 s (all 5 in one round).
 *
 * So, as sums over both tasks: sequential 80 s and 8 T calls; fixed:1 80 s, fixed:2 53 s and additive 44 s with 8 T
 * and 8 A calls; fixed:3 44 s with 8 T and 9 A calls plus a cancelled T call. Sequential and additive are not
 * dominated; fixed:1 is beaten by sequential (same latency, cheaper), fixed:2 and fixed:3 by additive.
 */
export const handSuiteExpected = {
  latencySec: { sequential: 40, 'fixed:1': 40, 'fixed:2': 26.5, 'fixed:3': 22, additive: 22, oracle: 17.5 },
  frontier: ['additive', 'sequential'],
  dominated: ['fixed:1', 'fixed:2', 'fixed:3'],
  /** Mean cost per task of sequential (4 T calls) and of fixed:1, fixed:2, additive and oracle (4 T + 4 A). */
  sequentialCostUsd: 4 * targetCallUsd,
  speculativeCostUsd: 4 * targetCallUsd + 4 * approxCallUsd,
} as const;

/** The hand-built suite as a bench suite. */
export function handSuite(): Suite {
  return { name: 'hand', traces: handTraces(), source: 'hand-built test suite (test/report/fixtures.ts)' };
}

/** A small synthetic suite (8 tasks). */
export function miniSyntheticSuite(): Suite {
  return {
    name: 'mini',
    traces: generateSyntheticTraces({ suite: 'mini', tasks: 8, seed: 3 }),
    source: 'synthetic generator, 8 tasks, seed 3',
  };
}

/** Writes traces as a JSONL file in a fresh temporary folder and returns its path. */
export function writeTraceFile(traces: readonly Trace[], name = 'traces.jsonl'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dsp-report-test-')), name);
  writeFileSync(path, traces.map((trace) => `${JSON.stringify(trace)}\n`).join(''));
  return path;
}

/** Replays suites under policies (training-free only) and builds the results file. */
export async function benchResults(suites: readonly Suite[], policies = 'sequential,fixed:1,fixed:2,fixed:3,additive,oracle'): Promise<ResultsFile> {
  const results = await runBench({ suites, policies: parsePolicyList(policies), buildPolicy: (spec, context) => createPolicy(spec, context) });
  return buildResults({
    results,
    suites,
    priceTable: builtinPriceTable,
    kMax: 8,
    seed: 1,
    command: 'dsp bench (test)',
    createdAt: new Date('2025-01-02T03:04:05Z'),
    version: '0.0.0-test',
  });
}
