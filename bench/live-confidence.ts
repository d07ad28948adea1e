/**
 * A's confidence through the live stack: `dsp serve` replays an embedded suite whose guesses carry a SYNTHETIC,
 * informative confidence (`scripts/add-synthetic-confidence.ts`: high where T took A's guess, low where not) and
 * answers it as token log-probabilities; live runs (`runLiveSuite`, real HTTP on 127.0.0.1, the real clock) plan the
 * suite's tasks with and without asking A's model for them (`approxConfidence`, `dsp run --approx-confidence`).
 * Beside each pair, the replay of the same traces (virtual clock) as a reference. Prints latency s (recorded time,
 * i.e. the live figure × the serve speed), cost $ and wasted $ per task, the rounds the policy stopped early, and
 * how many guesses carried a confidence. No figure here is of a real model's confidence (docs/predictor.md).
 *
 * Each live call's own overhead (HTTP on loopback, a few milliseconds) is scaled up by the speed too, so a high speed
 * inflates live latencies against the replay's; `--tasks N` plans only the first N tasks, to afford a lower speed.
 * The economic policy's value of time is multiplied by the speed in the live runs (`--raw-value`: not), because their
 * calls are that much faster than recorded while they cost the same (docs/live-agents.md).
 *
 *   npm run build && node --import tsx bench/live-confidence.ts [--suite openagi-cot] [--speed 100] [--tasks 121] [--policies 'dsp:gate=0.3;dsp:value=3'] [--raw-value]
 */
import { parseArgs } from 'node:util';
import { builtinPriceTable, type PriceTable } from '../dist/ledger/prices.js';
import { runLiveSuite } from '../dist/live/live-suite.js';
import { parsePolicySpec } from '../dist/policies/registry.js';
import { createDspPolicy } from '../dist/predictor/create-dsp-policy.js';
import { startReplayServer } from '../dist/server/replay-server.js';
import { embeddedSuite } from '../dist/suite/embedded-suites.js';
import { replaySuite } from '../dist/suite/replay-suite.js';
import { taskForText } from '../dist/envs/openagi/tasks.js';
import { openAgiActionSpace } from '../dist/envs/openagi/actions.js';
import type { TaskResult } from '../dist/core/types.js';
import type { SuiteMetrics } from '../dist/ledger/metrics.js';
import { withSyntheticConfidence } from '../scripts/add-synthetic-confidence.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'openagi-cot' },
    speed: { type: 'string', default: '100' },
    policies: { type: 'string', default: 'dsp:gate=0.3;dsp:value=3;dsp:tau=0.9,beta=2,gate=0.5' },
    seed: { type: 'string', default: '1' },
    tasks: { type: 'string' },
    'raw-value': { type: 'boolean', default: false },
  },
});
const speed = Number(values.speed);
// Live, a served call takes 1/speed of its recorded time while its tokens cost the same, so an economic policy
// (`dsp:value=V`) would see each step save speed times fewer seconds than in replay and buy far fewer: the live runs
// use value V × speed, which makes the same choices as V in replay. `--raw-value` runs them with V as written.
const scaleValue = !values['raw-value'];
const embedded = embeddedSuite(values.suite, 1);
const suite = { ...embedded, traces: embedded.traces.slice(0, values.tasks === undefined ? undefined : Number(values.tasks)) };
const traces = withSyntheticConfidence(suite.traces, Number(values.seed));
const targetStrategy = values.suite === 'openagi-react' ? 'react' : values.suite === 'openagi-mad' ? 'debate' : 'cot';
// The served models priced as the suite's recorded model, so that costs compare with the replay's.
const recorded = builtinPriceTable.models[traces[0]!.models.target]!;
const priceTable: PriceTable = {
  name: `served as ${traces[0]!.models.target}`,
  models: { ...builtinPriceTable.models, approx: recorded, target: recorded },
};

const server = await startReplayServer({ traces, speed });
const line = (columns: Array<string | number>): void => void process.stdout.write(`${columns.map(String).join('  ')}\n`);
const figures = (metrics: SuiteMetrics, scale: number): string[] => [
  ((metrics.latencyMs * scale) / 1000).toFixed(2).padStart(9),
  (metrics.costUsd ?? Number.NaN).toFixed(6).padStart(9),
  (metrics.wastedCostUsd ?? Number.NaN).toFixed(6).padStart(9),
];
/** Mean k per round, rounds, and the seconds one accepted step saves as the economic policy sees it (mean finished T call − mean A call, on the run's own clock). */
const rounds = (results: readonly TaskResult[]): string[] => {
  const all = results.flatMap((result) => result.rounds);
  const mean = (role: 'approx' | 'target'): number => {
    // As CallEconomics counts them: A calls that finished; T calls that finished and were not wasted.
    const calls = results.flatMap((result) => result.records).filter((record) => record.role === role && record.status !== 'cancelled' && record.error === undefined && (role === 'approx' || record.status !== 'discarded'));
    return calls.reduce((sum, record) => sum + record.endMs - record.startMs, 0) / Math.max(1, calls.length);
  };
  return [(all.reduce((sum, round) => sum + round.k, 0) / Math.max(1, all.length)).toFixed(2).padStart(6), String(all.length).padStart(6), ((mean('target') - mean('approx')) / 1000).toFixed(3).padStart(8)];
};
const stopped = (results: readonly TaskResult[]): number => results.reduce((sum, result) => sum + result.rounds.filter((round) => round.stoppedAfter !== undefined).length, 0);
const withConfidence = (results: readonly TaskResult[]): string => {
  const guesses = results.flatMap((result) => result.records).filter((record) => record.role === 'approx' && record.action !== undefined && record.attemptOf === undefined);
  return `${guesses.filter((record) => record.confidence !== undefined).length}/${guesses.length}`;
};

process.stdout.write(`suite ${values.suite}: ${traces.length} tasks, synthetic confidence (seed ${values.seed}), served at speed ×${speed}, prices ${priceTable.name}${scaleValue ? `, live dsp:value=V run with V × ${speed}` : ''}\n`);
line(['policy'.padEnd(30), 'run'.padEnd(25), 'latency s', '   cost $', ' wasted $', 'stopped', 'confident', 'mean k', 'rounds', 'T−A s']);
try {
  for (const text of values.policies.split(';').map((part) => part.trim())) {
    const spec = parsePolicySpec(text);
    for (const [label, confident] of [['replay, as recorded', false], ['replay, confidence', true]] as const) {
      const run = await replaySuite({
        traces: confident ? traces : suite.traces,
        policy: spec,
        priceTable,
        actionsMatch: openAgiActionSpace.actionsMatch,
        buildPolicy: (built) => createDspPolicy(built as { name: string; options: Record<string, number> }, { trainer: 'in-process' }),
      });
      line([text.padEnd(30), label.padEnd(25), ...figures(run.metrics, 1), String(stopped(run.results)).padStart(7), withConfidence(run.results).padStart(9), ...rounds(run.results)]);
    }
    const liveSpec = scaleValue && spec.kind === 'dsp' && spec.options.value !== undefined ? { ...spec, options: { ...spec.options, value: spec.options.value * speed } } : spec;
    for (const [label, approxConfidence] of [['live, no flag', false], ['live, --approx-confidence', true]] as const) {
      const outcome = await runLiveSuite({
        suite: values.suite,
        tasks: suite.traces.map((trace) => taskForText(trace.task, trace.id)),
        approx: { model: `openai-compatible:approx@${server.url}`, strategy: 'direct' },
        target: { model: `openai-compatible:target@${server.url}`, strategy: targetStrategy },
        policy: liveSpec,
        env: {},
        priceTable,
        maxSteps: 50,
        approxConfidence,
      });
      if (outcome.failures.length > 0) throw new Error(`${outcome.failures.length} tasks failed`);
      line([text.padEnd(30), label.padEnd(25), ...figures(outcome.metrics, speed), String(stopped(outcome.results)).padStart(7), withConfidence(outcome.results).padStart(9), ...rounds(outcome.results)]);
    }
  }
} finally {
  await server.close();
}
