/**
 * What the trace, price and results schemas accept is bounded (finite, sane maxima), so no figure computed from a
 * file can overflow to Infinity or NaN; and no results file is ever written that `dsp report` could not read back.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceTable } from '../src/io/price-file.js';
import { formatResults, parseResults, type ResultsFile } from '../src/report/results-schema.js';
import { writeOutputs } from '../src/report/write-outputs.js';
import { parseTraces } from '../src/traces/format.js';
import { benchResults, handSuite, handTraces } from './report/fixtures.js';
import { runCli } from './report/run-cli.js';

const directory = mkdtempSync(join(tmpdir(), 'dsp-bounds-'));

/** The documented bounds (docs/spec.md §5, §6): a call of a day and 10⁹ tokens, $100,000 per million tokens, 10¹⁵. */
const maxCallLatencyMs = 86_400_000;
const maxCallTokens = 1e9;
const maxUsdPerMTok = 100_000;
const maxResultsValue = 1e15;

/** The hand-built traces with T's first call changed. */
function tracesWithTargetCall(change: Record<string, number>): string {
  const [first, ...rest] = handTraces();
  const steps = first!.steps.map((step, index) => (index === 0 ? { ...step, target: { ...step.target, ...change } } : step));
  return [{ ...first!, steps }, ...rest].map((trace) => JSON.stringify(trace)).join('\n');
}

describe('the trace schema', () => {
  it('refuses a latency that would overflow a sum (1.5e308 ms), naming the field and the bound', () => {
    expect(() => parseTraces(tracesWithTargetCall({ latencyMs: 1.5e308 }), 'huge.jsonl')).toThrow(
      /huge\.jsonl: line 1: field steps\[0\]\.target\.latencyMs: Too big: expected number to be <=86400000/,
    );
  });

  it('accepts a call of a full day and a billion tokens, and nothing beyond', () => {
    expect(parseTraces(tracesWithTargetCall({ latencyMs: maxCallLatencyMs, inputTokens: maxCallTokens }), 't.jsonl')).toHaveLength(2);
    expect(() => parseTraces(tracesWithTargetCall({ latencyMs: maxCallLatencyMs + 1 }), 't.jsonl')).toThrow(/latencyMs: Too big/);
    expect(() => parseTraces(tracesWithTargetCall({ outputTokens: maxCallTokens + 1 }), 't.jsonl')).toThrow(/outputTokens: Too big/);
  });

  it('makes dsp bench refuse such a trace before any work, writing no results file', async () => {
    const traces = join(directory, 'huge.jsonl');
    writeFileSync(traces, `${tracesWithTargetCall({ latencyMs: 1.5e308 })}\n`);
    const out = join(directory, 'from-huge.json');
    await expect(runCli(['bench', '--traces', traces, '--policies', 'fixed:2', '--quiet', '--out', out])).rejects.toThrow(
      /steps\[0\]\.target\.latencyMs: Too big/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('the price file', () => {
  it(`refuses a price above ${maxUsdPerMTok} USD per million tokens, naming the model`, () => {
    const path = join(directory, 'prices.json');
    writeFileSync(path, JSON.stringify({ name: 'huge', models: { big: { inputUsdPerMTok: 1e300, outputUsdPerMTok: 1 } } }));
    expect(() => loadPriceTable(path)).toThrow(/prices\.json: field models\.big\.inputUsdPerMTok: Too big/);
  });
});

describe('the results file', () => {
  /** Results whose first row's latency is set to `value`. */
  async function resultsWithLatency(value: number): Promise<ResultsFile> {
    const results = await benchResults([handSuite()], 'sequential,fixed:2');
    results.suites[0]!.summary.rows[0]!.latencySec = value;
    return results;
  }

  it('is refused on reading when a number is out of bounds, naming the field', async () => {
    const text = formatResults(await resultsWithLatency(1)).replace('"latencySec":1,', '"latencySec":1.5e308,');
    expect(text).toContain('1.5e308');
    expect(() => parseResults(text, 'r.json')).toThrow(
      /r\.json: field suites\[0\]\.summary\.rows\[0\]\.latencySec: Too big: expected number to be <=1000000000000000/,
    );
  });

  it('is never written when the tool could not read it back: Infinity, NaN or a number out of bounds', async () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NaN, 1.5e308, maxResultsValue * 2, -1]) {
      const out = join(directory, `never-${String(value)}.json`);
      const results = await resultsWithLatency(value);
      await expect(writeOutputs({ results, out }), String(value)).rejects.toThrow(
        new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not written: field suites\\[0\\]\\.summary\\.rows\\[0\\]\\.latencySec: `),
      );
      expect(existsSync(out), String(value)).toBe(false);
    }
  });

  it('leaves an existing file and the report untouched when the new results are refused', async () => {
    const out = join(directory, 'kept.json');
    const report = join(directory, 'kept.html');
    writeFileSync(out, 'the previous results\n');
    await expect(writeOutputs({ results: await resultsWithLatency(Number.POSITIVE_INFINITY), out, report })).rejects.toThrow(/not written/);
    expect(readFileSync(out, 'utf8')).toBe('the previous results\n');
    expect(existsSync(report)).toBe(false);
  });

  it('is written, and reads back equal, when every number is in bounds', async () => {
    const out = join(directory, 'fine.json');
    const results = await resultsWithLatency(maxResultsValue);
    await writeOutputs({ results, out });
    expect(parseResults(readFileSync(out, 'utf8'), out)).toEqual(results);
  });
});
