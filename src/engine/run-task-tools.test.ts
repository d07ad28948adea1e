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
});
