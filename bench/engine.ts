/**
 * Engine benchmark (issue targets: ≥ 50,000 replayed agent calls per second on the virtual clock; ≤ 0.2 ms of
 * engine overhead per step on the real clock with zero-latency agents).
 *
 *   npm run bench:engine -- --json
 *
 * It measures the compiled engine in dist/ (what users run), built by the npm script first.
 */
import { RealClock } from '../dist/core/clock.js';
import { replaySuite } from '../dist/suite/replay-suite.js';
import { runTask } from '../dist/engine/run-task.js';
import type { Agent } from '../dist/core/types.js';
import { fixedPolicy } from '../dist/policies/basic.js';
import { parsePolicySpec } from '../dist/policies/registry.js';
import { generateSyntheticTraces } from '../dist/traces/synthetic.js';

const json = process.argv.includes('--json');

async function replayCallsPerSec(): Promise<number> {
  const traces = generateSyntheticTraces({ tasks: 300, seed: 7 });
  const policies = ['fixed:2', 'fixed:4', 'fixed:6', 'additive', 'oracle'].map((name) => parsePolicySpec(name));
  const pass = async (): Promise<number> => {
    let calls = 0;
    const start = performance.now();
    for (const policy of policies) {
      const run = await replaySuite({ traces, policy });
      calls += run.results.reduce((sum, result) => sum + result.records.length, 0);
    }
    const seconds = (performance.now() - start) / 1000;
    if (!json) console.log(`replay: ${calls} calls in ${seconds.toFixed(3)} s`);
    return calls / seconds;
  };
  // One pass warms up the JIT; the figure is the median of five measured passes.
  await pass();
  const rates: number[] = [];
  for (let index = 0; index < 5; index += 1) rates.push(await pass());
  return rates.sort((a, b) => a - b)[2]!;
}

async function realClockOverheadMsPerStep(): Promise<number> {
  const clock = new RealClock();
  const stepsPerTask = 20;
  const agent: Agent = async (context) => Promise.resolve({ action: context.step >= stepsPerTask ? 'END' : `s${context.step}` });
  const runMany = async (tasks: number): Promise<{ steps: number; ms: number }> => {
    let steps = 0;
    const start = performance.now();
    for (let index = 0; index < tasks; index += 1) {
      const result = await runTask({
        task: { id: `t${index}`, text: 'zero-latency task' },
        approx: agent,
        target: agent,
        policy: fixedPolicy(4),
        clock,
        isTerminal: (action) => action === 'END',
      });
      steps += result.plan.length;
    }
    return { steps, ms: performance.now() - start };
  };
  await runMany(200);
  const { steps, ms } = await runMany(2000);
  if (!json) console.log(`real clock: ${steps} steps in ${ms.toFixed(1)} ms`);
  return ms / steps;
}

const figures = {
  replayCallsPerSec: Math.round(await replayCallsPerSec()),
  realClockOverheadMsPerStep: Number((await realClockOverheadMsPerStep()).toFixed(4)),
};
console.log(json ? JSON.stringify(figures) : figures);
