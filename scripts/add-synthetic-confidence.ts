/**
 * Adds a SYNTHETIC, informative confidence to every recorded guess of A in a trace file, for trying out the live
 * confidence path (`dsp serve` answers log-probabilities from it, `dsp run --approx-confidence` reads them back) on
 * real trace shapes when no recorded run with real log-probabilities is at hand. The confidence is made up from
 * knowing whether T accepted the guess — drawn, seeded, from [0.75, 0.95) when A's guess equals T's action and
 * from [0.1, 0.4) when not — so figures measured on it say what an informative confidence is worth, never what a
 * real model's is (docs/predictor.md, "A's confidence").
 *
 *   node --import tsx scripts/add-synthetic-confidence.ts data/suites/openagi-cot.jsonl --out /some/where.jsonl [--seed 1]
 */
import { parseArgs } from 'node:util';
import { canonicalAction } from '../src/core/actions.js';
import { seededRandom } from '../src/core/rng.js';
import { loadTraces, writeTraces } from '../src/traces/format.js';
import type { Trace } from '../src/traces/schema.js';

/** The traces with a synthetic confidence on each approx call: high where T took A's guess, low where not. */
export function withSyntheticConfidence(traces: readonly Trace[], seed: number): Trace[] {
  const random = seededRandom(seed);
  return traces.map((trace) => ({
    ...trace,
    steps: trace.steps.map((step) => {
      if (step.approx === undefined) return step;
      const right = canonicalAction(step.approx.action) === canonicalAction(step.target.action);
      const confidence = Math.round((right ? 0.75 + 0.2 * random() : 0.1 + 0.3 * random()) * 1000) / 1000;
      return { ...step, approx: { ...step.approx, confidence } };
    }),
  }));
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop()!);
if (isMain) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, seed: { type: 'string', default: '1' } },
  });
  if (positionals.length !== 1 || values.out === undefined) {
    process.stderr.write('usage: add-synthetic-confidence.ts TRACES.jsonl --out OUT.jsonl [--seed N]\n');
    process.exit(2);
  }
  const traces = withSyntheticConfidence(loadTraces(positionals[0]!), Number(values.seed));
  writeTraces(values.out, traces);
  const guesses = traces.flatMap((trace) => trace.steps.filter((step) => step.approx !== undefined)).length;
  process.stdout.write(`${traces.length} traces, ${guesses} guesses of A given a synthetic confidence, written to ${values.out}\n`);
}
