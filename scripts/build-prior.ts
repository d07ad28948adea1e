/**
 * Builds the prior shipped with the package (`dsp:prior=builtin`, `data/prior/dsp-prior.json`): one learner, starting
 * empty, replays the embedded suites' tasks in order (openagi-react, openagi-cot, openagi-mad, travelplanner-react) as
 * an economic policy (`dsp:value=10`, so the survival and acceptance heads are trained beside the value head), and its
 * weights are written out. Deterministic: the same suites give the same bytes.
 *
 *   node --import tsx scripts/build-prior.ts               # writes data/prior/dsp-prior.json
 *   node --import tsx scripts/build-prior.ts --leave-out openagi-mad --out /tmp/prior.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createDspPolicy } from '../src/predictor/create-dsp-policy.js';
import { priorFromState, serializePrior, type PredictorPrior } from '../src/predictor/persistence/prior.js';
import { defaultSuiteNames, embeddedSuite, type Suite } from '../src/suite/embedded-suites.js';
import { replaySuite } from '../src/suite/replay-suite.js';
import type { KPolicy } from '../src/core/policy.js';

/** The settings the prior learns with: τ = 0.5 for the value head, and `value` so that the hazard heads train too. */
export const priorTrainingSpec = { name: 'dsp:value=10', options: { value: 10 } } as const;

/**
 * Trains a prior on `suites`, their tasks in order, one learner starting empty (in-process, deterministic); with
 * `passes` > 1 the learner goes over them again (an offline fit, for the ceiling in docs/reproduction.md).
 */
export async function trainPrior(suites: readonly Suite[], passes = 1): Promise<PredictorPrior> {
  const policy = createDspPolicy(priorTrainingSpec, { trainer: 'in-process' });
  // One learner across every suite: replaySuite closes the policies it builds, so it gets a view that does not close.
  const shared: KPolicy = {
    name: policy.name,
    taskStarted: (task) => policy.taskStarted(task),
    chooseK: (state) => policy.chooseK(state),
    continueAfterGuess: (state, guesses, confidences) => policy.continueAfterGuess(state, guesses, confidences),
    observeRound: (round, state) => policy.observeRound(round, state),
    taskEnded: (result) => policy.taskEnded(result),
  };
  try {
    for (let pass = 0; pass < passes; pass += 1) {
      for (const suite of suites) {
        await replaySuite({ traces: suite.traces, policy: { kind: 'dsp', ...priorTrainingSpec, options: { ...priorTrainingSpec.options } }, buildPolicy: () => shared });
      }
    }
    const snapshot = await policy.snapshot();
    return priorFromState(snapshot.trainer, snapshot.model, suites.map((suite) => suite.name), snapshot.statistics);
  } finally {
    await policy.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { 'leave-out': { type: 'string', multiple: true }, out: { type: 'string' } } });
  const leftOut = new Set(values['leave-out'] ?? []);
  const suites = defaultSuiteNames.filter((name) => !leftOut.has(name)).map((name) => embeddedSuite(name, 1));
  const out = values.out ?? join(import.meta.dirname, '..', 'data', 'prior', 'dsp-prior.json');
  const text = serializePrior(await trainPrior(suites));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.stdout.write(`wrote ${out} (${text.length} bytes), trained on ${suites.map((suite) => suite.name).join(', ')}\n`);
}
