/**
 * `dsp bench` against an independent replay of the spec (bench/independent-replay/simulator.ts, which shares no code
 * with the engine) on a seeded synthetic suite: 150 tasks, A's acceptance 0.55. Prints both replays' mean latency
 * and their latency and cost ratios to fixed:2 for fixed:4, fixed:6 and the oracle, and the gaps between them.
 * test/independent-replay.test.ts asserts the same agreement (within 2% on latency, 3% on cost ratios).
 *
 *   npm run build && node --import tsx bench/independent-replay.ts [--seed 1] [--tasks 150] [--acceptance 0.55]
 *
 * `--trace-length` makes the independent replay limit each plan to its trace's length, as `dsp bench` did before it
 * replayed under a live run's step limit.
 */
import { parseArgs } from 'node:util';
import { runBench } from '../dist/suite/bench.js';
import { parsePolicySpec } from '../dist/policies/registry.js';
import { builtinPriceTable } from '../dist/ledger/prices.js';
import { generateSyntheticTraces } from '../dist/traces/synthetic.js';
import { compareReplays, renderComparison } from './independent-replay/compare.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    tasks: { type: 'string', default: '150' },
    acceptance: { type: 'string', default: '0.55' },
    'trace-length': { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const tasks = Number(values.tasks);
const acceptance = Number(values.acceptance);
const traces = generateSyntheticTraces({ tasks, seed, approxAccuracy: acceptance });

const rows = await compareReplays({
  traces,
  prices: builtinPriceTable.models,
  maxSteps: values['trace-length'] ? 'trace-length' : undefined,
  bench: async (policies) => {
    const [result] = await runBench({ suites: [{ name: 'synthetic', traces, source: 'synthetic' }], policies: policies.map((name) => parsePolicySpec(name)) });
    return result!.summary.rows;
  },
});
console.log(
  `synthetic suite: ${tasks} tasks, acceptance ${acceptance}, seed ${seed}; independent replay ${values['trace-length'] ? "limited to each trace's length" : "under the live step limit (50)"}`,
);
console.log(renderComparison(rows));
