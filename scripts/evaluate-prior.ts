/**
 * Leave-one-suite-out evaluation of the prior (`dsp:prior=builtin`, docs/predictor.md): for each embedded suite, a
 * prior is trained on the other suites (as `scripts/build-prior.ts` does), and each dsp setting runs on the left-out
 * suite twice — starting empty, and starting from that prior — beside fixed k and the oracle. Prints one table per
 * suite, then the headroom each set of dsp rows captures.
 *
 *   node --import tsx scripts/evaluate-prior.ts [--settings 'dsp;dsp:value=10'] [--suite openagi-cot]
 */
import { parseArgs } from 'node:util';
import { createDspPolicy } from '../src/predictor/create-dsp-policy.js';
import { parsePolicySpec, type PolicySpec } from '../src/policies/registry.js';
import { headroomCaptured } from '../src/report/sweep.js';
import { runBench } from '../src/suite/bench.js';
import { createPolicy } from '../src/suite/create-policy.js';
import { defaultSuiteNames, embeddedSuite } from '../src/suite/embedded-suites.js';
import { trainPrior } from './build-prior.js';

const { values } = parseArgs({ options: { settings: { type: 'string' }, suite: { type: 'string', multiple: true } } });
const settings = (values.settings ?? 'dsp;dsp:tau=0.9,beta=1;dsp:value=3;dsp:value=30;dsp:value=300').split(';').map((text) => text.trim());
const withPrior = (spec: string): string => `${spec}${spec.includes(':') ? ',' : ':'}prior=builtin`;
const baselines = ['fixed:2', 'fixed:3', 'fixed:4', 'fixed:5', 'fixed:6', 'oracle'];

for (const name of values.suite ?? defaultSuiteNames) {
  const others = defaultSuiteNames.filter((other) => other !== name).map((other) => embeddedSuite(other, 1));
  const prior = await trainPrior(others);
  const policies: PolicySpec[] = [...baselines, ...settings, ...settings.map(withPrior)].map((text) => parsePolicySpec(text));
  const [result] = await runBench({
    suites: [embeddedSuite(name, 1)],
    policies,
    buildPolicy: (spec, context) =>
      spec.kind === 'dsp' ? createDspPolicy(spec, { trainer: 'in-process', prior }) : createPolicy(spec, context),
  });
  const rows = result!.summary.rows;
  process.stdout.write(`suite ${name}: prior trained on ${prior.trainedOn.join(', ')}\n`);
  process.stdout.write(`${'policy'.padEnd(34)} ${'latency s'.padStart(9)} ${'cost $'.padStart(10)} ${'mean k'.padStart(6)}\n`);
  for (const row of rows) {
    process.stdout.write(`${row.policy.padEnd(34)} ${row.latencySec.toFixed(2).padStart(9)} ${(row.costUsd ?? Number.NaN).toPrecision(4).padStart(10)} ${row.meanK.toFixed(2).padStart(6)}\n`);
  }
  const empty = rows.filter((row) => !row.policy.includes('prior='));
  const informed = rows.filter((row) => !row.policy.startsWith('dsp') || row.policy.includes('prior='));
  const captured = (entries: ReturnType<typeof headroomCaptured>) =>
    entries.map((entry) => `${entry.fixed} ${entry.captured === null ? '-' : `${(entry.captured * 100).toFixed(1)}%`}`).join(', ');
  process.stdout.write(`headroom captured, starting empty:     ${captured(headroomCaptured(empty))}\n`);
  process.stdout.write(`headroom captured, starting informed:  ${captured(headroomCaptured(informed))}\n\n`);
}
