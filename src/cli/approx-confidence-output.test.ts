import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactMatch } from '../core/actions.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';
import { runDsp } from '../../test/fixtures/cli/captured-io.js';

const directory = mkdtempSync(join(tmpdir(), 'dsp-confidence-'));
const traces = generateSyntheticTraces({ seed: 4, tasks: 12, approxAccuracy: 0.7, minSteps: 3, maxSteps: 6 });
// A is sure (0.9) of its right guesses and unsure (0.2) of its wrong ones, but for the first task, where it is the other way round.
const withConfidence = traces.map((trace, taskIndex) => ({
  ...trace,
  steps: trace.steps.map((step) => {
    if (step.approx === undefined) return step;
    const right = exactMatch(step.approx.action, step.target.action);
    return { ...step, approx: { ...step.approx, confidence: right === (taskIndex > 0) ? 0.9 : 0.2 } };
  }),
}));
const guesses = withConfidence.flatMap((trace) => trace.steps).filter((step) => step.approx !== undefined);
const path = join(directory, 'confident.jsonl');
writeFileSync(path, `${withConfidence.map((trace) => JSON.stringify(trace)).join('\n')}\n`);

describe("A's confidence in the bench and sweep output", () => {
  it('is summarised under the heading when the traces carry it: how many guesses, how many right, the AUC', async () => {
    const table = await runDsp(['bench', '--traces', path, '--policies', 'fixed:2', '--quiet']);
    expect(table.code).toBe(0);
    const line = table.stdout.split('\n').find((text) => text.startsWith("A's confidence:"));
    expect(line).toMatch(new RegExp(`^A's confidence: ${guesses.length} guesses carry one \\(\\d+% right\\); AUC 0\\.\\d{3} `));
    const json = await runDsp(['bench', '--traces', path, '--policies', 'fixed:2', '--quiet', '--format', 'json']);
    // One suite: one object.
    const summary = JSON.parse(json.stdout) as { approxConfidence: { guesses: number; right: number; auc: number } };
    expect(summary.approxConfidence.guesses).toBe(guesses.length);
    expect(summary.approxConfidence.right).toBe(guesses.filter((step) => exactMatch(step.approx!.action, step.target.action)).length);
    // The first task's confidences are backwards: the AUC is high but below 1.
    expect(summary.approxConfidence.auc).toBeGreaterThan(0.7);
    expect(summary.approxConfidence.auc).toBeLessThan(1);
    expect(line).toContain(`AUC ${summary.approxConfidence.auc.toFixed(3)}`);
    const report = join(directory, 'report.html');
    expect((await runDsp(['bench', '--traces', path, '--policies', 'fixed:2', '--quiet', '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(new RegExp(`A(&#39;|&#x27;|')s confidence: ${guesses.length} guesses carry one`));
    const sweep = await runDsp(['sweep', '--traces', path, '--tau', '0.5', '--beta', '0', '--kmin', '1', '--value', '', '--quiet', '--format', 'json']);
    expect(sweep.code).toBe(0);
    const swept = JSON.parse(sweep.stdout) as { approxConfidence: unknown };
    expect(swept.approxConfidence).toEqual(summary.approxConfidence);
  });

  it('is not mentioned when no guess carries a confidence', async () => {
    const table = await runDsp(['bench', '--suite', 'synthetic', '--policies', 'fixed:2', '--quiet']);
    expect(table.stdout).not.toContain("A's confidence");
    const json = await runDsp(['bench', '--suite', 'synthetic', '--policies', 'fixed:2', '--quiet', '--format', 'json']);
    expect(JSON.parse(json.stdout)).not.toHaveProperty('approxConfidence');
  });
});
