/**
 * Hand-computed cases of the engine with an environment: steps are actions plus observations, committed actions
 * are executed on the committed state, and the ledger holds `tool` records. Every figure is worked out in the
 * comments. Agents take a fixed time per call; the environment's tools take a fixed time per tool.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import type { EffectClass, Environment, StateStore, Step } from '../core/environment.js';
import type { KPolicy } from '../core/policy.js';
import type { Action, Agent, TaskResult } from '../core/types.js';
import { isTargetCallError, isTaskInterruptedError, type TaskInterruptedError } from '../core/errors.js';
import { fixedPolicy, sequentialPolicy } from '../policies/basic.js';
import { runTask } from './run-task.js';

function text(action: Action): string {
  return typeof action === 'string' ? action : JSON.stringify(action);
}

/** An action of these tests: `tool:input`, or `END`. */
function toolOf(action: Action): string {
  return text(action).split(':')[0]!;
}

interface ToolSpec {
  effect: EffectClass;
  latencyMs: number;
  /** The observation, from the input and the state (which it may write). Throws to fail. */
  run: (input: string, state: StateStore) => unknown;
}

interface Executions {
  /** Every execution started: `tool:input@speculative|true`. */
  started: string[];
  /** Executions that ran to completion. */
  finished: string[];
  /** Executions aborted through their signal. */
  aborted: string[];
}

function environment(clock: VirtualClock, tools: Record<string, ToolSpec>, log: Executions): Environment {
  return {
    effectOf: (action) => (action === 'END' ? null : (tools[toolOf(action)]?.effect ?? 'irreversible')),
    execute: async (action, { signal, state, speculative }) => {
      const name = toolOf(action);
      const label = `${text(action)}@${speculative ? 'speculative' : 'true'}`;
      log.started.push(label);
      const tool = tools[name]!;
      try {
        await clock.sleep(tool.latencyMs, signal);
      } catch (error) {
        log.aborted.push(label);
        throw error;
      }
      log.finished.push(label);
      return tool.run(text(action).slice(name.length + 1), state);
    },
  };
}

/** An agent that answers `script(trajectory)` after `latencyMs`. */
function scripted(clock: VirtualClock, latencyMs: number, script: (trajectory: readonly Step[]) => Action): Agent {
  return async (context, { signal }) => {
    await clock.sleep(latencyMs, signal);
    return { action: script(context.trajectory ?? []), usage: { inputTokens: 10, outputTokens: 1 } };
  };
}

async function run(options: {
  clock: VirtualClock;
  approx: Agent;
  target: Agent;
  environment: Environment;
  policy: KPolicy;
  initialState?: Array<[string, unknown]>;
}): Promise<TaskResult> {
  return options.clock.run(() =>
    runTask({
      task: { id: 'tools', text: 'a task with tools' },
      approx: options.approx,
      target: options.target,
      policy: options.policy,
      clock: options.clock,
      environment: options.environment,
      isTerminal: (action) => action === 'END',
      maxSteps: 10,
      ...(options.initialState === undefined ? {} : { initialState: options.initialState }),
    }),
  );
}

function toolRows(result: TaskResult): string[] {
  return (result.toolRecords ?? []).map(
    (record) => `${text(record.action)} s${record.step} r${record.round} ${record.prefix} ${record.status} [${record.startMs},${record.endMs}]`,
  );
}

describe('runTask with an environment', () => {
  it('commits each action with its observation; agents see the observations; an irreversible guess stops the round', async () => {
    // T reads the last observation: after `search:x` returned "3 hits" it sends them, then ends.
    const targetScript = (trajectory: readonly Step[]): Action => {
      if (trajectory.length === 0) return 'search:x';
      if (trajectory.length === 1) return `send:${String(trajectory[0]!.observation)}`;
      return 'END';
    };
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    const tools: Record<string, ToolSpec> = {
      search: { effect: 'irreversible', latencyMs: 5, run: () => '3 hits' },
      send: { effect: 'irreversible', latencyMs: 5, run: (input) => `sent ${input}` },
    };
    // k = 3, A (2 ms) always right, T 10 ms, tools 5 ms, every tool irreversible:
    // Round 0: T1 [0,10], A1 → search:x at 2: irreversible, the round stops there. T1 = search:x at 10 confirms it;
    //   search runs on the true prefix [10,15]. Round 1 at 15: T2 [15,25], A2 → send:3 hits at 17, stops;
    //   T2 confirms at 25; send runs [25,30]. Round 2 at 30: T3 [30,40], A3 → END at 32; T3 = END at 40.
    const result = await run({
      clock,
      approx: scripted(clock, 2, targetScript),
      target: scripted(clock, 10, targetScript),
      environment: environment(clock, tools, log),
      policy: fixedPolicy(3),
    });
    expect(result.plan).toEqual(['search:x', 'send:3 hits', 'END']);
    expect(result.trajectory).toEqual([
      { action: 'search:x', observation: '3 hits' },
      { action: 'send:3 hits', observation: 'sent 3 hits' },
      { action: 'END' },
    ]);
    expect(toolRows(result)).toEqual(['search:x s1 r0 true committed [10,15]', 'send:3 hits s2 r1 true committed [25,30]']);
    expect(log.started).toEqual(['search:x@true', 'send:3 hits@true']);
    expect(result.rounds.map((round) => [round.k, round.end, round.stoppedAfter, round.stoppedBy, round.endMs])).toEqual([
      [3, 'exhausted', 1, 'irreversible', 15],
      [3, 'exhausted', 1, 'irreversible', 30],
      [3, 'terminal', undefined, undefined, 40],
    ]);
    // Sequential: three T calls (30 ms) and two tools (10 ms).
    expect(result.metrics.latencyMs).toBe(40);
    expect(result.metrics.sequentialLatencyMs).toBe(40);
  });

  it('a tool that throws is an observation of failure that the agents see; the task goes on', async () => {
    const targetScript = (trajectory: readonly Step[]): Action => {
      if (trajectory.length === 0) return 'fetch:page';
      return trajectory[0]!.error === undefined ? 'fetch:again' : 'END';
    };
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    const tools: Record<string, ToolSpec> = {
      fetch: {
        effect: 'irreversible',
        latencyMs: 3,
        run: () => {
          throw new Error('HTTP 503');
        },
      },
    };
    const result = await run({
      clock,
      approx: scripted(clock, 1, targetScript),
      target: scripted(clock, 4, targetScript),
      environment: environment(clock, tools, log),
      policy: sequentialPolicy(),
    });
    expect(result.trajectory).toEqual([{ action: 'fetch:page', error: 'HTTP 503' }, { action: 'END' }]);
    expect(result.toolRecords?.[0]).toMatchObject({ status: 'committed', error: 'HTTP 503', effect: 'irreversible' });
    // T 4 + fetch 3 + T 4.
    expect(result.metrics.latencyMs).toBe(11);
  });

  it('reports no trajectory, tool records or state without an environment', async () => {
    const clock = new VirtualClock();
    const script = (trajectory: readonly Step[]): Action => (trajectory.length === 1 ? 'END' : 'plan');
    const result = await clock.run(() =>
      runTask({
        task: { id: 'plain', text: 'plain' },
        approx: scripted(clock, 1, script),
        target: scripted(clock, 2, script),
        policy: fixedPolicy(2),
        clock,
        isTerminal: (action) => action === 'END',
      }),
    );
    expect(result.plan).toEqual(['plan', 'END']);
    expect(result.trajectory).toBeUndefined();
    expect(result.toolRecords).toBeUndefined();
    expect(result.state).toBeUndefined();
  });

  it('runs pure and sandboxed guesses ahead of T and reuses their results; the irreversible call runs once, confirmed', async () => {
    // search (pure, 5 ms) → note (sandboxed, 4 ms: writes the notes) → send (irreversible, 3 ms) → END.
    const script = (trajectory: readonly Step[]): Action =>
      ['search:x', `note:${String(trajectory[0]?.observation)}`, 'send:notes', 'END'][trajectory.length]!;
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    const tools: Record<string, ToolSpec> = {
      search: { effect: 'pure', latencyMs: 5, run: (input) => `hits for ${input}` },
      note: {
        effect: 'sandboxed',
        latencyMs: 4,
        run: (input, state) => {
          state.set('notes', input);
          return 'noted';
        },
      },
      send: { effect: 'irreversible', latencyMs: 3, run: (_input, state) => `sent ${String(state.get('notes'))}` },
    };
    // fixed:4, A (2 ms) always right, T 10 ms:
    // Round 0: T1 [0,10]; A1 → search:x at 2, run at once [2,7]; at 7 A2 and T2 start on it; A2 → note at 9, run on a
    //   fork [9,13]; T1 confirms search at 10; at 13 A3 and T3 start; A3 → send at 15: irreversible, the round stops.
    //   T2 confirms note at 17, T3 confirms send at 23: send runs now on the committed state [23,26].
    // Round 1 at 26: T4 [26,36], A4 → END at 28; T4 = END at 36.
    const result = await run({
      clock,
      approx: scripted(clock, 2, script),
      target: scripted(clock, 10, script),
      environment: environment(clock, tools, log),
      policy: fixedPolicy(4),
      initialState: [['owner', 'ada']],
    });
    expect(result.trajectory).toEqual([
      { action: 'search:x', observation: 'hits for x' },
      { action: 'note:hits for x', observation: 'noted' },
      { action: 'send:notes', observation: 'sent hits for x' },
      { action: 'END' },
    ]);
    expect(toolRows(result)).toEqual([
      'search:x s1 r0 speculative committed [2,7]',
      'note:hits for x s2 r0 speculative committed [9,13]',
      'send:notes s3 r0 true committed [23,26]',
    ]);
    expect(log.started.filter((label) => label.startsWith('send'))).toEqual(['send:notes@true']);
    expect(result.state).toEqual(new Map<string, unknown>([['owner', 'ada'], ['notes', 'hits for x']]));
    expect(result.rounds.map((round) => [round.end, round.stoppedAfter, round.stoppedBy, round.endMs])).toEqual([
      ['exhausted', 3, 'irreversible', 26],
      ['terminal', undefined, undefined, 36],
    ]);
    // Sequential: 4 T calls and the three tools, 40 + 12 ms.
    expect(result.metrics.latencyMs).toBe(36);
    expect(result.metrics.sequentialLatencyMs).toBe(52);
  });

  it('drops the fork of a wrong sandboxed guess: no later observation and not the final state sees its write', async () => {
    const tools: Record<string, ToolSpec> = {
      search: { effect: 'pure', latencyMs: 5, run: (input) => `hits for ${input}` },
      note: {
        effect: 'sandboxed',
        latencyMs: 4,
        run: (input, state) => {
          state.set('notes', input);
          return 'noted';
        },
      },
      read: { effect: 'pure', latencyMs: 1, run: (_input, state) => String(state.get('notes')) },
    };
    const targetScript = (trajectory: readonly Step[]): Action => ['search:x', 'note:right', 'read:notes', 'END'][trajectory.length]!;
    const approxScript = (trajectory: readonly Step[]): Action => ['search:x', 'note:wrong', 'read:notes', 'END'][trajectory.length]!;
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    // fixed:3. Round 0: T1 [0,10]; A1 → search:x at 2, run [2,7]; A2, T2 at 7; A2 → note:wrong at 9, run on a fork
    //   [9,13]; T1 confirms search at 10; A3, T3 at 13 on the wrong note; A3 → read at 15, run on the wrong fork
    //   [15,16] (it reads "wrong"). T2 = note:right at 17: mismatch. T3 is cancelled; note:right runs on the committed
    //   state [17,21]. Round 1 at 21: T3' [21,31]; A3' → read at 23, run on the new state [23,24] (no memo hit: another
    //   version); A4, T4 at 24; A4 → END at 26; T3' confirms read at 31, T4 = END at 34.
    const result = await run({
      clock,
      approx: scripted(clock, 2, approxScript),
      target: scripted(clock, 10, targetScript),
      environment: environment(clock, tools, log),
      policy: fixedPolicy(3),
    });
    expect(result.trajectory).toEqual([
      { action: 'search:x', observation: 'hits for x' },
      { action: 'note:right', observation: 'noted' },
      { action: 'read:notes', observation: 'right' },
      { action: 'END' },
    ]);
    expect(result.state).toEqual(new Map([['notes', 'right']]));
    expect(toolRows(result)).toEqual([
      'search:x s1 r0 speculative committed [2,7]',
      'note:wrong s2 r0 speculative discarded [9,13]',
      'read:notes s3 r0 speculative discarded [15,16]',
      'note:right s2 r0 true committed [17,21]',
      'read:notes s3 r1 speculative committed [23,24]',
    ]);
    expect(result.records.filter((record) => record.status === 'cancelled').map((record) => `${record.role}${record.step}`)).toEqual([
      'target3',
    ]);
    expect(result.metrics.latencyMs).toBe(34);
    expect(result.metrics.sequentialLatencyMs).toBe(50);
  });

  it("serves T's step from a pure result A's later guess started, and cancels a running sandboxed guess", async () => {
    const tools: Record<string, ToolSpec> = {
      search: { effect: 'pure', latencyMs: 5, run: (input) => `hits for ${input}` },
      draft: { effect: 'sandboxed', latencyMs: 20, run: (input, state) => state.set('draft', input) && 'drafted' },
    };
    const targetScript = (trajectory: readonly Step[]): Action => ['search:b', 'END'][trajectory.length]!;
    const approxGuesses: Record<string, string> = { '': 'search:a', 'search:a': 'search:b', 'search:a>search:b': 'draft:z' };
    const approxScript = (trajectory: readonly Step[]): Action =>
      approxGuesses[trajectory.map((step) => text(step.action)).join('>')] ?? 'END';
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    // fixed:3. Round 0: T1 [0,10]; A1 → search:a at 2, run [2,7]; at 7 A2, T2; A2 → search:b at 9 on the same state
    //   (search is pure), run [9,14]; at 14 A3, T3; ... but T1 = search:b at 10 ≠ search:a: mismatch. T's step 1 takes
    //   the running search:b (same call, same state version) and waits for it until 14; nothing else is started.
    // Round 1 at 14: T2' [14,24], A2' → END at 16 (terminal); T2' = END at 24.
    const result = await run({
      clock,
      approx: scripted(clock, 2, approxScript),
      target: scripted(clock, 10, targetScript),
      environment: environment(clock, tools, log),
      policy: fixedPolicy(3),
    });
    expect(result.trajectory).toEqual([{ action: 'search:b', observation: 'hits for b' }, { action: 'END' }]);
    expect(toolRows(result)).toEqual(['search:a s1 r0 speculative discarded [2,7]', 'search:b s2 r0 speculative committed [9,14]']);
    expect(result.toolRecords![1]!.committedStep).toBe(1);
    expect(log.started.filter((label) => label.startsWith('search:b'))).toHaveLength(1);
    expect(result.metrics.latencyMs).toBe(24);
    expect(result.metrics.sequentialLatencyMs).toBe(25);

    // The same A, but T goes on after search:a with something else while A's sandboxed draft is running.
    const clock2 = new VirtualClock();
    const log2: Executions = { started: [], finished: [], aborted: [] };
    // Round 0: A1 → search:a at 2 [2,7]; A2 → search:b at 9 [9,14]; at 14 A3, T3; A3 → draft:z at 16, run [16,36];
    //   T1 = search:a at 10, T2 = search:c at 17 ≠ search:b: mismatch; the running draft is aborted at 17.
    const target2 = (trajectory: readonly Step[]): Action => ['search:a', 'search:c', 'END'][trajectory.length]!;
    const result2 = await run({
      clock: clock2,
      approx: scripted(clock2, 2, approxScript),
      target: scripted(clock2, 10, target2),
      environment: environment(clock2, tools, log2),
      policy: fixedPolicy(3),
    });
    expect(result2.plan).toEqual(['search:a', 'search:c', 'END']);
    expect(log2.aborted).toEqual(['draft:z@speculative']);
    expect(toolRows(result2)).toContain('draft:z s3 r0 speculative cancelled [16,17]');
    expect(result2.state).toEqual(new Map());
  });

  it('a pure tool that writes the state fails with an observation that says so', async () => {
    const tools: Record<string, ToolSpec> = {
      peek: { effect: 'pure', latencyMs: 1, run: (_input, state) => state.set('x', 1) },
    };
    const script = (trajectory: readonly Step[]): Action => ['peek:x', 'END'][trajectory.length]!;
    const clock = new VirtualClock();
    const result = await run({
      clock,
      approx: scripted(clock, 1, script),
      target: scripted(clock, 2, script),
      environment: environment(clock, tools, { started: [], finished: [], aborted: [] }),
      policy: fixedPolicy(2),
    });
    expect(result.trajectory?.[0]?.error).toMatch(/cannot be written: the tool is declared pure/);
    expect(result.state).toEqual(new Map());
  });

  it('aborts every running execution when the task fails', async () => {
    const tools: Record<string, ToolSpec> = {
      slow: { effect: 'pure', latencyMs: 50, run: () => 'done' },
    };
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    const target: Agent = async (_context, { signal }) => {
      await clock.sleep(10, signal);
      throw new Error('provider down');
    };
    const failure = await run({
      clock,
      approx: scripted(clock, 1, () => 'slow:x'),
      target,
      environment: environment(clock, tools, log),
      policy: fixedPolicy(2),
    }).catch((error: unknown) => error);
    expect(isTargetCallError(failure)).toBe(true);
    expect(log.started).toEqual(['slow:x@speculative']);
    expect(log.aborted).toEqual(['slow:x@speculative']);
  });

  it('stops on its signal: every call and execution in flight is aborted, and the task rejects with the reason and its records', async () => {
    const tools: Record<string, ToolSpec> = { slow: { effect: 'sandboxed', latencyMs: 50, run: () => 'done' } };
    const clock = new VirtualClock();
    const log: Executions = { started: [], finished: [], aborted: [] };
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    let active = 0;
    const counted = (agent: Agent): Agent => async (context, options) => {
      active += 1;
      try {
        return await agent(context, options);
      } finally {
        active -= 1;
      }
    };
    // A guesses slow:x at 1 and it starts; T is still thinking when the task is stopped at 5.
    const stopping = clock.run(async () => {
      const task = runTask({
        task: { id: 'stop', text: 'stop' },
        approx: counted(scripted(clock, 1, () => 'slow:x')),
        target: counted(scripted(clock, 20, () => 'slow:x')),
        policy: fixedPolicy(3),
        clock,
        environment: environment(clock, tools, log),
        isTerminal: (action) => action === 'END',
        signal: controller.signal,
      });
      await clock.sleep(5);
      controller.abort(reason);
      return task;
    });
    const error = (await stopping.catch((failure: unknown) => failure)) as TaskInterruptedError;
    expect(isTaskInterruptedError(error) && error.reason).toBe(reason);
    // The aborted execution is in the task's tool records, as its calls are in its call records.
    expect(error.toolRecords.map((record) => [record.action, record.prefix, record.status, record.endMs])).toEqual([['slow:x', 'speculative', 'cancelled', 5]]);
    // T1 was cancelled in flight; A's guess had come back (the next pair waited for its execution).
    expect(error.records.map((record) => [record.role, record.step, record.status])).toEqual([
      ['target', 1, 'cancelled'],
      ['approx', 1, 'discarded'],
    ]);
    expect(log.started).toEqual(['slow:x@speculative']);
    expect(log.aborted).toEqual(['slow:x@speculative']);
    expect(active).toBe(0);
  });
});
