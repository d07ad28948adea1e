import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../core/errors.js';
import { appendTrace, formatTraceLine, loadTraces, parseTraces, TraceRecorder, writeTraces } from './format.js';
import type { Trace } from './schema.js';
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

/** The same trace built with its keys in another order, plus extra fields at every level. */
function shuffledWithExtras(): Trace {
  const step = trace.steps[0]!;
  return {
    zExtra: { b: 1, a: [{ d: 2, c: 3 }] },
    steps: [
      {
        note: 'kept',
        approx: { outputTokens: 10, inputTokens: 379, latencyMs: 900, action: 'TERMINATE', estimated: true },
        target: { tokensUnknown: false, ...step.target },
      },
    ],
    terminal: true,
    models: { target: 'gpt-4-turbo', provider: 'x', approx: 'gpt-4-turbo' },
    timing: 'measured',
    task: trace.task,
    suite: 'x',
    aExtra: 'first of the extras',
    id: 'x/1',
    format: 'dsp-trace/1',
  };
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return error as Error;
  }
  throw new Error('expected an error');
}

function freshFolder(): string {
  return mkdtempSync(join(tmpdir(), 'dsp-traces-'));
}

describe('reading trace files', () => {
  it('parses the spec example and keeps unknown fields', () => {
    const [parsed] = parseTraces(`${good}\n\n`, 'a.jsonl');
    expect(parsed?.steps[0]?.target.latencyMs).toBe(4910);
    expect((parsed as Record<string, unknown>).extra).toBe('kept');
  });

  it('names the file, the line, the field and what was expected', () => {
    const bad = good.replace('"latencyMs":4910', '"latencyMs":"slow"');
    const message = errorOf(() => parseTraces(`${good.replace('x/1', 'x/0')}\n${bad}\n`, 'runs.jsonl')).message;
    expect(message).toBe('runs.jsonl: line 2: field steps[0].target.latencyMs: Invalid input: expected number, received string');
    // A line that is not an object at all has no field to name.
    expect(errorOf(() => parseTraces(`${good}\n[1]`, 'list.jsonl')).message).toBe('list.jsonl: line 2: Invalid input: expected object, received array');
  });

  it('says that it wants one object per line when given a JSON array, on one line or pretty-printed', () => {
    const expected = 'a JSON array; expected one JSON object per line (JSON Lines: one dsp-trace/1 trace per line)';
    expect(errorOf(() => parseTraces(`[${good}]`, 'one-line.json')).message).toBe(`one-line.json: line 1: ${expected}`);
    const pretty = `\n${JSON.stringify([JSON.parse(good), JSON.parse(good.replace('x/1', 'x/2'))], null, 2)}\n`;
    expect(errorOf(() => parseTraces(pretty, 'pretty.json')).message).toBe(`pretty.json: line 2: ${expected}`);
  });

  it('reports invalid JSON, a wrong format tag, a duplicate id and an empty file', () => {
    expect(errorOf(() => parseTraces('{not json', 'f.jsonl')).message).toMatch(/f\.jsonl: line 1: not valid JSON/);
    expect(errorOf(() => parseTraces(good.replace('dsp-trace/1', 'dsp-trace/9'), 'f.jsonl')).message).toBe(
      'f.jsonl: line 1: format "dsp-trace/9"; this version reads "dsp-trace/1" traces only',
    );
    expect(errorOf(() => parseTraces(good.replace('"format":"dsp-trace/1",', ''), 'f.jsonl')).message).toMatch(/line 1: field format: Invalid input: expected "dsp-trace\/1"/);
    expect(errorOf(() => parseTraces(`${good}\n${good}`, 'f.jsonl')).message).toMatch(/line 2: trace id "x\/1" already used on line 1/);
    expect(errorOf(() => parseTraces('\n  \n', 'empty.jsonl')).message).toMatch(/empty\.jsonl: the file holds no trace/);
    expect(errorOf(() => loadTraces('/nonexistent/traces.jsonl')).message).toMatch(/traces\.jsonl: no such file/);
  });
});

describe('the canonical form', () => {
  it('writes keys in the fixed order whatever order they were built in, extra keys after the known ones, sorted', () => {
    const expected = formatTraceLine(trace);
    expect(expected).toBe(
      '{"format":"dsp-trace/1","id":"x/1","suite":"x","task":"Given blurry image, how to return the regular image step by step?",' +
        '"timing":"measured","models":{"approx":"gpt-4-turbo","target":"gpt-4-turbo"},"terminal":true,"steps":[' +
        '{"target":{"action":"TERMINATE","latencyMs":4910,"inputTokens":919,"outputTokens":108},' +
        '"approx":{"action":"TERMINATE","latencyMs":900,"inputTokens":379,"outputTokens":10}}]}',
    );
    expect(formatTraceLine(shuffledWithExtras())).toBe(
      '{"format":"dsp-trace/1","id":"x/1","suite":"x","task":"Given blurry image, how to return the regular image step by step?",' +
        '"timing":"measured","models":{"approx":"gpt-4-turbo","target":"gpt-4-turbo","provider":"x"},"terminal":true,"steps":[' +
        '{"target":{"action":"TERMINATE","latencyMs":4910,"inputTokens":919,"outputTokens":108,"tokensUnknown":false},' +
        '"approx":{"action":"TERMINATE","latencyMs":900,"inputTokens":379,"outputTokens":10,"estimated":true},"note":"kept"}],' +
        '"aExtra":"first of the extras","zExtra":{"a":[{"c":3,"d":2}],"b":1}}',
    );
  });

  it('sorts the keys of an object action (the order actions are compared in) and leaves out undefined values', () => {
    const withObjectAction: Trace = {
      ...trace,
      steps: [{ target: { latencyMs: 1, action: { tool: 'search', args: { q: 'x', limit: 3 } }, inputTokens: 1, outputTokens: 1 }, approx: undefined }],
      maybe: undefined,
    };
    expect(formatTraceLine(withObjectAction)).toContain(
      '"steps":[{"target":{"action":{"args":{"limit":3,"q":"x"},"tool":"search"},"latencyMs":1,"inputTokens":1,"outputTokens":1}}]}',
    );
  });

  it('round-trips: parse then write gives the same bytes, extra keys kept', () => {
    const traces = [shuffledWithExtras(), ...generateSyntheticTraces({ tasks: 4, seed: 2 })];
    const text = traces.map((each) => `${formatTraceLine(each)}\n`).join('');
    const parsed = parseTraces(text, 'round-trip.jsonl');
    expect(parsed.map((each) => `${formatTraceLine(each)}\n`).join('')).toBe(text);
    expect(parsed[0]).toMatchObject({ aExtra: 'first of the extras', zExtra: { a: [{ c: 3, d: 2 }], b: 1 } });
    expect(parsed[0]!.models).toMatchObject({ provider: 'x' });
    expect(parsed[0]!.steps[0]).toMatchObject({ note: 'kept', approx: { estimated: true } });
  });

  it('refuses an invalid trace, naming the trace and the field', () => {
    const broken = { ...trace, id: 'x/2', steps: [{ target: { ...trace.steps[0]!.target, inputTokens: -1 } }] } as Trace;
    expect(errorOf(() => formatTraceLine(broken)).message).toMatch(
      /^trace "x\/2": field steps\[0\]\.target\.inputTokens: .*>=0.* \(expected a dsp-trace\/1 trace\)$/,
    );
  });
});

describe('writing trace files', () => {
  it('writes atomically, creating folders, and reads back what it wrote', () => {
    const directory = freshFolder();
    const path = join(directory, 'nested', 'suite.jsonl');
    const traces = generateSyntheticTraces({ tasks: 5, seed: 3 });
    writeTraces(path, traces);
    expect(loadTraces(path)).toEqual(traces);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(6);
    expect(readdirSync(join(directory, 'nested'))).toEqual(['suite.jsonl']);
  });

  it('writes nothing when a trace is invalid, an id repeats or there is no trace', () => {
    const directory = freshFolder();
    const path = join(directory, 'out.jsonl');
    const broken = { ...trace, id: 'x/2', steps: [] } as Trace;
    expect(() => writeTraces(path, [trace, broken])).toThrow(/trace "x\/2": field steps: .*expected a dsp-trace\/1 trace/);
    expect(() => writeTraces(path, [trace, trace])).toThrow(/out\.jsonl: trace id "x\/1" appears twice/);
    expect(() => writeTraces(path, [])).toThrow(/out\.jsonl: no trace to write/);
    expect(readdirSync(directory)).toEqual([]);
  });
});

describe('appending traces (live recording)', () => {
  it('appends one canonical line per trace to a new or existing file', () => {
    const path = join(freshFolder(), 'nested', 'runs.jsonl');
    const recorder = new TraceRecorder(path);
    // The file is made by the first append, not by the recorder.
    expect(readdirSync(join(path, '..'))).toEqual([]);
    recorder.append(shuffledWithExtras());
    recorder.append({ ...trace, id: 'x/2' });
    expect(recorder.written).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe(`${formatTraceLine(shuffledWithExtras())}\n${formatTraceLine({ ...trace, id: 'x/2' })}\n`);

    const later = new TraceRecorder(path);
    later.append({ ...trace, id: 'x/3' });
    expect(loadTraces(path).map((each) => each.id)).toEqual(['x/1', 'x/2', 'x/3']);
  });

  it('refuses a file whose last line is cut off, naming it, and leaves it untouched', () => {
    const path = join(freshFolder(), 'runs.jsonl');
    const complete = `${formatTraceLine(trace)}\n`;
    const partial = formatTraceLine({ ...trace, id: 'x/2' }).slice(0, 40);
    writeFileSync(path, complete + partial);
    expect(errorOf(() => new TraceRecorder(path)).message).toMatch(/^\S*runs\.jsonl: the file does not end with a newline/);
    expect(errorOf(() => appendTrace(path, { ...trace, id: 'x/3' })).message).toMatch(/runs\.jsonl: .*appending would join a trace onto it/);
    expect(readFileSync(path, 'utf8')).toBe(complete + partial);
  });

  it('refuses an existing file that is not a trace file, naming its line, and leaves it untouched', () => {
    const folder = freshFolder();
    const results = join(folder, 'results.json');
    writeFileSync(results, '{"format":"dsp-results/2","suites":[]}\n');
    expect(errorOf(() => new TraceRecorder(results)).message).toBe(
      `${results}: line 1: format "dsp-results/2"; this version reads "dsp-trace/1" traces only`,
    );
    const damaged = join(folder, 'damaged.jsonl');
    writeFileSync(damaged, `${formatTraceLine(trace)}\n{"format": "dsp-trace/1", oops\n`);
    expect(errorOf(() => new TraceRecorder(damaged)).message).toMatch(/damaged\.jsonl: line 2: not valid JSON/);
    expect(readFileSync(results, 'utf8')).toBe('{"format":"dsp-results/2","suites":[]}\n');
    const blank = join(folder, 'blank.jsonl');
    writeFileSync(blank, '\n');
    new TraceRecorder(blank).append(trace);
    expect(loadTraces(blank).map((each) => each.id)).toEqual([trace.id]);
  });

  it('refuses to append once the file has lost its final newline after the recorder was made', () => {
    const path = join(freshFolder(), 'runs.jsonl');
    const recorder = new TraceRecorder(path);
    recorder.append(trace);
    appendFileSync(path, '{"format":"dsp-tr');
    expect(errorOf(() => recorder.append({ ...trace, id: 'x/2' })).message).toMatch(/does not end with a newline/);
    expect(recorder.written).toBe(1);
  });

  it('validates before writing anything and names an unusable path', () => {
    const folder = freshFolder();
    const path = join(folder, 'runs.jsonl');
    expect(errorOf(() => appendTrace(path, { ...trace, steps: [] })).message).toMatch(/field steps/);
    expect(readdirSync(folder)).toEqual([]);
    mkdirSync(join(folder, 'a-folder'));
    expect(errorOf(() => new TraceRecorder(join(folder, 'a-folder'))).message).toMatch(/a-folder: cannot/);
    expect(errorOf(() => appendTrace(join(folder, 'a-folder'), trace)).message).toMatch(/a-folder: cannot/);
  });
});
