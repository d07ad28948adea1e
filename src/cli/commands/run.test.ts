import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDsp } from '../../../test/fixtures/cli/spawn-dsp.js';
import { type ReplayServer, startReplayServer } from '../../server/replay-server.js';
import { loadTraces, parseTraces } from '../../traces/format.js';
import type { Trace } from '../../traces/schema.js';
import { looksLikeTraceFile, resolveRunTasks } from './run.js';

const fixturePath = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const directory = mkdtempSync(join(tmpdir(), 'dsp-run-'));

describe('the tasks of dsp run', () => {
  it('come from --tasks, a task list, or the distinct tasks of a trace file', () => {
    expect(resolveRunTasks({ suite: 'openagi', tasks: '1-3' }).map((task) => task.id)).toEqual(['task-1', 'task-2', 'task-3']);
    const list = join(directory, 'tasks.txt');
    writeFileSync(list, 'Given blurry image, how to return the regular image step by step?\nPlan a picnic.\n');
    expect(resolveRunTasks({ suite: 'openagi', tasksFrom: list })).toEqual([
      { id: 'task-11', text: 'Given blurry image, how to return the regular image step by step?' },
      { id: 'line-2', text: 'Plan a picnic.' },
    ]);
    const traces = readFileSync(fixturePath, 'utf8');
    const twice = join(directory, 'twice.jsonl');
    writeFileSync(twice, `${traces}${traces.replace(/run-1/g, 'run-2')}`);
    expect(resolveRunTasks({ suite: 'openagi', tasksFrom: twice }).map((task) => task.id)).toEqual(['task-11', 'task-3', 'task-15', 'task-106']);
    expect(looksLikeTraceFile('\n  {"format": 1}')).toBe(true);
    expect(looksLikeTraceFile('Given a cat')).toBe(false);
  });

  it('must be given one way only', () => {
    expect(() => resolveRunTasks({ suite: 'openagi' })).toThrow('give exactly one of --tasks (e.g. 1-20) and --tasks-from FILE');
    expect(() => resolveRunTasks({ suite: 'openagi', tasks: '1', tasksFrom: fixturePath })).toThrow(/exactly one/);
    expect(() => resolveRunTasks({ suite: 'openagi', tasksFrom: join(directory, 'none.txt') })).toThrow(/none\.txt: no such file/);
  });
});

describe('dsp run in a process', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    // 4× faster than recorded: a task takes one to four seconds, so Ctrl-C lands in the middle of the suite.
    server = await startReplayServer({ traces: loadTraces(fixturePath), speed: 4 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('stops at Ctrl-C, cancels the calls in flight, and leaves a valid truncated recording', async () => {
    const recordPath = join(directory, 'interrupted.jsonl');
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      fixturePath,
      '--approx',
      `openai-compatible:approx@${server.url}`,
      '--target',
      `openai-compatible:target@${server.url}`,
      '--policy',
      'fixed:2',
      '--record',
      recordPath,
    ]);
    try {
      await dsp.waitForOutput((stdout) => stdout.includes('[1/4]'));
      const abortedBefore = server.stats().aborted;
      dsp.child.kill('SIGINT');
      expect(await dsp.exited).toBe(130);
      const finished = Number(/Summary \(interrupted\): (\d) of 4 tasks/.exec(dsp.stdout())?.[1]);
      expect(finished).toBeGreaterThanOrEqual(1);
      expect(finished).toBeLessThan(4);
      expect(dsp.stderr()).toContain('dsp run: stopping');
      expect(dsp.stderr()).toContain('dsp: the run was interrupted');
      expect(existsSync(recordPath)).toBe(true);
      const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
      expect(recorded).toHaveLength(finished);
      expect(server.stats().aborted).toBeGreaterThan(abortedBefore);
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});

describe('dsp run with a failing task, in a process', () => {
  // Task task-3's target reply at step 2 names no action: that task fails, the three others finish.
  const traces: Trace[] = loadTraces(fixturePath).map((trace) =>
    trace.id !== 'openagi-mini/task-3/run-1'
      ? trace
      : { ...trace, steps: trace.steps.map((step, index) => (index === 1 ? { target: { ...step.target, action: { unparsed: 'Hard to say.' } } } : step)) },
  );
  const tracesPath = join(directory, 'one-failing.jsonl');
  let server: ReplayServer;
  beforeAll(async () => {
    writeFileSync(tracesPath, traces.map((trace) => `${JSON.stringify(trace)}\n`).join(''));
    server = await startReplayServer({ traces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports the failed task on stderr, finishes the others, and exits with 1', async () => {
    const recordPath = join(directory, 'one-failing-recorded.jsonl');
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      tracesPath,
      '--approx',
      `openai-compatible:approx@${server.url}`,
      '--target',
      `openai-compatible:target@${server.url}`,
      '--policy',
      'fixed:2',
      '--record',
      recordPath,
    ]);
    try {
      expect(await dsp.exited).toBe(1);
      const stdout = dsp.stdout();
      expect(stdout).toMatch(/^\[1\/4\] task-11 · /m);
      expect(stdout).not.toContain('[2/4]');
      expect(stdout).toMatch(/^\[3\/4\] task-15 · /m);
      expect(stdout).toMatch(/^\[4\/4\] task-106 · /m);
      expect(stdout).toContain('Summary: 3 of 4 tasks finished, 1 failed, policy fixed:2');
      expect(stdout).toContain('recorded       3 traces appended to');
      const stderr = dsp.stderr().split('\n');
      expect(stderr).toContain(
        'dsp: task task-3 failed at step 2: no parsable action in the reply (model target, step 2): ' +
          'no <tool>…</tool> tag and no bold **action name**; the reply was "Hard to say."',
      );
      expect(stderr).toContain('dsp: 1 of 4 tasks failed');
      const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
      expect(recorded.map((trace) => trace.steps.map((step) => step.target.action))).toEqual(
        [0, 2, 3].map((index) => traces[index]!.steps.map((step) => step.target.action)),
      );
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});
