import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { loadTraces, parseTraces, writeTraces } from './load.js';
import { generateSyntheticTraces } from './synthetic.js';

const good = JSON.stringify({
  format: 'dsp-trace/1',
  id: 'x/1',
  suite: 'x',
  task: 'Given blurry image, how to return the regular image step by step?',
  timing: 'measured',
  models: { approx: 'gpt-4-turbo', target: 'gpt-4-turbo' },
  steps: [
    {
      target: { action: 'Image Deblurring', latencyMs: 4910, inputTokens: 919, outputTokens: 108 },
      approx: { action: 'Image Deblurring', latencyMs: 900, inputTokens: 379, outputTokens: 10 },
    },
  ],
  extra: 'kept',
});

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('trace files', () => {
  it('parses the spec example and keeps unknown fields', () => {
    const [trace] = parseTraces(`${good}\n\n`, 'a.jsonl');
    expect(trace?.steps[0]?.target.latencyMs).toBe(4910);
    expect((trace as Record<string, unknown>).extra).toBe('kept');
  });

  it('names the file, the line, the field and what was expected', () => {
    const bad = good.replace('"latencyMs":4910', '"latencyMs":"slow"');
    const message = errorOf(() => parseTraces(`${good.replace('x/1', 'x/0')}\n${bad}\n`, 'runs.jsonl')).message;
    expect(message).toContain('runs.jsonl');
    expect(message).toContain('line 2');
    expect(message).toContain('steps.0.target.latencyMs');
    expect(message).toMatch(/expected number/);
  });

  it('reports invalid JSON, a wrong format tag, a duplicate id and an empty file', () => {
    expect(errorOf(() => parseTraces('{not json', 'f.jsonl')).message).toMatch(/f\.jsonl: line 1: not valid JSON/);
    expect(errorOf(() => parseTraces(good.replace('dsp-trace/1', 'dsp-trace/9'), 'f.jsonl')).message).toMatch(
      /line 1: field format/,
    );
    expect(errorOf(() => parseTraces(`${good}\n${good}`, 'f.jsonl')).message).toMatch(/line 2: trace id "x\/1" already used on line 1/);
    expect(errorOf(() => parseTraces('\n  \n', 'empty.jsonl')).message).toMatch(/empty\.jsonl: the file holds no trace/);
    expect(errorOf(() => loadTraces('/nonexistent/traces.jsonl')).message).toMatch(/traces\.jsonl: no such file/);
  });

  it('writes atomically and reads back what it wrote', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-traces-'));
    const path = join(directory, 'suite.jsonl');
    const traces = generateSyntheticTraces({ tasks: 5, seed: 3 });
    writeTraces(path, traces);
    expect(loadTraces(path)).toEqual(traces);
    expect(readdirSync(directory)).toEqual(['suite.jsonl']);
    writeFileSync(path, 'garbage');
    expect(readFileSync(path, 'utf8')).toBe('garbage');
  });
});

describe('synthetic generator', () => {
  it('is a pure function of its seed and parameters', () => {
    expect(generateSyntheticTraces({ seed: 9, tasks: 4 })).toEqual(generateSyntheticTraces({ seed: 9, tasks: 4 }));
    expect(generateSyntheticTraces({ seed: 9, tasks: 4 })).not.toEqual(generateSyntheticTraces({ seed: 10, tasks: 4 }));
  });

  it('honours accuracy, lengths and latency parameters', () => {
    const perfect = generateSyntheticTraces({ tasks: 20, approxAccuracy: 1, accuracySpread: 0, minSteps: 4, maxSteps: 4 });
    for (const trace of perfect) {
      expect(trace.steps).toHaveLength(4);
      expect(trace.steps.every((step) => step.approx?.action === step.target.action)).toBe(true);
      expect(trace.steps.at(-1)?.target.action).toBe('TERMINATE');
    }
    const hopeless = generateSyntheticTraces({ tasks: 20, approxAccuracy: 0, accuracySpread: 0, targetLatencyMs: 100 });
    expect(hopeless.flatMap((trace) => trace.steps).every((step) => step.approx?.action !== step.target.action)).toBe(true);
    const latencies = hopeless.flatMap((trace) => trace.steps.map((step) => step.target.latencyMs)).sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeGreaterThan(60);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(160);
  });
});
