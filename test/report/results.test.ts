import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../../src/core/errors.js';
import { formatResults, loadResults, parseResults, type ResultsFile } from '../../src/report/results-schema.js';
import { benchResults, handSuite, handSuiteExpected } from './fixtures.js';

function errorOf(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('the results file', () => {
  let results: ResultsFile;
  beforeAll(async () => {
    results = await benchResults([handSuite()]);
  });

  it('holds the summary, per-task speedup and the frontier worked out by hand', () => {
    const suite = results.suites[0]!;
    expect(suite.taskIds).toEqual(['hand/task-1', 'hand/task-2']);
    expect(Object.fromEntries(suite.summary.rows.map((row) => [row.policy, row.latencySec]))).toEqual(handSuiteExpected.latencySec);
    const additive = suite.policies.find((policy) => policy.policy === 'additive')!;
    expect(additive.kind).toBe('additive');
    expect(additive.perTask.latencyMs).toEqual([21_000, 23_000]);
    expect(additive.perTask.speedup).toEqual([30 / 21, 50 / 23]);
    expect(suite.frontier).toEqual(handSuiteExpected.frontier);
    expect(suite.featured).toBe('additive');
    expect(results.priceTable.models['gpt-4.1']?.source).toMatch(/OpenAI/);
    expect(suite.models).toEqual({ approx: ['gpt-4.1-mini'], target: ['gpt-4.1'] });
  });

  it("records the oracle's k for every round of every policy, equal to the oracle run's own k", () => {
    const suite = results.suites[0]!;
    const oracle = suite.policies.find((policy) => policy.policy === 'oracle')!;
    expect(oracle.rounds).toEqual({ task: [0, 0, 1], k: [2, 1, 5], oracleK: [2, 1, 5] });
    // fixed:1 commits one step a round, so it visits every state: 2,1,1 in task 1 (A wrong at step 2), 5..1 in task 2.
    const fixed1 = suite.policies.find((policy) => policy.policy === 'fixed:1')!;
    expect(fixed1.rounds.oracleK).toEqual([2, 1, 1, 5, 4, 3, 2, 1]);
    expect(fixed1.rounds.k).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const fixed3 = suite.policies.find((policy) => policy.policy === 'fixed:3')!;
    // Replay does not clamp fixed:3's k to the steps left before the plan's end (a live run would not know them).
    expect(fixed3.rounds).toEqual({ task: [0, 0, 1, 1], k: [3, 3, 3, 3], oracleK: [2, 1, 5, 2] });
  });

  it('keeps the full ledger of a typical task for the featured policy, the sequential run and the oracle', () => {
    const examples = results.suites[0]!.examples;
    expect(examples.map((example) => example.policy)).toEqual(['additive', 'sequential', 'oracle']);
    const additive = examples[0]!;
    expect(additive.taskId).toBe('hand/task-1');
    expect(additive.records.map((record) => `${record.role}:${record.step}:${record.status}`)).toEqual([
      'target:1:committed',
      'approx:1:accepted',
      'approx:2:discarded',
      'target:2:committed',
      'target:3:committed',
      'approx:3:accepted',
    ]);
    expect(additive.rounds.map((round) => round.k)).toEqual([2, 1]);
    expect(additive.latencyMs).toBe(21_000);
  });

  it('round-trips through its JSON text', () => {
    expect(parseResults(formatResults(results), 'r.json')).toEqual(results);
  });

  it('refuses another version, naming the file and what was expected', () => {
    // Version 1 had no unknown costs and took a suite's speedup as the mean of per-task ratios.
    const text = JSON.stringify({ ...results, format: 'dsp-results/1' });
    expect(errorOf(() => parseResults(text, 'old.json')).message).toBe(
      'old.json: field format: expected "dsp-results/2", found format "dsp-results/1" (write the file with `dsp bench --out` or `dsp sweep --out` of this version)',
    );
    expect(errorOf(() => parseResults('[1]', 'list.json')).message).toMatch(/^list\.json: field format: expected "dsp-results\/2", found no "format" field/);
    expect(errorOf(() => parseResults('{', 'cut.json')).message).toMatch(/^cut\.json: not valid JSON/);
  });

  it('names the field and the expected type of a bad value', () => {
    const broken = structuredClone(results) as unknown as { suites: Array<{ policies: Array<{ perTask: { speedup: unknown[] } }> }> };
    broken.suites[0]!.policies[1]!.perTask.speedup[1] = 'fast';
    expect(errorOf(() => parseResults(JSON.stringify(broken), 'r.json')).message).toBe(
      'r.json: field suites[0].policies[1].perTask.speedup[1]: Invalid input: expected number, received string',
    );
  });

  it('checks that per-task arrays have one value per task', () => {
    const broken = structuredClone(results);
    broken.suites[0]!.policies[2]!.perTask.costUsd.pop();
    expect(errorOf(() => parseResults(JSON.stringify(broken), 'r.json')).message).toBe(
      'r.json: field suites[0].policies[2].perTask.costUsd: expected 2 values (one per task in taskIds), got 1',
    );
  });

  it('reports a missing file as bad input', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-results-'));
    const error = errorOf(() => loadResults(join(folder, 'none.json')));
    expect(isInvalidInputError(error)).toBe(true);
    expect(error.message).toBe(`${join(folder, 'none.json')}: no such file`);
    writeFileSync(join(folder, 'ok.json'), formatResults(results));
    expect(loadResults(join(folder, 'ok.json')).suites[0]!.suite).toBe('hand');
  });
});
