import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDsp } from '../../../test/fixtures/cli/spawn-dsp.js';
import { type ReplayServer, startReplayServer } from '../../server/replay-server.js';
import { loadTraces, parseTraces } from '../../traces/format.js';
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
