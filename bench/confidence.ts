/**
 * What A's confidence in its guesses is worth when it is informative: a seeded synthetic suite (60 tasks, A right
 * 70% ± 25% of the time) replayed as recorded and again with a `confidence` on every guess of A — 0.9 when the guess
 * is right, 0.2 when not, plus 0 / 0.03 / 0.06 of noise — under the economic policy and the acceptance gate (the
 * figures in docs/predictor.md, "A's confidence"). Measures the compiled code in dist/.
 *
 *   npm run build && node --import tsx bench/confidence.ts
 */
import { createDspPolicy } from '../dist/predictor/create-dsp-policy.js';
import { replaySuite } from '../dist/suite/replay-suite.js';
import { generateSyntheticTraces } from '../dist/traces/synthetic.js';
import { parsePolicySpec } from '../dist/policies/registry.js';

const traces = generateSyntheticTraces({ seed: 3, tasks: 60, approxAccuracy: 0.7, accuracySpread: 0.25, minSteps: 4, maxSteps: 9 });
const confident = traces.map((trace, taskIndex) => ({
  ...trace,
  steps: trace.steps.map((step, stepIndex) =>
    step.approx === undefined
      ? step
      : { ...step, approx: { ...step.approx, confidence: (step.approx.action === step.target.action ? 0.9 : 0.2) + ((taskIndex + stepIndex) % 3) * 0.03 } },
  ),
}));

process.stdout.write(`${'policy'.padEnd(30)} ${'traces'.padEnd(16)} ${'latency s'.padStart(9)} ${'cost $'.padStart(9)} ${'wasted $'.padStart(9)}\n`);
for (const text of ['dsp:value=3', 'dsp:value=30', 'dsp:gate=0.3', 'dsp:tau=0.9,beta=2,gate=0.5']) {
  for (const [label, suite] of [['as recorded', traces], ['with confidence', confident]] as const) {
    const spec = parsePolicySpec(text);
    const run = await replaySuite({ traces: suite, policy: spec, buildPolicy: (built) => createDspPolicy(built as { name: string; options: Record<string, number> }, { trainer: 'in-process' }) });
    const { latencyMs, costUsd, wastedCostUsd } = run.metrics;
    process.stdout.write(`${text.padEnd(30)} ${label.padEnd(16)} ${(latencyMs / 1000).toFixed(2).padStart(9)} ${(costUsd ?? Number.NaN).toFixed(5).padStart(9)} ${(wastedCostUsd ?? Number.NaN).toFixed(5).padStart(9)}\n`);
  }
}
