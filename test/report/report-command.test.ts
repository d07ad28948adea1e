import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pngSize } from '../../src/report/render-png.js';
import { loadResults } from '../../src/report/results-schema.js';
import { defaultReportPath } from '../../src/cli/commands/report.js';
import { fixedBeatenBy } from '../../src/report/sweep.js';
import { handTraces, miniSyntheticSuite, writeTraceFile } from './fixtures.js';
import { runCli } from './run-cli.js';

describe('dsp bench --out/--report and dsp report', () => {
  it('bench writes the results file and the report beside its usual output', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-bench-out-'));
    const traces = writeTraceFile(handTraces());
    const out = join(folder, 'results.json');
    const report = join(folder, 'bench.html');
    const { stdout, stderr } = await runCli(['bench', '--traces', traces, '--policies', 'sequential,fixed:2,oracle', '--format', 'json', '--out', out, '--report', report]);
    // stdout stays the bench summary alone; the files written are named on stderr.
    expect((JSON.parse(stdout) as { suite: string }).suite).toBe('hand');
    expect(stderr).toContain(`results: ${out}\nreport: ${report}\n`);
    const results = loadResults(out);
    expect(results.settings.policies).toEqual(['sequential', 'fixed:2', 'oracle']);
    expect(results.suites[0]!.summary).toEqual(JSON.parse(stdout));
    expect(results.generator.command).toBe(`dsp bench --traces ${traces} --policies sequential,fixed:2,oracle --format json --out ${out} --report ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>[\s\S]*<section id="suite-hand" class="suite"/);
    // The prices used, cached input beside list input and output (gpt-4.1: $2, cached $0.50, $8 per 1M tokens).
    expect(html).toContain('<th>input $ / 1M tokens</th><th>cached input $ / 1M tokens</th><th>output $ / 1M tokens</th>');
    expect(html).toContain('<tr><td><code>gpt-4.1</code></td><td>2</td><td>0.5</td><td>8</td>');
  });

  it('the report says, for each fixed k, which dsp setting beats it, and leaves that out when no dsp setting ran', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-beaten-'));
    const traces = writeTraceFile(miniSyntheticSuite().traces);
    const report = join(folder, 'r.html');
    const policies = 'fixed:1,fixed:2,fixed:4,dsp,dsp:tau=0.9,beta=2,dsp:beta=-1,kmin=0';
    const { stdout } = await runCli(['bench', '--traces', traces, '--policies', policies, '--format', 'json', '--report', report, '--quiet']);
    const rows = (JSON.parse(stdout) as { rows: Array<{ policy: string; latencySec: number; costUsd: number }> }).rows;
    const html = readFileSync(report, 'utf8');
    const expected = fixedBeatenBy(rows);
    expect(expected.map((entry) => entry.fixed)).toEqual(['fixed:1', 'fixed:2', 'fixed:4']);
    // Both cases are shown: a fixed k that is beaten and ones that are not.
    expect(expected.some((entry) => entry.by !== null) && expected.some((entry) => entry.by === null)).toBe(true);
    const shown = [...html.matchAll(/<tr data-fixed="([^"]+)"(?: data-by="([^"]+)")?>/g)].map((match) => ({ fixed: match[1], by: match[2] ?? null }));
    expect(shown).toEqual(expected);
    expect(html).toContain(`${expected.filter((entry) => entry.by !== null).length} of 3 fixed settings are beaten`);

    const plain = join(folder, 'plain.html');
    await runCli(['bench', '--traces', traces, '--policies', 'fixed:1,fixed:2', '--report', plain, '--quiet']);
    expect(readFileSync(plain, 'utf8')).not.toContain('Fixed k against the learned policy');
  });

  it('report renders a results file to HTML (default path beside it) and PNG charts', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-report-'));
    const out = join(folder, 'r.json');
    await runCli(['bench', '--traces', writeTraceFile(handTraces()), '--policies', 'sequential,fixed:2,additive,oracle', '--out', out, '--quiet']);
    const pngFolder = join(folder, 'png');
    const { stdout } = await runCli(['report', out, '--png', pngFolder, '--quiet']);
    const charts = ['pareto', 'timeline', 'learning', 'speedup', 'overview'];
    expect(stdout).toBe(`report: ${join(folder, 'r.html')}\n${charts.map((chart) => `png: ${join(pngFolder, `hand-${chart}.png`)}\n`).join('')}`);
    expect(existsSync(join(folder, 'r.html'))).toBe(true);
    for (const chart of charts) {
      const size = pngSize(readFileSync(join(pngFolder, `hand-${chart}.png`)));
      expect(size?.width).toBeGreaterThan(100);
      expect(size?.height).toBeGreaterThan(100);
    }
  });

  it('report refuses an invalid results file, naming the file and the field', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-report-bad-'));
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'dsp-results/2', createdAt: 'now' }));
    await expect(runCli(['report', bad, '--quiet'])).rejects.toThrow(`${bad}: field generator: missing (expected object)`);
    await expect(runCli(['report', join(folder, 'none.json'), '--quiet'])).rejects.toThrow(`${join(folder, 'none.json')}: no such file`);
  });

  it('derives the report path from the results path', () => {
    expect(defaultReportPath('out/results.json')).toBe('out/results.html');
    expect(defaultReportPath('results')).toBe('results.html');
  });
});
