/**
 * The ceiling of the headroom a dsp setting can capture on the embedded suites with this predictor's features
 * (docs/reproduction.md): the same settings as `dsp sweep`'s grid, started not empty but from weights fitted
 * offline (three passes, as `scripts/build-prior.ts` fits its prior, then learning on as usual):
 *
 * - in-sample: fitted on the whole suite it then runs — it has seen every task's answers (an upper bound: the
 *   features can memorise tasks);
 * - cross-fitted: the suite's tasks in five folds (task i in fold i mod 5), each fold run from weights fitted on the
 *   other four — what the features generalise to new tasks of the same kind, given four fifths of the suite first.
 *
 * Prints, per suite and fixed:K, the best captured share of the online grid (`dsp sweep`, starting empty), of the
 * cross-fitted and of the in-sample runs.
 *
 *   node --import tsx scripts/headroom-ceiling.ts [--suite openagi-cot] [--json]
 */
import { parseArgs } from 'node:util';
import { suiteMetrics } from '../src/ledger/metrics.js';
import { createDspPolicy } from '../src/predictor/create-dsp-policy.js';
import type { PredictorPrior } from '../src/predictor/persistence/prior.js';
import { parsePolicySpec, type PolicySpec } from '../src/policies/registry.js';
import { defaultSweepPolicies, headroomCaptured, type HeadroomEntry } from '../src/report/sweep.js';
import { benchRows, type BenchRow } from '../src/suite/bench-row.js';
import { createPolicy } from '../src/suite/create-policy.js';
import { defaultSuiteNames, embeddedSuite, type Suite } from '../src/suite/embedded-suites.js';
import { replaySuite, type SuiteRun } from '../src/suite/replay-suite.js';
import { trainPrior } from './build-prior.js';

const { values } = parseArgs({ options: { suite: { type: 'string', multiple: true }, json: { type: 'boolean' } } });
const grid = defaultSweepPolicies();
const baselines = grid.filter((spec) => spec.kind !== 'dsp');
const settings = grid.filter((spec): spec is Extract<PolicySpec, { kind: 'dsp' }> => spec.kind === 'dsp');
const passes = 3;

/** Runs every setting over `suite`'s tasks, each policy starting from `prior` (or empty). */
async function runSettings(suite: Suite, specs: readonly PolicySpec[], prior: PredictorPrior | undefined): Promise<SuiteRun[]> {
  const runs: SuiteRun[] = [];
  for (const spec of specs) {
    const informed = spec.kind === 'dsp' && prior !== undefined ? parsePolicySpec(`${spec.name}${spec.name.includes(':') ? ',' : ':'}prior=builtin`) : spec;
    const run = await replaySuite({
      traces: suite.traces,
      policy: informed,
      buildPolicy: (built, context) =>
        built.kind === 'dsp' ? createDspPolicy(built, { trainer: 'in-process', ...(prior === undefined ? {} : { prior }) }) : createPolicy(built, context),
    });
    runs.push({ ...run, policy: spec.name });
  }
  return runs;
}

/** The runs of the cross-fitted ceiling: each fold of the suite from weights fitted on the other folds. */
async function crossFitted(suite: Suite, folds: number): Promise<SuiteRun[]> {
  const perFold: SuiteRun[][] = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const training: Suite = { ...suite, traces: suite.traces.filter((_, index) => index % folds !== fold) };
    const held: Suite = { ...suite, traces: suite.traces.filter((_, index) => index % folds === fold) };
    perFold.push(await runSettings(held, settings, await trainPrior([training], passes)));
  }
  return settings.map((spec, index) => {
    const results = perFold.flatMap((runs) => runs[index]!.results);
    return { policy: spec.name, results, metrics: suiteMetrics(results), lossless: perFold.every((runs) => runs[index]!.lossless) };
  });
}

const report: Array<{ suite: string; online: HeadroomEntry[]; crossFitted: HeadroomEntry[]; inSample: HeadroomEntry[] }> = [];
for (const name of values.suite ?? defaultSuiteNames) {
  const suite = embeddedSuite(name, 1);
  const fixed = await runSettings(suite, baselines, undefined);
  const online = await runSettings(suite, settings, undefined);
  const crossed = await crossFitted(suite, 5);
  const inSample = await runSettings(suite, settings, await trainPrior([suite], passes));
  const rows = (runs: SuiteRun[]): BenchRow[] => benchRows([...fixed, ...runs]);
  report.push({ suite: name, online: headroomCaptured(rows(online)), crossFitted: headroomCaptured(rows(crossed)), inSample: headroomCaptured(rows(inSample)) });
}

if (values.json === true) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const share = (entry: HeadroomEntry | undefined): string => (entry?.captured === null || entry === undefined ? '–' : `${(entry.captured * 100).toFixed(1)}%`);
  for (const { suite, online, crossFitted: crossed, inSample } of report) {
    process.stdout.write(`suite ${suite}: best share of the headroom captured by a dsp point as fast as fixed:K\n`);
    process.stdout.write(`fixed:K   online (empty)  cross-fitted  in-sample\n`);
    online.forEach((entry, index) => {
      process.stdout.write(`${entry.fixed.padEnd(9)} ${share(entry).padStart(14)} ${share(crossed[index]).padStart(13)} ${share(inSample[index]).padStart(10)}\n`);
    });
    process.stdout.write('\n');
  }
}
