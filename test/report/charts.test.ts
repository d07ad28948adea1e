import { beforeAll, describe, expect, it } from 'vitest';
import {
  chartNames,
  chartSpec,
  learningPolicies,
  learningRows,
  learningWindow,
  overviewSpec,
  paretoRows,
  perTaskK,
  speedupRows,
  timelineRows,
} from '../../src/report/chart-specs.js';
import { renderSvg } from '../../src/report/render-svg.js';
import type { ResultsFile, SuiteResults } from '../../src/report/results-schema.js';
import { benchResults, handSuite } from './fixtures.js';

/** The number of items (paths) of a named mark in SVG text. */
function markCount(svg: string, name: string): number {
  const pattern = new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'gs');
  let count = 0;
  for (const match of svg.matchAll(pattern)) count += (match[1]!.match(/<(path|text|line)\b/g) ?? []).length;
  return count;
}

describe('chart specs of the hand-built suite', () => {
  let results: ResultsFile;
  let suite: SuiteResults;
  beforeAll(async () => {
    results = await benchResults([handSuite()]);
    suite = results.suites[0]!;
  });

  it('latency–cost: one row per policy, the frontier flagged, the oracle labelled as the limit', () => {
    const rows = paretoRows(suite);
    expect(rows.map((row) => row.policy)).toEqual(suite.summary.rows.map((row) => row.policy));
    expect(rows.filter((row) => row.frontier).map((row) => row.policy)).toEqual(['sequential', 'additive']);
    expect(rows.find((row) => row.oracle)?.label).toBe('oracle (limit)');
  });

  it('latency–cost: policies at the same point share one label', () => {
    const twin = structuredClone(suite);
    const additive = twin.summary.rows.find((row) => row.policy === 'additive')!;
    Object.assign(twin.summary.rows.find((row) => row.policy === 'fixed:3')!, { latencySec: additive.latencySec, costUsd: additive.costUsd });
    const labels = paretoRows(twin).map((row) => [row.policy, row.label]);
    // The label names the point's most important policy (additive: featured and on the frontier).
    expect(labels).toContainEqual(['additive', 'additive (+1 at the same point)']);
    expect(labels).toContainEqual(['fixed:3', '']);
  });

  it('latency–cost: in a crowd, labels the oracle, sequential and the featured policy first and skips labels that would overlap', () => {
    const crowded = structuredClone(suite);
    const additive = crowded.summary.rows.find((row) => row.policy === 'additive')!;
    for (let index = 0; index < 20; index += 1) {
      const name = `fixed:${10 + index}`;
      crowded.summary.rows.push({ ...additive, policy: name, latencySec: additive.latencySec + index * 0.01, costUsd: additive.costUsd! * (1 + index * 0.0001) });
      crowded.policies.push({ ...crowded.policies.find((entry) => entry.policy === 'additive')!, policy: name, kind: 'fixed' });
    }
    const rows = paretoRows(crowded);
    expect(rows).toHaveLength(26);
    const labelled = rows.filter((row) => row.label !== '').map((row) => row.policy);
    expect(labelled).toEqual(expect.arrayContaining(['oracle', 'sequential', 'additive']));
    // The cluster of 21 points a few pixels apart fits one label on each side at most.
    const cluster = ['additive', ...Array.from({ length: 20 }, (_, index) => `fixed:${10 + index}`)];
    expect(labelled.filter((name) => cluster.includes(name)).length).toBeLessThanOrEqual(2);
  });

  it('timeline: every call of each example in its lane, overlapping calls in different rows, every round with its k', () => {
    const rows = timelineRows(suite);
    const calls = rows.filter((row) => row.kind === 'call');
    expect(calls).toHaveLength(suite.examples.reduce((sum, example) => sum + example.records.length, 0));
    expect(new Set(calls.map((row) => row.lane))).toEqual(new Set(['approximation', 'target']));
    // The oracle runs T for steps 1 and 2 at once in its first round (from 0 s and 1 s): two rows of the target lane.
    const oracleTargets = calls.filter((row) => row.panel.startsWith('oracle') && row.lane === 'target');
    expect(oracleTargets.map((row) => [row.label, row.startSec, row.endSec, row.slot])).toEqual([
      ['1', 0, 10, 0],
      ['2', 1, 11, 1],
      ['3', 11, 21, 0],
    ]);
    expect(rows.filter((row) => row.kind === 'round').map((row) => row.label)).toEqual(['k=2', 'k=1', 'k=0', 'k=0', 'k=0', 'k=2', 'k=1']);
  });

  it('learning curve: the adaptive policy, its mean k and the oracle mean k, task by task', () => {
    expect(learningPolicies(suite)).toEqual(['additive']);
    const rows = learningRows(suite, ['additive']);
    // Rounds k 2, 1 | 2, 4 and oracle k 2, 1 | 5, 3 over two tasks; trailing window of 1 task (2 tasks / 15, rounded up).
    // Task 2's second round runs with k = 4: replay does not clamp k to the 3 steps left before the plan's end, which a
    // live run would not know.
    expect(rows.filter((row) => row.series === 'chosen k').map((row) => [row.task, row.k])).toEqual([[1, 1.5], [2, 3]]);
    expect(rows.filter((row) => row.series === 'oracle k').map((row) => [row.task, row.k])).toEqual([[1, 1.5], [2, 4]]);
  });

  it("learning curve: averages each task's rounds, skips tasks without rounds, smooths over a window of tasks", () => {
    const perTask = perTaskK({ task: [0, 0, 0, 2, 3, 3], k: [1, 2, 3, 4, 2, 2], oracleK: [3, 3, 3, 1, 2, 4] });
    expect(perTask).toEqual({ task: [0, 2, 3], k: [2, 4, 2], oracleK: [3, 1, 3] });
    expect([learningWindow(15), learningWindow(16), learningWindow(143), learningWindow(1000)]).toEqual([1, 2, 10, 25]);
  });

  it('speedup: one box per policy, best median first', () => {
    const rows = speedupRows(suite);
    expect(rows).toHaveLength(suite.policies.length);
    expect(rows[0]!.policy).toBe('oracle');
    const additive = rows.find((row) => row.policy === 'additive')!;
    expect(additive.min).toBeCloseTo(30 / 21, 12);
    expect(additive.max).toBeCloseTo(50 / 23, 12);
    expect(rows.find((row) => row.policy === 'sequential')).toMatchObject({ min: 1, max: 1 });
  });

  it('renders every chart to SVG without a warning, with the marks expected', async () => {
    const warnings: string[] = [];
    const svgs = Object.fromEntries(
      await Promise.all(chartNames.map(async (chart) => [chart, await renderSvg(chartSpec(suite, chart), { onWarning: (warning) => warnings.push(warning) })] as const)),
    );
    await renderSvg(overviewSpec(suite), { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([]);
    expect(markCount(svgs.pareto!, 'pareto_points')).toBe(6);
    expect(markCount(svgs.pareto!, 'pareto_frontier_points')).toBe(2);
    expect(markCount(svgs.timeline!, 'timeline_calls')).toBe(6 + 3 + 6);
    expect(markCount(svgs.learning!, 'learning_lines')).toBe(2);
    expect(markCount(svgs.speedup!, 'speedup_boxes')).toBe(6);
  });
});
