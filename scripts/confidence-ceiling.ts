/**
 * How informative A's confidence in its guesses would have to be for the learned policy to capture the headroom
 * target (docs/reproduction.md, "What A's confidence would have to tell"). No recorded run here carries a real
 * confidence, so each embedded suite is replayed with a synthetic one of known strength on every guess of A:
 *
 *   confidence = logistic(±μ + ε),  + when the guess is T's action, − when not,  ε ~ N(0, 1) seeded per trace and step,
 *
 * whose ranking of right over wrong guesses has an AUC of Φ(μ·√2) in expectation (the AUC each level printed is
 * measured on the suite). The settings that read a confidence — the economic points (`dsp:value=…`, kmin 1 and 0)
 * and the acceptance gate on τ/β points — run at each strength; the τ/β points without a gate ignore it and run once,
 * as recorded. Prints, per suite and strength, the best headroom share at fixed:2 … 6 and how many of the 20 cells
 * reach 30%.
 *
 *   node --import tsx scripts/confidence-ceiling.ts [--suite openagi-cot] [--auc 0.8 --auc 0.9] [--json]
 *
 * `--auc` keeps only the listed strengths (of 0.7, 0.8, 0.9, 0.95, 0.99); the as-recorded line is always run.
 */
import { parseArgs } from 'node:util';
import { exactMatch } from '../src/core/actions.js';
import { hashText, normal, seededRandom } from '../src/core/rng.js';
import { parsePolicySpec, type PolicySpec } from '../src/policies/registry.js';
import { defaultSweepPolicies, headroomCaptured, type HeadroomEntry } from '../src/report/sweep.js';
import { benchRows } from '../src/suite/bench-row.js';
import { createPolicy } from '../src/suite/create-policy.js';
import { defaultSuiteNames, embeddedSuite } from '../src/suite/embedded-suites.js';
import { replaySuite, type SuiteRun } from '../src/suite/replay-suite.js';
import { approxConfidenceSummary } from '../src/traces/approx-confidence.js';
import type { Trace } from '../src/traces/schema.js';

const { values } = parseArgs({ options: { suite: { type: 'string', multiple: true }, json: { type: 'boolean' }, auc: { type: 'string', multiple: true } } });

/** Target AUCs of the synthetic confidence; μ = Φ⁻¹(AUC) / √2. */
const strengths: ReadonlyArray<{ auc: number; mu: number }> = [
  { auc: 0.7, mu: 0.371 },
  { auc: 0.8, mu: 0.595 },
  { auc: 0.9, mu: 0.906 },
  { auc: 0.95, mu: 1.163 },
  { auc: 0.99, mu: 1.645 },
];
const unknown = (values.auc ?? []).filter((text) => !strengths.some((level) => String(level.auc) === text));
if (unknown.length > 0) {
  process.stderr.write(`--auc ${unknown.join(', ')}: the strengths are ${strengths.map((level) => level.auc).join(', ')}\n`);
  process.exit(2);
}
const gated = ['dsp:tau=0.99,beta=3', 'dsp:tau=0.9,beta=2', 'dsp:tau=0.7,beta=1', 'dsp:tau=0.5,beta=0'].flatMap((base) =>
  [0.3, 0.5].map((gate) => parsePolicySpec(`${base},gate=${gate}`)),
);
const grid = defaultSweepPolicies();
const readsConfidence = (spec: PolicySpec): boolean => spec.kind === 'dsp' && (spec.name.includes('value=') || spec.name.includes('gate='));
const once = grid.filter((spec) => !readsConfidence(spec));
const perStrength = [...grid.filter(readsConfidence), ...gated];

/** The suite's traces with a synthetic confidence of strength `mu` on every guess of A. */
function withConfidence(traces: readonly Trace[], mu: number): Trace[] {
  return traces.map((trace) => ({
    ...trace,
    steps: trace.steps.map((step, index) => {
      if (step.approx === undefined) return step;
      const right = exactMatch(step.approx.action, step.target.action);
      const noise = normal(seededRandom(hashText(`${trace.id}#${index}`)));
      return { ...step, approx: { ...step.approx, confidence: 1 / (1 + Math.exp(-((right ? mu : -mu) + noise))) } };
    }),
  }));
}

async function runAll(traces: Trace[], specs: readonly PolicySpec[]): Promise<SuiteRun[]> {
  const runs: SuiteRun[] = [];
  for (const spec of specs) {
    const run = await replaySuite({
      traces,
      policy: spec,
      buildPolicy: (built, context) => createPolicy(built, context, { trainer: 'in-process' }),
    });
    runs.push({ ...run, policy: spec.name });
  }
  return runs;
}

interface Level {
  auc: number | null;
  headroom: HeadroomEntry[];
}

const cells = (entries: readonly HeadroomEntry[]): HeadroomEntry[] => entries.filter((entry) => entry.k >= 2 && entry.k <= 6);
const share = (entry: HeadroomEntry): string => (entry.captured === null ? '–' : `${(entry.captured * 100).toFixed(1)}%`);

/** One suite's lines: per strength, the best share at fixed:2 … 6 and how many reach 30%. */
function renderSuite(suite: string, levels: readonly Level[]): string {
  const lines = [`suite ${suite}: best headroom share at fixed:2 … 6, by A's confidence (AUC on this suite)`];
  for (const level of levels) {
    const label = level.auc === null ? 'as recorded' : `AUC ${level.auc.toFixed(3)}`;
    const row = cells(level.headroom);
    const met = row.filter((entry) => (entry.captured ?? -Infinity) >= 0.3).length;
    lines.push(`${label.padEnd(12)} ${row.map((entry) => share(entry).padStart(7)).join(' ')}   ≥ 30%: ${met} of ${row.length}`);
  }
  return `${lines.join('\n')}\n\n`;
}

const report: Array<{ suite: string; levels: Level[] }> = [];
for (const name of values.suite ?? defaultSuiteNames) {
  const suite = embeddedSuite(name, 1);
  const base = await runAll(suite.traces, once);
  const levels: Level[] = [{ auc: null, headroom: headroomCaptured(benchRows([...base, ...(await runAll(suite.traces, perStrength))])) }];
  for (const { mu } of strengths.filter((level) => values.auc === undefined || values.auc.includes(String(level.auc)))) {
    const traces = withConfidence(suite.traces, mu);
    levels.push({ auc: approxConfidenceSummary(traces)?.auc ?? null, headroom: headroomCaptured(benchRows([...base, ...(await runAll(traces, perStrength))])) });
  }
  report.push({ suite: name, levels });
  if (values.json !== true) process.stdout.write(renderSuite(name, levels));
}
if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
