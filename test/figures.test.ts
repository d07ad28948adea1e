/**
 * A figure added to the description appears in every output that derives from it: the suite metrics, the JSON and
 * CSV rows of `dsp bench`, its text table, the sweep table, the results file (rows, schema, per-task arrays) and the
 * HTML report. The description is given one more figure for this file only: the calls per task (a task figure only
 * in the real list), with a ratio to fixed:2.
 */
import { describe, expect, it, vi } from 'vitest';
import { renderCsv, renderTable } from '../src/cli/render.js';
import { parseResults, formatResults, type ResultsFile } from '../src/report/results-schema.js';
import { reportHtml } from '../src/report/report-html.js';
import { renderSweepTable } from '../src/report/sweep.js';
import { benchResults, handSuite } from './report/fixtures.js';

vi.mock('../src/ledger/figures.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/ledger/figures.js')>();
  return {
    ...actual,
    figures: actual.figures.map((figure) =>
      figure.key === 'calls'
        ? {
          ...figure,
          suite: 'mean',
          perTask: true,
          row: { field: 'callsPerTask', tables: ['bench', 'sweep'] },
          ratio: { field: 'callsRatio', header: 'calls/k2', tables: ['bench'] },
        }
        : figure,
    ),
  };
});

describe('a figure added to the description', () => {
  // Calls of the two hand-built tasks (3 and 5 steps): sequential 3 and 5 T calls; fixed:2 an A and a T call a step
  // (6 and 10); fixed:3 also a discarded third A guess and a cancelled T call in the first round of task 1 (8 and 10).
  const expected = { sequential: 4, 'fixed:2': 8, 'fixed:3': 9 };
  const run = (): Promise<ResultsFile> => benchResults([handSuite()], 'sequential,fixed:2,fixed:3');

  it('is in the JSON rows, after the figures before it and with its ratio last', async () => {
    const rows = (await run()).suites[0]!.summary.rows as unknown as Array<Record<string, unknown>>;
    expect(Object.fromEntries(rows.map((row) => [row.policy, row.callsPerTask]))).toEqual(expected);
    expect(Object.keys(rows[0]!)).toEqual([
      'policy', 'tasks', 'latencySec', 'sequentialLatencySec', 'speedup', 'meanTaskSpeedup', 'costUsd', 'sequentialCostUsd',
      'wastedCostUsd', 'peakConcurrency', 'meanConcurrency', 'meanK', 'callsPerTask', 'unpricedCalls', 'lossless',
      'latencyRatio', 'costRatio', 'wastedCostRatio', 'callsRatio',
    ]);
    expect(rows.map((row) => row.callsRatio)).toEqual([0.5, 1, 9 / 8]);
  });

  it('is a CSV column and a column of the bench and sweep tables', async () => {
    const summary = (await run()).suites[0]!.summary;
    expect(renderCsv([summary]).split('\n')[0]).toBe(
      'suite,priceTable,policy,tasks,latencySec,sequentialLatencySec,speedup,meanTaskSpeedup,costUsd,sequentialCostUsd,' +
        'wastedCostUsd,peakConcurrency,meanConcurrency,meanK,callsPerTask,unpricedCalls,lossless,latencyRatio,costRatio,' +
        'wastedCostRatio,callsRatio',
    );
    const table = renderTable(summary).split('\n');
    expect(table[3]).toMatch(/ mean k +calls +lat\/k2 +cost\/k2 +waste\/k2 +calls\/k2 +lossless$/);
    expect(table[5]!.split(/ +/).slice(-6)).toEqual(['8', '1.00', '1.00', '1.00', '1.00', 'yes']);
    const sweep = renderSweepTable(summary).split('\n');
    expect(sweep[3]).toMatch(/ mean k +calls +lat\/k2 +cost\/k2$/);
  });

  it('is in the results file: its rows and schema, and an array per policy of its value for every task', async () => {
    const results = await run();
    expect(parseResults(formatResults(results), 'r.json')).toEqual(results);
    const perTask = results.suites[0]!.policies.map((policy) => (policy.perTask as unknown as Record<string, number[]>).calls);
    expect(perTask).toEqual([[3, 5], [6, 10], [8, 10]]);
    const broken = structuredClone(results) as unknown as { suites: Array<{ summary: { rows: Array<Record<string, unknown>> } }> };
    delete broken.suites[0]!.summary.rows[1]!.callsPerTask;
    expect(() => parseResults(JSON.stringify(broken), 'r.json')).toThrow(/field suites\[0\]\.summary\.rows\[1\]\.callsPerTask: /);
  });

  it('is a column of the HTML summary', async () => {
    const html = reportHtml(await run(), []);
    expect(html).toMatch(/<th title="Calls of both agents\.">calls<\/th>/);
    expect(html).toContain('>calls/k2</th>');
  });
});
