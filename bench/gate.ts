/**
 * The acceptance gate on its own: fixed k = 6 with gate thresholds 0.2, 0.3 and 0.5, on each embedded suite,
 * as ratios to fixed:6 (the table in docs/predictor.md). Measures the compiled code in dist/.
 *
 *   npm run build && node --import tsx bench/gate.ts
 */
import { embeddedSuite } from '../dist/suite/embedded-suites.js';
import { canonicalAction } from '../dist/core/actions.js';
import { replaySuite } from '../dist/suite/replay-suite.js';
import type { Action } from '../dist/core/types.js';
import type { KPolicy } from '../dist/core/policy.js';
import { parsePolicySpec } from '../dist/policies/registry.js';
import { AcceptanceGate, type GuessContext } from '../dist/predictor/policy/acceptance-gate.js';

/** fixed:k whose rounds stop where the gate says so; the gate learns from every judged guess. */
function gatedFixedPolicy(k: number, threshold: number): KPolicy {
  const gate = new AcceptanceGate({ threshold });
  const contexts = (taskText: string, committed: readonly Action[], guesses: readonly Action[], count: number): GuessContext[] => {
    const history = committed.map(canonicalAction);
    const result: GuessContext[] = [];
    for (let index = 0; index < count; index += 1) {
      const guess = canonicalAction(guesses[index]!);
      result.push({ taskText, history: [...history], guess, step: history.length + 1 });
      history.push(guess);
    }
    return result;
  };
  return {
    name: `fixed:${k},gate=${threshold}`,
    chooseK: () => k,
    continueAfterGuess: (state, guesses) => gate.shouldContinue(contexts(state.task.text, state.committed, guesses, guesses.length)),
    observeRound: (round, state) => {
      const judged = Math.min(round.guesses.length, round.acceptedCount + (round.committedCount > round.acceptedCount ? 1 : 0));
      contexts(state.task.text, state.committed, round.guesses, judged).forEach((context, index) =>
        gate.learn(context, index < round.acceptedCount),
      );
    },
  };
}

for (const name of ['openagi-react', 'openagi-cot', 'openagi-mad']) {
  const suite = embeddedSuite(name, 1);
  const reference = (await replaySuite({ traces: suite.traces, policy: parsePolicySpec('fixed:6') })).metrics;
  console.log(name);
  for (const threshold of [0.2, 0.3, 0.5]) {
    const run = await replaySuite({
      traces: suite.traces,
      policy: parsePolicySpec('fixed:6'),
      buildPolicy: () => gatedFixedPolicy(6, threshold),
    });
    const m = run.metrics;
    // The embedded suites' models are all priced: every cost is known.
    console.log(
      `  k=6 gate=${threshold}  latency ${(m.latencyMs / reference.latencyMs).toFixed(3)}  cost ${(m.costUsd! / reference.costUsd!).toFixed(3)}  wasted ${(m.wastedCostUsd! / reference.wastedCostUsd!).toFixed(3)}  lossless ${run.lossless}`,
    );
  }
}
