import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPercent, headroomCaptured, type SweepSummary } from '../../src/report/sweep.js';
import { loadResults } from '../../src/report/results-schema.js';
import { handSuiteExpected, handTraces, miniSyntheticSuite, writeTraceFile } from './fixtures.js';
import { runCli } from './run-cli.js';

const grid = ['--no-dsp', '--fixed', '1-3', '--also', 'additive', '--quiet'];

describe('dsp sweep', () => {
  it('finds the frontier of the hand-built suite worked out on paper', async () => {
    const traces = writeTraceFile(handTraces());
    const { stdout } = await runCli(['sweep', '--traces', traces, ...grid, '--format', 'json']);
    const sweep = JSON.parse(stdout) as SweepSummary;
    expect(sweep.suite).toBe('hand');
    expect(sweep.points.map((point) => point.policy)).toEqual(['sequential', 'fixed:1', 'fixed:2', 'fixed:3', 'additive', 'oracle']);
    expect(Object.fromEntries(sweep.points.map((point) => [point.policy, point.latencySec]))).toEqual(handSuiteExpected.latencySec);
    const cost = (policy: string): number => sweep.points.find((point) => point.policy === policy)!.costUsd!;
    expect(cost('sequential')).toBeCloseTo(handSuiteExpected.sequentialCostUsd, 12);
    for (const policy of ['fixed:1', 'fixed:2', 'additive', 'oracle']) expect(cost(policy)).toBeCloseTo(handSuiteExpected.speculativeCostUsd, 12);
    expect(cost('fixed:3')).toBeGreaterThan(handSuiteExpected.speculativeCostUsd);
    expect(sweep.frontier).toEqual(handSuiteExpected.frontier);
    for (const policy of handSuiteExpected.dominated) expect(sweep.frontier).not.toContain(policy);
  });

  it('prints the frontier as a table, fastest first, with the oracle as the limit', async () => {
    const traces = writeTraceFile(handTraces());
    const { stdout } = await runCli(['sweep', '--traces', traces, ...grid]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('suite hand: 2 tasks, timing synthetic, prices builtin-2025-10');
    expect(lines[2]).toBe('frontier: 2 of 5 settings are not beaten on both mean latency and mean cost');
    expect(lines.slice(4, 6).map((line) => line.split(/\s+/)[0])).toEqual(['additive', 'sequential']);
    expect(lines[6]).toMatch(/^limit \(oracle, reads the future\): 17\.50 s/);
  });

  it('with an empty grid and unpriced models, counts the frontier among the settings with a known cost', async () => {
    const examples = join(import.meta.dirname, '..', '..', 'data', 'examples', 'openagi-mini.jsonl');
    const { stdout } = await runCli(['sweep', '--traces', examples, '--tau', '', '--value', '', '--fixed', '', '--quiet']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.slice(2, 4)).toEqual([
      'frontier: none, since no setting has a known cost (1 setting left out)',
      'cost unknown (unpriced calls; pass --prices FILE), so left out of the frontier: sequential, oracle',
    ]);
  });

  it('gives one entry per suite plus the combined one, and writes the results file and report', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-sweep-'));
    const traces = writeTraceFile([...handTraces(), ...miniSyntheticSuite().traces]);
    const out = join(folder, 'sweep.json');
    const report = join(folder, 'sweep.html');
    const { stdout, stderr } = await runCli(['sweep', '--traces', traces, ...grid, '--format', 'json', '--out', out, '--report', report]);
    const sweeps = JSON.parse(stdout) as SweepSummary[];
    expect(sweeps.map((sweep) => sweep.suite)).toEqual(['hand', 'mini', 'all']);
    expect(stderr).toBe('');
    const results = loadResults(out);
    expect(results.suites.map((suite) => [suite.suite, suite.frontier])).toEqual(sweeps.slice(0, 2).map((sweep) => [sweep.suite, sweep.frontier]));
    expect(results.generator.command).toBe(`dsp sweep --traces ${traces} --fixed 1-3 --no-dsp --also additive --format json --out ${out} --report ${report} --quiet`);
    expect(existsSync(report)).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<section id="suite-[^"]+" class="suite"/g)).toHaveLength(2);
  });

  it('reports progress on stderr unless --quiet', async () => {
    const traces = writeTraceFile(handTraces());
    const loud = await runCli(['sweep', '--traces', traces, '--no-dsp', '--fixed', '1', '--format', 'json']);
    expect(loud.stderr).toMatch(/6\/6 hand oracle/);
    const quiet = await runCli(['sweep', '--traces', traces, '--no-dsp', '--fixed', '1', '--format', 'json', '--quiet']);
    expect(quiet.stderr).toBe('');
  });

  it('rejects a malformed grid before running anything', async () => {
    await expect(runCli(['sweep', '--suite', 'synthetic', '--tau', '0.5,2', '--quiet'])).rejects.toThrow('--tau: τ must be between 0 and 1 (exclusive), got 2');
    await expect(runCli(['sweep', '--suite', 'synthetic', '--fixed', 'one', '--quiet'])).rejects.toThrow(/^--fixed: expected k values/);
    await expect(runCli(['sweep', '--suite', 'synthetic', '--kmin', '2', '--quiet'])).rejects.toThrow('--kmin: kmin must be 0 or 1, got 2');
    await expect(runCli(['sweep', '--suite', 'synthetic', '--value', '10,0', '--quiet'])).rejects.toThrow('--value: a value of an hour must be a number > 0 (USD), got 0');
  });

  it('runs the dsp points for each kmin and names, for each fixed:K, a dsp point that beats it', async () => {
    const traces = writeTraceFile(miniSyntheticSuite().traces);
    const args = ['sweep', '--traces', traces, '--tau', '0.5,0.9', '--beta', '-1,1', '--kmin', '1,0', '--value', '', '--fixed', '1-4', '--quiet'];
    const sweep = JSON.parse((await runCli([...args, '--format', 'json'])).stdout) as SweepSummary;
    expect(sweep.points.filter((point) => point.policy.startsWith('dsp')).map((point) => point.policy)).toEqual([
      'dsp:tau=0.5,beta=-1',
      'dsp:tau=0.5,beta=1',
      'dsp:tau=0.9,beta=-1',
      'dsp:tau=0.9,beta=1',
      'dsp:tau=0.5,beta=-1,kmin=0',
      'dsp:tau=0.5,beta=1,kmin=0',
      'dsp:tau=0.9,beta=-1,kmin=0',
      'dsp:tau=0.9,beta=1,kmin=0',
    ]);
    expect(sweep.beatsFixed.map((entry) => entry.fixed)).toEqual(['fixed:1', 'fixed:2', 'fixed:3', 'fixed:4']);
    const row = (policy: string): SweepSummary['points'][number] => sweep.points.find((point) => point.policy === policy)!;
    for (const { fixed, by } of sweep.beatsFixed) {
      const beaten = row(fixed);
      const cheaperAndAsFast = sweep.points.filter(
        (point) => point.policy.startsWith('dsp') && point.latencySec <= beaten.latencySec && point.costUsd! < beaten.costUsd!,
      );
      if (by === null) {
        expect(cheaperAndAsFast).toEqual([]);
      } else {
        expect(cheaperAndAsFast.map((point) => point.policy)).toContain(by);
        expect(Math.min(...cheaperAndAsFast.map((point) => point.costUsd!))).toBe(row(by).costUsd);
      }
    }
    const table = (await runCli(args)).stdout.trimEnd().split('\n');
    const beatenLines = table.slice(
      table.findIndex((line) => line.startsWith('fixed:K beaten')),
      table.findIndex((line) => line.startsWith('headroom captured')),
    );
    expect(beatenLines).toHaveLength(5);
    expect(beatenLines[0]).toBe(
      `fixed:K beaten by a dsp point (as fast or faster, and cheaper): ${sweep.beatsFixed.filter((entry) => entry.by !== null).length} of 4`,
    );
  });

  it('measures the headroom captured at each fixed:K ≥ 2, the same in JSON, the table and the report', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-headroom-'));
    const traces = writeTraceFile(miniSyntheticSuite().traces);
    const report = join(folder, 'sweep.html');
    const args = ['sweep', '--traces', traces, '--tau', '0.5,0.9', '--beta', '0,2', '--kmin', '1', '--value', '3,30', '--fixed', '1-4', '--quiet'];
    const sweep = JSON.parse((await runCli([...args, '--format', 'json', '--report', report])).stdout) as SweepSummary;
    expect(sweep.points.filter((point) => point.policy.startsWith('dsp:value=')).map((point) => point.policy)).toEqual(['dsp:value=3', 'dsp:value=30']);
    expect(sweep.headroom.map((entry) => entry.fixed)).toEqual(['fixed:2', 'fixed:3', 'fixed:4']);
    expect(sweep.headroom).toEqual(headroomCaptured(sweep.points));
    const row = (policy: string): SweepSummary['points'][number] => sweep.points.find((point) => point.policy === policy)!;
    for (const entry of sweep.headroom) {
      expect(entry.headroomUsd).toBeCloseTo(row(entry.fixed).costUsd! - row('oracle').costUsd!, 15);
      if (entry.best !== null) expect(row(entry.best).latencySec).toBeLessThanOrEqual(1.005 * row(entry.fixed).latencySec);
    }
    expect(sweep.headroom.some((entry) => entry.best !== null)).toBe(true);
    const table = (await runCli(args)).stdout.trimEnd().split('\n');
    const headroomLines = table.slice(table.findIndex((line) => line.startsWith('headroom captured')) + 1);
    expect(headroomLines).toHaveLength(3);
    sweep.headroom.forEach((entry, index) => {
      expect(headroomLines[index]).toContain(entry.fixed);
      if (entry.best !== null) expect(headroomLines[index]).toContain(`captured ${formatPercent(entry.captured!)} by ${entry.best}`);
    });
    const html = readFileSync(report, 'utf8');
    const shown = [...html.matchAll(/<tr data-headroom="([^"]+)"(?: data-best="([^"]+)")?>/g)].map((match) => ({ fixed: match[1], best: match[2] ?? null }));
    expect(shown).toEqual(sweep.headroom.map(({ fixed, best }) => ({ fixed, best })));
  });
});
