import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { parsePolicySpec } from '../policies/registry.js';
import { fixedBeatenBy, headroomCaptured, parseKRange, parseNumberList, renderSweepTable, sweepPolicies, sweepSummary } from './sweep.js';
import type { BenchSummary } from '../suite/bench.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('sweep grid', () => {
  it('parses number lists and k ranges', () => {
    expect(parseNumberList('0.1, 0.5,0.99', '--tau')).toEqual([0.1, 0.5, 0.99]);
    expect(parseNumberList('', '--tau')).toEqual([]);
    expect(parseKRange('1-4', '--fixed')).toEqual([1, 2, 3, 4]);
    expect(parseKRange('6,1-2,2', '--fixed')).toEqual([1, 2, 6]);
    expect(parseKRange(' ', '--fixed')).toEqual([]);
  });

  it('lists a range no further than one k past the largest k it is given, so a huge range is refused at once', () => {
    expect(parseKRange('1-3,6', '--fixed', 8)).toEqual([1, 2, 3, 6]);
    expect(parseKRange('2-100000000000', '--fixed', 4)).toEqual([2, 3, 4, 5]);
  });

  it('rejects malformed lists with the option named', () => {
    const error = thrown(() => parseNumberList('0.1,x', '--tau'));
    expect(isInvalidInputError(error) && error.message).toMatch(/^--tau: expected comma-separated decimal numbers/);
    expect(String(thrown(() => parseKRange('4-2', '--fixed')))).toMatch(/--fixed/);
    expect(String(thrown(() => parseKRange('0-3', '--fixed')))).toMatch(/k values ≥ 1/);
  });

  it('builds sequential, fixed, dsp for every pair, extras, then the oracle', () => {
    const names = sweepPolicies({ tau: [0.3, 0.9], beta: [-1, 1], fixed: [1, 2], also: [parsePolicySpec('additive'), parsePolicySpec('fixed:2')] }).map(
      (spec) => spec.name,
    );
    expect(names).toEqual([
      'sequential',
      'fixed:1',
      'fixed:2',
      'dsp:tau=0.3,beta=-1',
      'dsp:tau=0.3,beta=1',
      'dsp:tau=0.9,beta=-1',
      'dsp:tau=0.9,beta=1',
      'additive',
      'oracle',
    ]);
    const dsp = sweepPolicies({ tau: [0.7], beta: [2], fixed: [] }).find((spec) => spec.kind === 'dsp');
    expect(dsp).toEqual({ kind: 'dsp', name: 'dsp:tau=0.7,beta=2', options: { tau: 0.7, beta: 2 } });
  });

  it('adds the kmin = 0 points after the kmin = 1 points, naming kmin only when it is 0', () => {
    const names = sweepPolicies({ tau: [0.5], beta: [0, 1], kmin: [1, 0], fixed: [] }).map((spec) => spec.name);
    expect(names).toEqual(['sequential', 'dsp:tau=0.5,beta=0', 'dsp:tau=0.5,beta=1', 'dsp:tau=0.5,beta=0,kmin=0', 'dsp:tau=0.5,beta=1,kmin=0', 'oracle']);
    expect(sweepPolicies({ tau: [0.5], beta: [0], kmin: [0], fixed: [] }).find((spec) => spec.kind === 'dsp')?.options).toEqual({ tau: 0.5, beta: 0, kmin: 0 });
    // A library call names the grid's part; the command line passes its option instead (`--kmin`).
    expect(String(thrown(() => sweepPolicies({ tau: [0.5], beta: [0], kmin: [2], fixed: [] })))).toBe('InvalidInputError: grid.kmin: kmin must be 0 or 1, got 2');
    const sources = { tau: '--tau', beta: '--beta', kmin: '--kmin', fixed: '--fixed' };
    expect(String(thrown(() => sweepPolicies({ tau: [0.5], beta: [0], kmin: [2], fixed: [] }, sources)))).toBe('InvalidInputError: --kmin: kmin must be 0 or 1, got 2');
  });

  it('adds the economic points for each kmin after the τ/β points, and rejects a value that is not > 0', () => {
    const names = sweepPolicies({ tau: [0.5], beta: [0], kmin: [1, 0], value: [3, 30], fixed: [] }).map((spec) => spec.name);
    expect(names).toEqual([
      'sequential',
      'dsp:tau=0.5,beta=0',
      'dsp:tau=0.5,beta=0,kmin=0',
      'dsp:value=3',
      'dsp:value=30',
      'dsp:value=3,kmin=0',
      'dsp:value=30,kmin=0',
      'oracle',
    ]);
    expect(sweepPolicies({ tau: [], beta: [], value: [10], fixed: [] }).find((spec) => spec.kind === 'dsp')).toEqual({ kind: 'dsp', name: 'dsp:value=10', options: { value: 10 } });
    expect(sweepPolicies({ tau: [], beta: [], value: [10], fixed: [], dsp: false }).map((spec) => spec.name)).toEqual(['sequential', 'oracle']);
    expect(String(thrown(() => sweepPolicies({ tau: [], beta: [], value: [-1], fixed: [] })))).toBe('InvalidInputError: grid.value: a value of an hour must be a number > 0 (USD), got -1');
  });

  it('leaves the dsp points out with dsp: false or an empty τ list', () => {
    expect(sweepPolicies({ tau: [0.5], beta: [0], fixed: [3], dsp: false }).map((spec) => spec.name)).toEqual(['sequential', 'fixed:3', 'oracle']);
    expect(sweepPolicies({ tau: [], beta: [0, 1], fixed: [] }).map((spec) => spec.name)).toEqual(['sequential', 'oracle']);
  });

  it('rejects τ outside (0, 1) and fractional β', () => {
    expect(String(thrown(() => sweepPolicies({ tau: [1], beta: [0], fixed: [] })))).toMatch(/τ must be between 0 and 1/);
    expect(String(thrown(() => sweepPolicies({ tau: [0.5], beta: [0.5], fixed: [] })))).toMatch(/β must be a whole number/);
  });
});

describe('sweep summary', () => {
  const row = (policy: string, latencySec: number, costUsd: number): BenchSummary['rows'][number] => ({
    policy,
    tasks: 2,
    latencySec,
    sequentialLatencySec: 10,
    speedup: 10 / latencySec,
    meanTaskSpeedup: 10 / latencySec,
    costUsd,
    sequentialCostUsd: 0.01,
    wastedCostUsd: 0,
    peakConcurrency: 1,
    meanConcurrency: 1,
    meanK: 1,
    unpricedCalls: 0,
    lossless: true,
    latencyRatio: null,
    costRatio: null,
    wastedCostRatio: null,
  });
  const summary: BenchSummary = {
    suite: 's',
    tasks: 2,
    priceTable: 'p',
    source: 'here',
    timing: 'synthetic',
    rows: [row('sequential', 10, 0.01), row('fixed:1', 10, 0.02), row('fixed:2', 6, 0.02), row('fixed:3', 6, 0.03), row('oracle', 1, 0.001)],
  };

  it('names the frontier without the oracle, even though the oracle beats everything', () => {
    expect(sweepSummary(summary)).toEqual({
      suite: 's',
      points: summary.rows,
      frontier: ['fixed:2', 'sequential'],
      // No dsp point ran, so nothing was compared.
      beatsFixed: [],
      headroom: [],
    });
    expect(renderSweepTable(summary)).not.toContain('fixed:K beaten');
  });

  it('finds, for each fixed:K, the cheapest dsp point at least as fast and strictly cheaper', () => {
    const rows = [
      row('fixed:2', 6, 0.02),
      row('fixed:4', 4, 0.04),
      row('dsp:tau=0.5,beta=0', 6, 0.019),
      row('dsp:tau=0.9,beta=0', 5.9, 0.018),
      // As fast as fixed:4 but not cheaper: equal cost does not count.
      row('dsp:tau=0.9,beta=2', 4, 0.04),
      // Cheaper than fixed:4 but slower.
      row('dsp:tau=0.9,beta=1', 4.01, 0.03),
    ];
    expect(fixedBeatenBy(rows)).toEqual([
      { fixed: 'fixed:2', by: 'dsp:tau=0.9,beta=0' },
      { fixed: 'fixed:4', by: null },
    ]);
    const lines = renderSweepTable({ ...summary, rows }).split('\n');
    expect(lines.slice(-3)).toEqual([
      'fixed:K beaten by a dsp point (as fast or faster, and cheaper): 1 of 2',
      '  fixed:2  by dsp:tau=0.9,beta=0',
      '  fixed:4  no dsp point',
    ]);
  });

  it('prints the frontier rows fastest first and the oracle as the limit', () => {
    const lines = renderSweepTable(summary).split('\n');
    expect(lines[2]).toBe('frontier: 2 of 4 settings are not beaten on both mean latency and mean cost');
    expect(lines[4]).toMatch(/^fixed:2\s+6\.00\s+1\.67x\s+0\.02000/);
    expect(lines[5]).toMatch(/^sequential\s+10\.00/);
    expect(lines[6]).toBe('limit (oracle, reads the future): 1.00 s, 10.00x, 0.001000 $');
  });

  it('measures the headroom each fixed:K leaves over the oracle and the share the best dsp point as fast captures', () => {
    const rows = [
      row('fixed:1', 10, 0.01),
      // Headroom 0.02 − 0.01 = 0.01.
      row('fixed:2', 6, 0.02),
      // Headroom 0.03 − 0.01 = 0.02.
      row('fixed:4', 4, 0.03),
      // Headroom 0: nothing to capture.
      row('fixed:8', 3, 0.01),
      row('oracle', 3, 0.01),
      // 6.02 ≤ 1.005 × 6 = 6.03: counts for fixed:2, captures (0.02 − 0.016) / 0.01 = 40%.
      row('dsp:tau=0.5,beta=0', 6.02, 0.016),
      // 6.04 > 6.03: too slow for fixed:2 although cheaper.
      row('dsp:tau=0.3,beta=0', 6.04, 0.011),
      // As fast as fixed:4 (and fixed:2): captures (0.03 − 0.0275) / 0.02 = 12.5% of fixed:4's, (0.02 − 0.0275) / 0.01 = −75% of fixed:2's.
      row('dsp:tau=0.9,beta=2', 4, 0.0275),
      // Cheaper than the oracle (skips A): more than all of fixed:4's headroom, but too slow for fixed:4.
      row('dsp:value=1', 4.05, 0.009),
    ];
    const entries = headroomCaptured(rows);
    expect(entries.map(({ fixed, best }) => ({ fixed, best }))).toEqual([
      { fixed: 'fixed:2', best: 'dsp:value=1' },
      { fixed: 'fixed:4', best: 'dsp:tau=0.9,beta=2' },
      { fixed: 'fixed:8', best: null },
    ]);
    expect(entries[0]!.headroomUsd).toBeCloseTo(0.01, 12);
    expect(entries[0]!.captured).toBeCloseTo(1.1, 12);
    expect(entries[1]!.headroomUsd).toBeCloseTo(0.02, 12);
    expect(entries[1]!.captured).toBeCloseTo(0.125, 12);
    expect(entries[2]!.captured).toBeNull();
    // Without the value point, fixed:2's best is the 40% one; the slower, cheaper point never counts.
    const withoutValue = headroomCaptured(rows.filter((entry) => entry.policy !== 'dsp:value=1'));
    expect(withoutValue[0]!.best).toBe('dsp:tau=0.5,beta=0');
    expect(withoutValue[0]!.captured).toBeCloseTo(0.4, 12);
    const lines = renderSweepTable({ ...summary, rows }).split('\n');
    expect(lines.slice(-4)).toEqual([
      "headroom captured (cost(fixed:K) − cost(oracle); best dsp point within 0.5% of fixed:K's latency):",
      '  fixed:2  headroom 0.01000 $  captured 110.0% by dsp:value=1',
      '  fixed:4  headroom 0.02000 $  captured 12.5% by dsp:tau=0.9,beta=2',
      '  fixed:8  headroom 0 $  no dsp point as fast',
    ]);
  });

  it('has no headroom table without an oracle row or without dsp rows', () => {
    expect(headroomCaptured([row('fixed:2', 6, 0.02), row('dsp', 5, 0.01)])).toEqual([]);
    expect(headroomCaptured([row('fixed:2', 6, 0.02), row('oracle', 5, 0.01)])).toEqual([]);
  });
});
