/**
 * `dsp run --record` against the replay server, in-process through `main`: ids unique across and within runs, token
 * counts a trace cannot hold recorded as unknown with a warning, and API keys echoed by a model never written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../../test/fixtures/cli/captured-io.js';
import { newRunId } from '../../live/live-suite.js';
import { type ReplayServer, startReplayServer } from '../../server/replay-server.js';
import { loadTraces, parseTraces } from '../../traces/format.js';
import type { Trace } from '../../traces/schema.js';

const fixturePath = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const folder = mkdtempSync(join(tmpdir(), 'dsp-record-'));
const key = 'sk-test-0123456789abcdef';
const env = { DSP_OPENAI_COMPATIBLE_API_KEY: key };

// As the server replays them: task-11, whose first reply from A echoes the request's key (an unparsable guess); and
// task-3, where T reports a fractional completion count at step 1 and A a negative prompt count at step 2.
const [task11, task3] = loadTraces(fixturePath) as [Trace, Trace];
const echoing: Trace = {
  ...task11,
  steps: [{ ...task11.steps[0]!, approx: { ...task11.steps[0]!.approx!, action: { unparsed: `Your request carried Bearer ${key}` } } }, task11.steps[1]!],
};
const oddCounts: Trace = {
  ...task3,
  steps: [
    { ...task3.steps[0]!, target: { ...task3.steps[0]!.target, outputTokens: 99.5 } },
    { ...task3.steps[1]!, approx: { ...task3.steps[1]!.approx!, inputTokens: -5 } },
    task3.steps[2]!,
  ],
};

describe('dsp run --record', () => {
  const once = join(folder, 'task-11.txt');
  writeFileSync(once, `${task11.task}\n`);
  const odd = join(folder, 'task-3.txt');
  writeFileSync(odd, `${task3.task}\n`);
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces: [echoing, oddCounts], speed: 50 });
  });
  afterAll(async () => {
    await server.close();
  });

  const run = (args: string[]): ReturnType<typeof runDsp> =>
    runDsp(
      ['run', ...args, '--approx', `openai-compatible:approx@${server.url}`, '--target', `openai-compatible:target@${server.url}`, '--policy', 'fixed:2'],
      captureIo(env),
    );

  it('writes ids unique within a run and across runs, so that bench reads the recording', async () => {
    const list = join(folder, 'twice.txt');
    writeFileSync(list, `${task11.task}\n${task11.task}\n`);
    const recording = join(folder, 'rec.jsonl');
    const first = await run(['--tasks-from', list, '--record', recording]);
    expect(first.code, first.stderr).toBe(0);
    const second = await run(['--tasks-from', list, '--record', recording]);
    expect(second.code, second.stderr).toBe(0);

    const ids = parseTraces(readFileSync(recording, 'utf8'), recording).map((trace) => trace.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0]).toMatch(/^openagi\/task-11\/run-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}$/);
    expect(ids[1]).toBe(`${ids[0]}#2`);
    const replay = await runDsp(['bench', '--traces', recording, '--policies', 'fixed:2', '--quiet']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('fixed:2');
  });

  it('records a token count that is not a whole number ≥ 0 as unknown, with a warning', async () => {
    const recording = join(folder, 'counts.jsonl');
    const result = await run(['--tasks-from', odd, '--record', recording]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'warning: task-3 step 1: the target model reported outputTokens 99.5, not a whole number ≥ 0; recorded as unknown\n',
    );
    expect(result.stderr).toContain('warning: task-3 step 2: the approx model reported inputTokens -5, not a whole number ≥ 0; recorded as unknown\n');
    const [trace] = parseTraces(readFileSync(recording, 'utf8'), recording);
    expect(trace!.steps[0]!.target).toMatchObject({ outputTokens: 0, tokensUnknown: true });
    expect(trace!.steps[1]!.approx).toMatchObject({ inputTokens: 0, tokensUnknown: true });
    expect(trace!.steps[1]!.target).toMatchObject({ inputTokens: task3.steps[1]!.target.inputTokens });
    expect(trace!.steps[1]!.target.tokensUnknown).toBeUndefined();
  });

  it('never writes an API key a model echoes: not in the recording, not in the results or report of its replay', async () => {
    const recording = join(folder, 'echo.jsonl');
    expect((await run(['--tasks-from', once, '--record', recording])).code).toBe(0);
    const recorded = readFileSync(recording, 'utf8');
    expect(recorded).not.toContain(key);
    expect(recorded).toContain('Your request carried Bearer [redacted DSP_OPENAI_COMPATIBLE_API_KEY]');

    // A recording made before keys were redacted (or by another tool): its replay's files leave the key out too.
    const leaky = join(folder, 'leaky.jsonl');
    writeFileSync(leaky, `${JSON.stringify({ ...echoing, task: `${echoing.task} (key ${key})` })}\n`);
    const results = join(folder, 'echo.json');
    const report = join(folder, 'echo.html');
    const replay = await runDsp(['bench', '--traces', leaky, '--policies', 'fixed:2', '--out', results, '--report', report, '--quiet'], captureIo(env));
    expect(replay.code, replay.stderr).toBe(0);
    expect(readFileSync(results, 'utf8')).toContain('[redacted DSP_OPENAI_COMPATIBLE_API_KEY]');
    expect(readFileSync(results, 'utf8')).not.toContain(key);
    expect(readFileSync(report, 'utf8')).not.toContain(key);
    const rendered = join(folder, 'rendered.html');
    expect((await runDsp(['report', results, '--out', rendered, '--quiet'], captureIo(env))).code).toBe(0);
    expect(readFileSync(rendered, 'utf8')).not.toContain(key);
  });

  it('refuses credentials in a URL without echoing them', async () => {
    const refused = await runDsp(['run', '--tasks', '1', '--approx', 'openai-compatible:a@http://me:pa55word@127.0.0.1:9/v1', '--target', 'openai-compatible:t@http://127.0.0.1:9/v1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'dsp: --approx: "openai-compatible:a@http://***@127.0.0.1:9/v1": do not put credentials in the URL; set DSP_OPENAI_COMPATIBLE_API_KEY instead\n',
    );
  });
});

describe('a run id', () => {
  it('differs between two runs started in the same millisecond', () => {
    const now = new Date('2025-01-01T12:00:00.123Z');
    expect(newRunId(now)).toMatch(/^run-20250101T120000\.123Z-[0-9a-f]{6}$/);
    expect(new Set(Array.from({ length: 20 }, () => newRunId(now))).size).toBe(20);
  });
});
