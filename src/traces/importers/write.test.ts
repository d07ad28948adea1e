import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTraces } from '../load.js';
import type { Trace } from '../schema.js';
import { formatTraceLine, writeTracesAtomic } from './write.js';

const trace: Trace = {
  format: 'dsp-trace/1',
  id: 'x/1',
  suite: 'x',
  task: 'Given blurry image, how to return the regular image step by step?',
  timing: 'measured',
  models: { approx: 'gpt-4-turbo', target: 'gpt-4-turbo' },
  terminal: true,
  steps: [
    {
      target: { action: 'TERMINATE', latencyMs: 4910, inputTokens: 919, outputTokens: 108 },
      approx: { action: 'TERMINATE', latencyMs: 900, inputTokens: 379, outputTokens: 10 },
    },
  ],
};

/** The same trace built with its keys in another order, plus extra fields. */
function shuffled(): Trace {
  const step = trace.steps[0]!;
  return {
    zExtra: { b: 1, a: 2 },
    steps: [{ approx: { outputTokens: 10, inputTokens: 379, latencyMs: 900, action: 'TERMINATE' }, target: { ...step.target } }],
    terminal: true,
    models: { target: 'gpt-4-turbo', approx: 'gpt-4-turbo' },
    timing: 'measured',
    task: trace.task,
    suite: 'x',
    id: 'x/1',
    format: 'dsp-trace/1',
  };
}

describe('writing traces', () => {
  it('writes keys in a fixed order whatever order they were built in', () => {
    const expected = formatTraceLine(trace);
    expect(expected.startsWith('{"format":"dsp-trace/1","id":"x/1","suite":"x","task":')).toBe(true);
    expect(expected).toContain('"approx":{"action":"TERMINATE","latencyMs":900,"inputTokens":379,"outputTokens":10}');
    expect(formatTraceLine(shuffled())).toBe(expected.slice(0, -1) + ',"zExtra":{"a":2,"b":1}}');
  });

  it('writes JSON Lines atomically that the loader reads back', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-write-'));
    const path = join(directory, 'nested', 'out.jsonl');
    writeTracesAtomic(path, [trace, { ...trace, id: 'x/2' }]);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
    expect(loadTraces(path).map((loaded) => loaded.id)).toEqual(['x/1', 'x/2']);
    expect(readdirSync(join(directory, 'nested'))).toEqual(['out.jsonl']);
  });

  it('writes nothing when a trace is invalid or an id repeats', () => {
    const directory = mkdtempSync(join(tmpdir(), 'dsp-write-'));
    const path = join(directory, 'out.jsonl');
    const broken = { ...trace, id: 'x/2', steps: [] } as Trace;
    expect(() => writeTracesAtomic(path, [trace, broken])).toThrow(/trace "x\/2": field steps: .*expected a dsp-trace\/1 trace/);
    expect(() => writeTracesAtomic(path, [trace, trace])).toThrow(/trace id "x\/1" appears twice/);
    expect(readdirSync(directory)).toEqual([]);
  });
});
