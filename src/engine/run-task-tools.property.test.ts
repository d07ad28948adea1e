/**
 * Property-based proof that speculation through tools is lossless and safe (docs/tools.md), over random stateful
 * environments mixing the three effect classes, random accuracies and latencies, and every policy. Agents and tools
 * are deterministic functions of what they see (the trajectory, the state), as real ones are meant to be, so a call
 * on a wrong branch really sees other observations and another state.
 *
 * Each run is checked against a plain sequential loop (T, then the tool, step after step) computed here.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalAction } from '../core/actions.js';
import type { EffectClass, Environment, StateStore, Step } from '../core/environment.js';
import type { KPolicy } from '../core/policy.js';
import type { Action, Agent, TaskResult } from '../core/types.js';
import { VirtualClock } from '../core/virtual-clock.js';
import { additivePolicy, fixedPolicy, oraclePolicy, sequentialPolicy } from '../policies/basic.js';
import { parsePolicySpec } from '../policies/registry.js';
import { createPolicy } from '../suite/create-policy.js';
import { replaySuite } from '../suite/replay-suite.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';
import { runTask } from './run-task.js';

const numRuns = Number(process.env.DSP_PROPERTY_RUNS ?? 1000);

/** An action or observation as text (the agents here only emit strings; tools return strings). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

function hash(input: string): number {
  let value = 2166136261;
  for (let index = 0; index < input.length; index += 1) {
    value = Math.imul(value ^ input.charCodeAt(index), 16777619) >>> 0;
  }
  return value;
}

/** A stored value: its content, and which execution wrote it (`init` for the initial state). */
interface Stored {
  v: string;
  by: string;
}

interface World {
  seed: number;
  effects: EffectClass[];
  inputs: number;
  planLength: number;
  accuracy: number;
  approxMaxMs: number;
  targetMaxMs: number;
  toolMaxMs: number;
  policyIndex: number;
  fixedK: number;
  maxSteps: number;
  initial: Array<string | null>;
}

const worldArbitrary: fc.Arbitrary<World> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  effects: fc.array(fc.constantFrom<EffectClass>('pure', 'sandboxed', 'irreversible'), { minLength: 1, maxLength: 5 }),
  inputs: fc.integer({ min: 1, max: 3 }),
  planLength: fc.integer({ min: 1, max: 10 }),
  // Weighted towards an accurate A, so that long runs of confirmed speculative executions are common.
  accuracy: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.8, max: 1, noNaN: true }), fc.constant(1)),
  approxMaxMs: fc.integer({ min: 0, max: 12 }),
  targetMaxMs: fc.integer({ min: 0, max: 12 }),
  toolMaxMs: fc.integer({ min: 0, max: 12 }),
  policyIndex: fc.integer({ min: 0, max: 5 }),
  fixedK: fc.integer({ min: 1, max: 8 }),
  maxSteps: fc.integer({ min: 1, max: 14 }),
  initial: fc.array(fc.option(fc.string({ maxLength: 3 })), { minLength: 3, maxLength: 3 }),
});

/** The world's tools: `t<i>:<input>` actions; `think` calls no tool; `END` ends the plan. */
function actionsOf(world: World): string[] {
  const actions = ['think'];
  world.effects.forEach((_effect, tool) => {
    for (let input = 0; input < world.inputs; input += 1) actions.push(`t${tool}:${input}`);
  });
  return actions;
}

function parseToolCall(action: Action): { tool: number; input: number } | undefined {
  const match = typeof action === 'string' ? /^t(\d+):(\d+)$/.exec(action) : null;
  return match === null ? undefined : { tool: Number(match[1]), input: Number(match[2]) };
}

function effectOf(world: World, action: Action): EffectClass | null {
  const call = parseToolCall(action);
  return call === undefined ? null : (world.effects[call.tool] ?? 'irreversible');
}

/** What a tool read and wrote, for the safety checks. */
interface Access {
  seen: string[];
  wrote?: string;
}

/**
 * The tools' behaviour, shared by the environment and the sequential reference: a deterministic function of the
 * action and the state. Pure tools read one key; sandboxed tools append to one key; irreversible tools bump a
 * counter and "send" (the environment's outbox). Some calls fail (a pure one before reading, a sandboxed one after
 * writing).
 */
function applyTool(world: World, action: Action, state: StateStore, nonce: string, access: Access): string {
  const call = parseToolCall(action)!;
  const effect = effectOf(world, action)!;
  const key = `k${(call.tool + call.input) % 3}`;
  if (effect === 'pure') {
    const stored = state.get(key) as Stored | undefined;
    if (stored !== undefined) access.seen.push(stored.by);
    const content = stored?.v ?? '-';
    if (hash(`fail|${world.seed}|${text(action)}|${content}`) % 11 === 0) throw new Error(`t${call.tool} failed on ${content}`);
    return `t${call.tool}(${call.input})<-${content}`;
  }
  if (effect === 'sandboxed') {
    const stored = state.get(key) as Stored | undefined;
    if (stored !== undefined) access.seen.push(stored.by);
    const content = `${stored?.v ?? ''}+${call.tool}.${call.input}`.slice(-24);
    state.set(key, { v: content, by: nonce } satisfies Stored);
    access.wrote = nonce;
    if (hash(`fail|${world.seed}|${text(action)}|${content}`) % 13 === 0) throw new Error(`t${call.tool} wrote, then failed`);
    return content;
  }
  const sent = state.get('sent') as Stored | undefined;
  if (sent !== undefined) access.seen.push(sent.by);
  const count = Number(sent?.v ?? '0') + 1;
  state.set('sent', { v: String(count), by: nonce } satisfies Stored);
  access.wrote = nonce;
  return `t${call.tool}(${call.input})#${count}`;
}

/** The contents of a state (values without their writers), sorted by key. */
function contents(entries: Iterable<[string, unknown]>): Array<[string, string]> {
  return [...entries].map(([key, value]): [string, string] => [key, (value as Stored).v]).sort(([a], [b]) => a.localeCompare(b));
}

function toolLatency(world: World, action: Action, state: StateStore): number {
  return hash(`tool|${world.seed}|${text(action)}|${JSON.stringify(contents(state.entries()))}`) % (world.toolMaxMs + 1);
}

function trajectoryKey(trajectory: readonly Step[]): string {
  return trajectory.map((step) => `${text(step.action)}=${text(step.observation ?? '')}!${step.error ?? ''}`).join('>');
}

function targetAction(world: World, trajectory: readonly Step[]): Action {
  if (trajectory.length + 1 >= world.planLength) return 'END';
  const actions = actionsOf(world);
  return actions[hash(`T|${world.seed}|${trajectoryKey(trajectory)}`) % actions.length]!;
}

function approxAction(world: World, trajectory: readonly Step[]): Action {
  const draw = (hash(`A|${world.seed}|${trajectoryKey(trajectory)}`) % 1000) / 1000;
  if (draw < world.accuracy) return targetAction(world, trajectory);
  const actions = [...actionsOf(world), 'END'];
  return actions[hash(`W|${world.seed}|${trajectoryKey(trajectory)}`) % actions.length]!;
}

function agentLatency(world: World, role: 'A' | 'T', trajectory: readonly Step[]): number {
  return hash(`${role}|${world.seed}|${trajectoryKey(trajectory)}`) % ((role === 'A' ? world.approxMaxMs : world.targetMaxMs) + 1);
}

/** The sequential reference's state: a plain `Map` is a `StateStore`. */
function mapStore(map: Map<string, unknown>): StateStore {
  return map;
}

function initialEntries(world: World): Array<[string, Stored]> {
  return world.initial.flatMap((value, index): Array<[string, Stored]> => (value === null ? [] : [[`k${index}`, { v: value, by: 'init' }]]));
}

interface Reference {
  trajectory: Step[];
  state: Array<[string, string]>;
  latencyMs: number;
}

/** T alone: T's action, then its tool on the state, step after step. */
function sequentialReference(world: World): Reference {
  const map = new Map<string, unknown>(initialEntries(world));
  const trajectory: Step[] = [];
  let latencyMs = 0;
  const steps = Math.min(world.maxSteps, 50);
  while (trajectory.length < steps) {
    latencyMs += agentLatency(world, 'T', trajectory);
    const action = targetAction(world, trajectory);
    if (effectOf(world, action) === null) {
      trajectory.push({ action });
    } else {
      latencyMs += toolLatency(world, action, mapStore(map));
      try {
        trajectory.push({ action, observation: applyTool(world, action, mapStore(map), 'reference', { seen: [] }) });
      } catch (error) {
        trajectory.push({ action, error: (error as Error).message });
      }
    }
    if (action === 'END') break;
  }
  return { trajectory, state: contents(map.entries()), latencyMs };
}

/** One environment call, in call order (the engine starts one execution per call, so call i is tool record i). */
interface ExecutionLog extends Access {
  nonce: string;
  action: Action;
  speculative: boolean;
  effect: EffectClass;
  aborted: boolean;
  finished: boolean;
}

interface Harness {
  approx: Agent;
  target: Agent;
  environment: Environment;
  executions: ExecutionLog[];
  outbox: string[];
  inFlight: () => number;
}

function makeHarness(world: World, clock: VirtualClock): Harness {
  let active = 0;
  const executions: ExecutionLog[] = [];
  const outbox: string[] = [];
  const agent =
    (role: 'A' | 'T', choose: (trajectory: readonly Step[]) => Action): Agent =>
    async (context, { signal }) => {
      const trajectory = context.trajectory ?? [];
      active += 1;
      try {
        await clock.sleep(agentLatency(world, role, trajectory), signal);
        return { action: choose(trajectory), usage: { inputTokens: 10 * context.step, outputTokens: 5 } };
      } finally {
        active -= 1;
      }
    };
  const environment: Environment = {
    effectOf: (action) => effectOf(world, action),
    execute: async (action, { signal, state, speculative }) => {
      const log: ExecutionLog = {
        nonce: `x${executions.length}`,
        action,
        speculative,
        effect: effectOf(world, action)!,
        seen: [],
        aborted: false,
        finished: false,
      };
      executions.push(log);
      active += 1;
      try {
        await clock.sleep(toolLatency(world, action, state), signal);
      } catch (error) {
        log.aborted = signal.aborted;
        throw error;
      } finally {
        active -= 1;
      }
      log.finished = true;
      const observation = applyTool(world, action, state, log.nonce, log);
      if (log.effect === 'irreversible') outbox.push(observation);
      return observation;
    },
  };
  return {
    approx: agent('A', (trajectory) => approxAction(world, trajectory)),
    target: agent('T', (trajectory) => targetAction(world, trajectory)),
    environment,
    executions,
    outbox,
    inFlight: () => active,
  };
}

const learned = createPolicy(parsePolicySpec('dsp'), {}, { trainer: 'in-process' });
afterAll(async () => {
  await learned.close?.();
});

function makePolicy(world: World, reference: Reference): KPolicy {
  switch (world.policyIndex) {
    case 0:
      return sequentialPolicy();
    case 1:
      return fixedPolicy(world.fixedK);
    case 2:
      return additivePolicy();
    case 3:
      return {
        name: 'gated',
        chooseK: () => world.fixedK,
        continueAfterGuess: (state, guesses) => hash(`g|${world.seed}|${state.committed.length}|${guesses.length}`) % 3 !== 0,
      };
    case 4:
      // The oracle reads the true future: how far A agrees with T along the sequential trajectory.
      return oraclePolicy((committedLength) => {
        let count = 1;
        for (let index = committedLength; index < reference.trajectory.length; index += 1, count += 1) {
          const prefix = reference.trajectory.slice(0, index);
          const action = reference.trajectory[index]!.action;
          if (action === 'END' || canonicalAction(approxAction(world, prefix)) !== canonicalAction(action)) return count;
        }
        return count;
      });
    default:
      // The learned policy, shared by all runs so it learns as they go.
      return learned;
  }
}

async function runWorld(world: World): Promise<{ result: TaskResult; harness: Harness; reference: Reference }> {
  const reference = sequentialReference(world);
  const clock = new VirtualClock();
  const harness = makeHarness(world, clock);
  const result = await clock.run(() =>
    runTask({
      task: { id: 'tools', text: 'a task with tools' },
      approx: harness.approx,
      target: harness.target,
      environment: harness.environment,
      initialState: initialEntries(world),
      policy: makePolicy(world, reference),
      clock,
      isTerminal: (action) => action === 'END',
      maxSteps: world.maxSteps,
      models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' },
    }),
  );
  return { result, harness, reference };
}

describe('speculation through tools, over random environments, accuracies, latencies and policies', () => {
  it('is lossless and safe: sequential trajectory and state, irreversible calls once and confirmed, no discarded write seen', async () => {
    await fc.assert(
      fc.asyncProperty(worldArbitrary, async (world) => {
        const { result, harness, reference } = await runWorld(world);
        const records = result.toolRecords!;
        const executions = harness.executions;

        // Lossless: the committed trajectory (actions, observations, failures) and final state are the sequential run's.
        expect(result.trajectory).toEqual(reference.trajectory);
        expect(result.plan).toEqual(reference.trajectory.map((step) => step.action));
        expect(contents(result.state!.entries())).toEqual(reference.state);
        // The sequential latency the ledger reports is the reference's (T's calls plus the tools of committed steps).
        expect(result.metrics.sequentialLatencyMs).toBe(reference.latencyMs);
        expect(result.metrics.latencyMs).toBeLessThanOrEqual(reference.latencyMs);

        // One environment call per tool record, in order.
        expect(executions).toHaveLength(records.length);
        records.forEach((record, index) => {
          expect(canonicalAction(executions[index]!.action)).toBe(canonicalAction(record.action));
          expect(record.effect).toBe(executions[index]!.effect);
          expect(executions[index]!.speculative).toBe(record.prefix === 'speculative');
        });

        // Irreversible calls: never on a guess, exactly once per committed occurrence, each committed.
        const committedIrreversible = reference.trajectory.filter((step) => effectOf(world, step.action) === 'irreversible');
        const irreversibleExecutions = executions.filter((execution) => execution.effect === 'irreversible');
        expect(irreversibleExecutions.every((execution) => !execution.speculative)).toBe(true);
        expect(irreversibleExecutions).toHaveLength(committedIrreversible.length);
        expect(harness.outbox).toHaveLength(committedIrreversible.length);
        expect(records.filter((record) => record.effect === 'irreversible').every((record) => record.status === 'committed')).toBe(true);
        // Only pure and sandboxed calls ever run on a guess.
        for (const record of records.filter((candidate) => candidate.prefix === 'speculative')) {
          expect(record.effect).not.toBe('irreversible');
        }

        // Each committed step that calls a tool takes exactly one execution's result, and each result serves one step.
        const toolSteps = reference.trajectory.flatMap((step, index) => (effectOf(world, step.action) === null ? [] : [index + 1]));
        const committed = records.filter((record) => record.status === 'committed');
        expect(committed.map((record) => record.committedStep).sort((a, b) => a! - b!)).toEqual(toolSteps);
        for (const record of committed) {
          expect(canonicalAction(record.action)).toBe(canonicalAction(reference.trajectory[record.committedStep! - 1]!.action));
        }
        expect(records.filter((record) => record.status !== 'committed').every((record) => record.committedStep === undefined)).toBe(true);

        // No write of a discarded branch is visible: every committed result read only committed writes, and so
        // does the final state.
        const visible = new Set(['init', ...committed.map((record) => executions[record.id]!.nonce)]);
        for (const record of committed) {
          for (const writer of executions[record.id]!.seen) expect(visible.has(writer)).toBe(true);
        }
        for (const [, value] of result.state!) expect(visible.has((value as Stored).by)).toBe(true);

        // Nothing in flight after the task; an execution is cancelled exactly when it was aborted.
        expect(harness.inFlight()).toBe(0);
        records.forEach((record, index) => {
          expect(record.status === 'cancelled').toBe(executions[index]!.aborted);
          expect(executions[index]!.finished || executions[index]!.aborted).toBe(true);
          expect(record.endMs).toBeGreaterThanOrEqual(record.startMs);
          expect(record.endMs).toBeLessThanOrEqual(result.metrics.latencyMs);
        });
      }),
      { numRuns },
    );
  });
});

describe('replay of synthetic suites with tool steps', () => {
  it('is lossless under every policy, never slower than T and its tools alone, and counts the tools sequentially', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 4000 }),
        fc.record({ pure: fc.nat(4), sandboxed: fc.nat(4), irreversible: fc.nat(4) }).filter((shares) => shares.pure + shares.sandboxed + shares.irreversible > 0),
        fc.constantFrom('sequential', 'fixed:1', 'fixed:3', 'fixed:8', 'additive', 'oracle'),
        async (seed, approxAccuracy, toolLatencyMs, effects, policy) => {
          const traces = generateSyntheticTraces({ seed, tasks: 3, approxAccuracy, accuracySpread: 0, tools: { latencyMs: toolLatencyMs, effects } });
          const run = await replaySuite({ traces, policy: parsePolicySpec(policy) });
          expect(run.lossless).toBe(true);
          run.results.forEach((result, index) => {
            const steps = traces[index]!.steps;
            const sequentialMs = steps.reduce((sum, step) => sum + step.target.latencyMs + (step.target.tool?.latencyMs ?? 0), 0);
            expect(result.metrics.sequentialLatencyMs).toBeCloseTo(sequentialMs, 9);
            expect(result.metrics.latencyMs).toBeLessThanOrEqual(sequentialMs + 1e-9);
            for (const record of result.toolRecords ?? []) {
              if (record.effect === 'irreversible') expect([record.prefix, record.status]).toEqual(['true', 'committed']);
            }
          });
        },
      ),
      { numRuns: Math.max(100, Math.floor(numRuns / 5)) },
    );
  });
});
