/**
 * Unknown is not zero: a cost that includes a call whose model has no price is unknown in every output — `null` in
 * bench rows and the results file, `?` in tables with the count of unpriced calls, no point in the report's
 * latency–cost chart (which names the policies it leaves out) — and ratios to it are null.
 *
 * The hand-built suite with A served by `local-approx`, a model of no price table: T alone (`sequential`) has a known
 * cost, every speculating policy an unknown one.
 */
import { describe, expect, it } from 'vitest';
import { renderCsv, renderTable } from '../src/cli/render.js';
import { renderRunSummary, renderTaskLine, type RunOutcome } from '../src/cli/commands/run.js';
import { builtinPriceTable } from '../src/ledger/prices.js';
import { parsePolicyList } from '../src/policies/registry.js';
import { buildResults } from '../src/report/build-results.js';
import { chartAvailable, paretoDomain, paretoRows, paretoSpec } from '../src/report/chart-specs.js';
import { reportHtml } from '../src/report/report-html.js';
import { formatResults, parseResults, type ResultsFile } from '../src/report/results-schema.js';
import { renderSvg } from '../src/report/render-svg.js';
import { fixedBeatenBy, renderSweepTable } from '../src/report/sweep.js';
import { runBench } from '../src/suite/bench.js';
import { createPolicy } from '../src/suite/create-policy.js';
import type { Suite } from '../src/suite/embedded-suites.js';
import { handSuiteExpected, handTraces } from './report/fixtures.js';

/** The hand-built suite with the given models. */
function suiteWithModels(models: { approx: string; target: string }): Suite {
  return { name: 'hand', traces: handTraces().map((trace) => ({ ...trace, models })), source: 'hand-built, unpriced models' };
}

async function results(suite: Suite, policies = 'sequential,fixed:2,fixed:3,additive,oracle'): Promise<ResultsFile> {
  const bench = await runBench({ suites: [suite], policies: parsePolicyList(policies), buildPolicy: (spec, context) => createPolicy(spec, context) });
  return buildResults({
    results: bench,
    suites: [suite],
    priceTable: builtinPriceTable,
    kMax: 8,
    seed: 1,
    command: 'dsp bench (test)',
    createdAt: new Date('2025-01-02T03:04:05Z'),
    version: '0.0.0-test',
  });
}

const approxUnpriced = (): Promise<ResultsFile> => results(suiteWithModels({ approx: 'local-approx', target: 'gpt-4.1' }));

describe('dsp bench with an unpriced model', () => {
  it('gives rows an unknown (null) cost and null cost ratios where a call is unpriced, with the count of unpriced calls', async () => {
    const rows = (await approxUnpriced()).suites[0]!.summary.rows;
    const byPolicy = Object.fromEntries(rows.map((row) => [row.policy, row]));
    expect(byPolicy.sequential).toMatchObject({ unpricedCalls: 0, wastedCostUsd: 0, costRatio: null });
    expect(byPolicy.sequential!.costUsd).toBeCloseTo(handSuiteExpected.sequentialCostUsd, 12);
    for (const policy of ['fixed:2', 'fixed:3', 'additive', 'oracle']) {
      expect(byPolicy[policy], policy).toMatchObject({ costUsd: null, costRatio: null });
      // T's committed calls are priced: T alone's cost stays known beside the unknown total.
      expect(byPolicy[policy]!.sequentialCostUsd, policy).toBeCloseTo(handSuiteExpected.sequentialCostUsd, 12);
      expect(byPolicy[policy]!.unpricedCalls, policy).toBeGreaterThanOrEqual(8);
    }
    expect(JSON.stringify(byPolicy['fixed:2'])).toContain('"costUsd":null');
  });

  it('shows ? in the table, the unpriced calls in a column, and says why', async () => {
    const summary = (await approxUnpriced()).suites[0]!.summary;
    const lines = renderTable(summary).split('\n');
    expect(lines).toContain('cost unknown (?) for fixed:2, fixed:3, additive, oracle: the models of some calls are not in the price table (pass --prices FILE)');
    // Priced with a file already: the remedy is to add the models to it, not to pass one.
    expect(renderTable({ ...summary, priceTable: 'team-prices' }).split('\n')).toContain(
      'cost unknown (?) for fixed:2, fixed:3, additive, oracle: the models of some calls are not in the price table (add their models to the price file of team-prices)',
    );
    const headerIndex = lines.findIndex((line) => line.startsWith('policy'));
    expect(lines[headerIndex]).toMatch(/ cost \$ +wasted \$ .* unpriced calls +lat\/k2 +cost\/k2 /);
    const table = lines.slice(headerIndex + 1);
    const cells = (policy: string): string[] => table.find((line) => line.startsWith(`${policy} `))!.trim().split(/ +/);
    // policy, latency, speedup, cost, wasted, peak, mean conc, mean k, unpriced, lat/k2, cost/k2, waste/k2, lossless
    expect(cells('fixed:2')).toEqual(['fixed:2', '26.50', expect.stringMatching(/x$/), '?', '?', '3.00', expect.any(String), expect.any(String), '8', '1.00', '?', '?', 'yes']);
    expect(cells('sequential')[3]).toBe('0.01120');
    expect(cells('sequential')[10]).toBe('?');
  });

  it('leaves an unknown cost empty in CSV, beside its count of unpriced calls', async () => {
    const [header, ...lines] = renderCsv([(await approxUnpriced()).suites[0]!.summary]).split('\n');
    const fields = header!.split(',');
    const row = (policy: string): Record<string, string> => {
      const cells = lines.find((line) => line.split(',')[2] === policy)!.split(',');
      return Object.fromEntries(fields.map((field, index) => [field, cells[index]!]));
    };
    expect(row('fixed:2')).toMatchObject({ costUsd: '', costRatio: '', unpricedCalls: '8' });
    expect(row('sequential')).toMatchObject({ costUsd: '0.0112', unpricedCalls: '0' });
  });

  it('marks unknown costs in the sweep table and leaves them out of the frontier', async () => {
    const summary = (await approxUnpriced()).suites[0]!.summary;
    const text = renderSweepTable(summary);
    expect(text).toContain('cost unknown (unpriced calls; pass --prices FILE), so left out of the frontier: fixed:2, fixed:3, additive, oracle');
    // The frontier is counted among the settings it was chosen from, the oracle being no setting.
    expect(text).toContain('frontier: 1 of 1 settings with a known cost are not beaten on both mean latency and mean cost; 3 more, whose cost is unknown, left out\n');
    const allUnknown = { ...summary, rows: summary.rows.filter((row) => row.costUsd === null) };
    expect(renderSweepTable(allUnknown).split('\n')[2]).toBe('frontier: none, since no setting has a known cost (3 settings left out)');
    expect(renderSweepTable({ ...summary, priceTable: 'team-prices' })).toContain('cost unknown (unpriced calls; add their models to the price file of team-prices)');
    expect(fixedBeatenBy([
      { policy: 'fixed:2', latencySec: 10, costUsd: 1 },
      { policy: 'fixed:3', latencySec: 9, costUsd: null },
      { policy: 'dsp', latencySec: 8, costUsd: null },
      { policy: 'dsp:tau=0.9', latencySec: 10, costUsd: 2 },
    ])).toEqual([{ fixed: 'fixed:2', by: null }]);
  });
});

describe('models named after Object methods', () => {
  it('have no price (the table is read through its own entries only): unknown cost, never NaN', async () => {
    const file = await results(suiteWithModels({ approx: 'toString', target: 'constructor' }), 'sequential,fixed:2');
    for (const row of file.suites[0]!.summary.rows) {
      expect(row, row.policy).toMatchObject({ costUsd: null, sequentialCostUsd: null });
      expect(row.unpricedCalls, row.policy).toBeGreaterThan(0);
    }
    expect(parseResults(formatResults(file), 'r.json')).toEqual(file);
    expect(reportHtml(file, [])).toContain('<td><code>constructor</code></td><td colspan="5" class="text">not in the table');
  });
});

describe('the results file and the report with an unpriced model', () => {
  it('keeps null costs in the file, per task too, and reads them back', async () => {
    const file = await approxUnpriced();
    expect(parseResults(formatResults(file), 'r.json')).toEqual(file);
    const policies = Object.fromEntries(file.suites[0]!.policies.map((policy) => [policy.policy, policy.perTask]));
    expect(policies['fixed:2']!.costUsd).toEqual([null, null]);
    expect(policies.sequential!.costUsd.every((value) => value !== null && value > 0)).toBe(true);
  });

  it('draws no point at cost 0: only policies of known cost, on an axis around their costs', async () => {
    const suite = (await approxUnpriced()).suites[0]!;
    expect(suite.frontier).toEqual(['sequential']);
    expect(paretoRows(suite).map((row) => row.policy)).toEqual(['sequential']);
    const [low, high] = paretoDomain(paretoRows(suite).map((row) => row.costUsd));
    expect(low).toBeGreaterThan(0);
    expect(high).toBeLessThan(2 * handSuiteExpected.sequentialCostUsd);
    const svg = await renderSvg(paretoSpec(suite));
    expect(svg).toContain('pareto_points');
  });

  it('says which policies have no cost, and shows ? in its summary table', async () => {
    const html = reportHtml(await approxUnpriced(), []);
    expect(html).toContain('data-unknown-cost="fixed:2 fixed:3 additive oracle"');
    expect(html).toMatch(/Cost unknown<\/strong> for <code>fixed:2<\/code>, <code>fixed:3<\/code>, <code>additive<\/code>, <code>oracle<\/code>: \d+ calls over all policies were made by models without a price \(not in table <code>builtin-2025-10<\/code>: <code>local-approx<\/code>\)/);
    expect(html).toContain('Not drawn, their cost being unknown: <code>fixed:2</code>, <code>fixed:3</code>, <code>additive</code>, <code>oracle</code>.');
    expect(html).toMatch(/<tr data-policy="fixed:2"><td><code>fixed:2<\/code><\/td><td>26\.50<\/td><td>[\d.]+x<\/td><td>\?<\/td>/);
    expect(html).toContain('<td><code>local-approx</code></td><td colspan="5" class="text">not in the table: its calls are unpriced (their cost is unknown)</td>');
  });

  it('has no latency–cost chart when no policy has a known cost, and says so', async () => {
    const file = await results(suiteWithModels({ approx: 'local-approx', target: 'local-target' }));
    const suite = file.suites[0]!;
    expect(suite.summary.rows.every((row) => row.costUsd === null)).toBe(true);
    expect(chartAvailable(suite, 'pareto')).toBe(false);
    expect(suite.frontier).toEqual([]);
    expect(reportHtml(file, [])).toContain('(a) No latency–cost chart: no policy of this suite has a known cost');
  });
});

describe('runTask metrics and dsp run with an unpriced model', () => {
  async function outcome(): Promise<RunOutcome> {
    const suite = suiteWithModels({ approx: 'local-approx', target: 'gpt-4.1' });
    const [bench] = await runBench({ suites: [suite], policies: parsePolicyList('fixed:2') });
    const { results, metrics } = bench!.runs[0]!;
    const tasks = suite.traces.map((trace) => ({ id: trace.id, text: trace.task }));
    return { results, failures: [], baselines: [], interrupted: false, interruptedTasks: [], metrics, tasks, priceTable: builtinPriceTable };
  }

  it('gives a task an unknown cost and the run summary ?, with the count of unpriced calls, never $0', async () => {
    const run = await outcome();
    const task = run.results[0]!;
    expect(task.metrics.costUsd).toBeNull();
    expect(task.metrics.unpricedCalls).toBeGreaterThan(0);
    const line = renderTaskLine({ index: 0, total: 2, task: run.tasks[0]!, result: task });
    expect(line).toContain(`· ? (${task.metrics.unpricedCalls} unpriced calls)`);
    const summary = renderRunSummary({ outcome: run, options: { suite: 'openagi', approx: 'x:local-approx', target: 'openai:gpt-4.1', policy: 'fixed:2' } });
    expect(summary).toMatch(/^ {2}cost {11}\? per task \(sequential \$0\.01120, overhead \?, wasted \?; prices: builtin-2025-10\)$/m);
    expect(summary).not.toContain('$0 ');
    expect(summary).toContain(`unpriced calls ${run.metrics.unpricedCalls} `);
  });
});
