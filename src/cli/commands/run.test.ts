import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../../test/fixtures/cli/captured-io.js';
import { spawnDsp } from '../../../test/fixtures/cli/spawn-dsp.js';
import { type ReplayServer, startReplayServer } from '../../server/replay-server.js';
import { loadTraces, parseTraces } from '../../traces/format.js';
import type { Trace } from '../../traces/schema.js';
import { looksLikeTraceFile, resolveRunOptions, resolveRunSuite, resolveRunTasks, runCommandAction } from './run.js';
import { servedModelArgs, servedPrices } from '../../../test/fixtures/serve/served-run.js';
import { startFaultProxy, type FaultProxy } from '../../../test/fixtures/serve/fault-proxy.js';

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

  it('refuse a JSON array of traces, rather than run each of its lines as a task', () => {
    const traces = readFileSync(fixturePath, 'utf8').trim().split('\n');
    const pretty = join(directory, 'pretty.json');
    writeFileSync(pretty, `[\n  ${traces.join(',\n  ')}\n]\n`);
    expect(() => resolveRunTasks({ suite: 'openagi', tasksFrom: pretty })).toThrow(`${pretty}: line 1: a JSON array; expected one JSON object per line`);
    const compact = join(directory, 'compact.json');
    writeFileSync(compact, `[${traces.join(',')}]`);
    expect(() => resolveRunTasks({ suite: 'openagi', tasksFrom: compact })).toThrow(`${compact}: line 1: a JSON array`);
    expect(looksLikeTraceFile('[draft] Plan a picnic.')).toBe(false);
  });

  it('keep the order given, in one list or several', () => {
    const ids = (tasks: string | string[]): string[] => resolveRunTasks({ suite: 'openagi', tasks }).map((task) => task.id);
    expect(ids('16,3,11')).toEqual(['task-16', 'task-3', 'task-11']);
    expect(ids(['16', '3,11', '3'])).toEqual(['task-16', 'task-3', 'task-11']);
  });

  it('must be given one way only', () => {
    expect(() => resolveRunTasks({ suite: 'openagi' })).toThrow(/^give exactly one of --tasks \(e\.g\. 1-20\) and --tasks-from FILE$/);
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
      ...servedModelArgs(server.url),
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

describe('dsp run stopped in the middle of a task', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  const captured = captureIo();
  beforeAll(async () => {
    server = await startReplayServer({ traces: loadTraces(fixturePath), speed: 20 });
    // T's first request for step 2 of the first task never gets an answer: Ctrl-C arrives as it is sent.
    proxy = await startFaultProxy({
      upstream: server.url,
      always: (body) => {
        if (body.model !== 'target' || !body.lastMessage.includes('Step: 2')) return undefined;
        captured.interrupt();
        return 'hang';
      },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('counts what the task cut off spent in its summary', async () => {
    const pricesPath = join(directory, 'served-prices.json');
    writeFileSync(pricesPath, JSON.stringify(servedPrices));
    const args = ['run', '--tasks-from', fixturePath, ...servedModelArgs(proxy.url), '--policy', 'sequential', '--prices', pricesPath];
    const result = await runDsp(args, captured);
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Summary (interrupted): 0 of 4 tasks, policy sequential');
    // Its first step was committed (a thought and an action of T, billed as reported) and its second cancelled in
    // flight (billed its prompt, estimated): spent, though no task finished.
    const spent = /^ {2}interrupted {4}\$(\d+\.\d+) spent by the task cut off \(not in the cost per task above\)$/m.exec(result.stdout);
    expect(spent, result.stdout).not.toBeNull();
    expect(Number(spent![1])).toBeGreaterThan(0);
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
      ...servedModelArgs(server.url),
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

const unreachable = 'openai-compatible:m@http://127.0.0.1:1/v1';

describe('dsp run --env travelplanner', () => {
  const examplePath = join(import.meta.dirname, '..', '..', '..', 'data', 'examples', 'travelplanner-mini.jsonl');
  const io = { env: {}, signal: new AbortController().signal };
  const models = { approx: 'openai-compatible:a@http://127.0.0.1:1/v1', target: 'openai-compatible:t@http://127.0.0.1:1/v1' };

  it('refuses a --call-timeout-ms too long for a timer, which would time out every request at once', () => {
    expect(() => resolveRunOptions({ tasks: '1', callTimeoutMs: 99_999_999_999, ...models }, io)).toThrow(
      '--call-timeout-ms: expected a whole number from 1 to 2147483647, got "99999999999"',
    );
  });

  it("plans TravelPlanner's queries with its environment, its ReAct agents and its step limit", () => {
    const resolved = resolveRunOptions({ env: 'travelplanner', tasksFrom: examplePath, ...models }, io);
    expect(resolved.suite).toBe('travelplanner');
    expect(resolved.environment?.name).toBe('travelplanner');
    expect([resolved.approx.strategy, resolved.target.strategy, resolved.maxSteps]).toEqual(['direct', 'react', 30]);
    expect(resolved.tasks.map((task) => task.id)).toEqual(loadTraces(examplePath).map((trace) => trace.id));
    expect(resolveRunOptions({ suite: 'travelplanner-react', tasksFrom: examplePath, maxSteps: 12, ...models }, io)).toMatchObject({
      suite: 'travelplanner-react',
      maxSteps: 12,
    });
    // OpenAGI keeps its own defaults, and no environment.
    const openagi = resolveRunOptions({ tasks: '1', ...models }, io);
    expect([openagi.suite, openagi.environment, openagi.maxSteps]).toEqual(['openagi', undefined, 12]);
  });

  it('refuses what does not fit TravelPlanner, naming the option', () => {
    expect(() => resolveRunTasks({ env: 'travelplanner', tasks: '1-3' })).toThrow("--tasks: --tasks numbers OpenAGI's standard tasks");
    expect(() => resolveRunTasks({ env: 'travelplanner', suite: 'openagi-react', tasksFrom: examplePath })).toThrow(
      '--env: --suite openagi-react plans in openagi, not in travelplanner',
    );
    expect(() => resolveRunTasks({ env: 'webshop', tasksFrom: examplePath })).toThrow('--env: unknown environment "webshop"; valid: openagi, travelplanner');
    expect(() => resolveRunOptions({ env: 'travelplanner', tasksFrom: examplePath, targetStrategy: 'debate', ...models }, io)).toThrow(
      '--target-strategy: "debate" is not a TravelPlanner strategy',
    );
    // No --target-strategy given: the suite's name asked for a strategy TravelPlanner has no agent for.
    expect(() => resolveRunOptions({ suite: 'travelplanner-cot', tasksFrom: examplePath, ...models }, io)).toThrow(
      '--suite: travelplanner has no "cot" agent, so no suite "travelplanner-cot"; valid suites: openagi, openagi-react, openagi-cot, openagi-mad, travelplanner, travelplanner-react',
    );
  });
});

describe('the suite and the defaults of dsp run', () => {
  it('takes the suite names of dsp bench, each with the target strategy of that suite, or the environment alone', () => {
    expect(resolveRunSuite('openagi')).toEqual({ name: 'openagi', environment: 'openagi', targetStrategy: undefined });
    expect(resolveRunSuite('openagi-react').targetStrategy).toBe('react');
    expect(resolveRunSuite('openagi-cot').targetStrategy).toBe('cot');
    expect(resolveRunSuite('openagi-mad').targetStrategy).toBe('debate');
    expect(() => resolveRunSuite('synthetic')).toThrow(
      '--suite: the synthetic suite is generated for replay and has no tasks to plan live; valid suites: openagi, openagi-react, openagi-cot, openagi-mad',
    );
    expect(() => resolveRunSuite('openagi-tot')).toThrow('--suite: unknown suite "openagi-tot"; valid suites: openagi, ');
  });

  it('plans with the learned policy and the suite\'s target strategy unless told otherwise', async () => {
    // Stopped before the first task: the summary says what would have run.
    const captured = captureIo();
    captured.interrupt();
    const stopped = await runDsp(['run', '--suite', 'openagi-mad', '--tasks', '1', '--approx', unreachable, '--target', unreachable], captured);
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain('Summary (interrupted): 0 of 1 tasks, policy dsp\n');
    expect(stopped.stdout).toContain(`approx ${unreachable} (direct), target ${unreachable} (debate)`);

    const contradiction = await runDsp(['run', '--suite', 'openagi-cot', '--target-strategy', 'react', '--tasks', '1', '--approx', unreachable, '--target', unreachable]);
    expect(contradiction).toMatchObject({
      code: 2,
      stderr: 'dsp: --target-strategy: "react" contradicts --suite openagi-cot, whose target plans with cot; drop one of the two (--suite openagi takes any target strategy)\n',
    });
  });

  it('refuses a policy that names a k above --k-max, rather than run it under a false name', async () => {
    const run = (policy: string) => runDsp(['run', '--tasks', '1', '--approx', unreachable, '--target', unreachable, '--policy', policy, '--k-max', '3']);
    expect(await run('fixed:6')).toMatchObject({
      code: 2,
      stderr: 'dsp: --policy: fixed:6 asks for k = 6, above --k-max 3: it would run as fixed:3 under the name fixed:6; give fixed:3 or less, or raise --k-max to 6\n',
    });
    expect((await run('dsp:kmax=5')).stderr).toBe(
      'dsp: --policy: dsp:kmax=5 asks for kmax=5, above --k-max 3: it would run as kmax=3 under the name dsp:kmax=5; give kmax=3 or less, or raise --k-max to 5\n',
    );
  });
});

describe('dsp run with a failing approximation model', () => {
  const key = 'sk-test-0123456789';
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces: loadTraces(fixturePath), speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  /** The real `fetch`, except that every request for model `approx` is refused as a bad key, which the reply echoes. */
  const refusingApprox: typeof fetch = async (input, init) => {
    const { model } = JSON.parse(init?.body as string) as { model: string };
    if (model !== 'approx') return fetch(input, init);
    const error = { error: { message: `Incorrect API key provided: ${key}`, type: 'invalid_request_error' } };
    return new Response(JSON.stringify(error), { status: 401, headers: { 'content-type': 'application/json' } });
  };

  it('counts A\'s failures in every task line and the summary, and warns once, with the cause and no secret', async () => {
    const captured = captureIo({ DSP_OPENAI_COMPATIBLE_API_KEY: key });
    const approx = `openai-compatible:approx@${server.url}`;
    const target = `openai-compatible:target@${server.url}`;
    const outcome = await runCommandAction({ suite: 'openagi', tasksFrom: fixturePath, approx, target, policy: 'fixed:4' }, captured.io, {
      fetch: refusingApprox,
    });
    // Lossless all the same: T planned alone.
    expect(outcome.results.map((result) => result.plan.length)).toEqual([2, 3, 7, 2]);
    // A was asked once: after its refusal every round ran with k = 0.
    const taskLines = captured.stdout().split('\n').filter((line) => line.startsWith('['));
    expect(taskLines.map((line) => /· A failed (\d+) of (\d+) calls?$/.exec(line)?.slice(1))).toEqual([['1', '1'], undefined, undefined, undefined]);
    expect(captured.stdout()).toContain(
      '  A failures     1 of 1 call of the approximation model failed, in 1 of 4 tasks; every A call failed in 1 task\n',
    );
    expect(captured.stdout()).toContain('  A refused      the provider refused the approximation model (HTTP 401) in task-11, so A was not asked again');
    expect(captured.stderr()).toBe(
      'warning: task-11: the only call of the approximation model failed, so nothing was speculated (the task ran as the ' +
        'target alone): call to model approx failed (HTTP 401): Incorrect API key provided: [redacted DSP_OPENAI_COMPATIBLE_API_KEY]. ' +
        "Said once; each task line and the summary count A's failures.\n",
    );
  });

  it('says nothing of A when none of its calls failed', async () => {
    const captured = captureIo();
    const approx = `openai-compatible:approx@${server.url}`;
    const target = `openai-compatible:target@${server.url}`;
    await runCommandAction({ suite: 'openagi', tasks: '11', approx, target, policy: 'fixed:2' }, captured.io);
    expect(captured.stdout()).not.toContain('A fail');
    expect(captured.stderr()).toBe('');
  });
});
