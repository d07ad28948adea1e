/**
 * Regenerates the embedded suites in data/suites/ from the third-party reference data (default ../shared/data,
 * relative to the repository root):
 *
 *   npx tsx scripts/build-suites.ts [--shared ../shared/data] [--out data/suites]
 *
 * The output is deterministic byte for byte; a test rebuilds the suites and compares them with the committed ones.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEmbeddedSuites } from '../src/traces/importers/build-suites.js';
import { formatSummary } from '../src/traces/importers/suite-summary.js';

const repoRoot = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    shared: { type: 'string', default: resolve(repoRoot, '../shared/data') },
    out: { type: 'string', default: resolve(repoRoot, 'data/suites') },
  },
});

const result = buildEmbeddedSuites({ sharedDir: resolve(values.shared), outDir: resolve(values.out) });
for (const suite of result.suites) {
  process.stdout.write(`${suite.name}: ${formatSummary(suite.summary)} -> ${suite.path}\n`);
  if (suite.targetScale !== undefined) {
    const scale = suite.targetScale;
    process.stdout.write(`  target scale: latency x${scale.latencyMs}, input tokens x${scale.inputTokens}, output tokens x${scale.outputTokens}\n`);
  }
  if (suite.stats !== undefined) {
    const stats = suite.stats;
    process.stdout.write(
      `  dataset: ${stats.runs} runs; labels checked against the history ${stats.labelsChecked}, disagreeing ${stats.labelsDisagreeing}; histories extended ${stats.historiesExtended}, conflicting ${stats.historyConflicts}\n`,
    );
    process.stdout.write(
      `  A's guess at the terminal step (not in the data) modelled for ${stats.finalGuessesModelled} runs: the terminal action in ${stats.finalGuessesTerminal}, a wrong tool in ${stats.finalGuessesModelled - stats.finalGuessesTerminal}\n`,
    );
  }
  for (const line of suite.details ?? []) process.stdout.write(`  ${line}\n`);
  process.stdout.write(`  plans ending with the terminal action: ${suite.summary.terminalTasks}/${suite.summary.tasks}\n`);
  for (const [label, runs] of [
    ['skipped', suite.skipped],
    ['truncated', suite.truncated],
    ['excluded', suite.excluded],
  ] as const) {
    if (runs.length === 0) continue;
    process.stdout.write(`  ${label} ${runs.length}:\n`);
    if (label === 'excluded') {
      process.stdout.write(`    ${runs.map((run) => run.run).join(', ')}: ${runs[0]!.reason}\n`);
      continue;
    }
    for (const run of runs) process.stdout.write(`    ${run.run}: ${run.reason}\n`);
  }
}
const model = result.timingModel;
const describe = (role: 'approx' | 'target'): string => {
  const fit = model[role];
  return (
    `${role}: latency median ${fit.latencyMs.median.toFixed(0)} ms sigma ${fit.latencyMs.sigma.toFixed(3)}; ` +
    `input ${fit.inputTokens.intercept.toFixed(1)} + ${fit.inputTokens.slope.toFixed(2)}/step (residual sd ${fit.inputTokens.residualSd.toFixed(1)}); ` +
    `output median ${fit.outputTokens.median.toFixed(1)} sigma ${fit.outputTokens.sigma.toFixed(3)}`
  );
};
process.stdout.write(`timing model (fitted to ${model.traces} measured traces, ${model.fittedOn.join(', ')}):\n  ${describe('approx')}\n  ${describe('target')}\n`);
const finalGuess = result.finalGuess;
process.stdout.write(
  `A's guess at the terminal step: the terminal action in ${finalGuess.terminalGuesses} of ${finalGuess.runs} measured plans (rate ${finalGuess.terminalRate.toFixed(3)})\n`,
);
