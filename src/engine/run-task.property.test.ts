/**
 * Property-based proof of the engine's guarantees (spec §2, §5) over random agents, accuracies, latency orders
 * and every policy. Agents here are functions of their prefix (as real agents are), not trace replays, so a
 * speculative call on a wrong prefix really gets a different answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import { additivePolicy, fixedPolicy, oraclePolicy, sequentialPolicy } from '../policies/basic.js';
import type { KPolicy } from '../core/policy.js';
import { replaySuite } from '../suite/replay-suite.js';
import { parsePolicySpec } from '../policies/registry.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';
import { runTask } from './run-task.js';
import type { Action, Agent, CallRecord, TaskResult } from '../core/types.js';

const numRuns = Number(process.env.DSP_PROPERTY_RUNS ?? 1000);

/** A prefix as text (the agents here only ever emit strings). */
function key(prefix: readonly Action[]): string {
  return prefix.map((action) => String(action as string)).join('>');
}

/** A small deterministic hash of a string, for agent behaviour that depends on the prefix. */
function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index += 1) {
    value = Math.imul(value ^ text.charCodeAt(index), 16777619) >>> 0;
  }
  return value;
}

interface World {
  seed: number;
  vocabulary: number;
  planLength: number;
  accuracy: number;
  approxMaxMs: number;
  targetMaxMs: number;
  policyIndex: number;
  fixedK: number;
  maxSteps: number;
}

const worldArbitrary = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  vocabulary: fc.integer({ min: 2, max: 6 }),
  planLength: fc.integer({ min: 1, max: 10 }),
  accuracy: fc.double({ min: 0, max: 1, noNaN: true }),
  // Latency orders: A may be faster or slower than T, and ties are possible (small integer ranges).
  approxMaxMs: fc.integer({ min: 0, max: 12 }),
  targetMaxMs: fc.integer({ min: 0, max: 12 }),
  policyIndex: fc.integer({ min: 0, max: 4 }),
  fixedK: fc.integer({ min: 1, max: 8 }),
  maxSteps: fc.integer({ min: 1, max: 14 }),
});

interface Harness {
  approx: Agent;
  target: Agent;
  isTerminal: (action: Action) => boolean;
  sequentialPlan: Action[];
  inFlight: () => number;
  abortedCallIds: Set<string>;
  finishedCallIds: Set<string>;
}

/** T's action after a prefix: a deterministic function; terminal once the plan reaches `planLength`. */
function makeHarness(world: World, clock: VirtualClock): Harness {
  const targetAction = (prefix: readonly Action[]): Action =>
    prefix.length + 1 >= world.planLength ? 'END' : `t${hash(`${world.seed}|${key(prefix)}`) % world.vocabulary}`;
  const approxAction = (prefix: readonly Action[]): Action => {
    const draw = (hash(`a|${world.seed}|${key(prefix)}`) % 1000) / 1000;
    if (draw < world.accuracy) return targetAction(prefix);
    return `wrong${hash(`w|${key(prefix)}`) % 3}`;
  };
  let active = 0;
  const abortedCallIds = new Set<string>();
  const finishedCallIds = new Set<string>();
  const agent =
    (role: 'A' | 'T', choose: (prefix: readonly Action[]) => Action, maxMs: number): Agent =>
    async (context, { signal }) => {
      const callId = `${role}|${context.step}|${key(context.prefix)}|${hash(String(Math.random()))}`;
      active += 1;
      try {
        const latency = hash(`${role}|${world.seed}|${key(context.prefix)}`) % (maxMs + 1);
        await clock.sleep(latency, signal);
        finishedCallIds.add(callId);
        return { action: choose(context.prefix), usage: { inputTokens: 10 * (context.step + 1), outputTokens: 5 } };
      } catch (error) {
        if (signal.aborted) abortedCallIds.add(callId);
        throw error;
      } finally {
        active -= 1;
      }
    };
  const sequentialPlan: Action[] = [];
  while (sequentialPlan.length < Math.min(world.maxSteps, 50)) {
    const action = targetAction(sequentialPlan);
    sequentialPlan.push(action);
    if (action === 'END') break;
  }
  return {
    approx: agent('A', approxAction, world.approxMaxMs),
    target: agent('T', targetAction, world.targetMaxMs),
    isTerminal: (action) => action === 'END',
    sequentialPlan,
    inFlight: () => active,
    abortedCallIds,
    finishedCallIds,
  };
}

function makePolicy(world: World, harness: Harness): KPolicy {
  switch (world.policyIndex) {
    case 0:
      return sequentialPolicy();
    case 1:
      return fixedPolicy(world.fixedK);
    case 2:
      return additivePolicy();
    case 3:
      // A policy that stops rounds early at arbitrary guesses (`continueAfterGuess`): still lossless.
      return {
        name: 'gated',
        chooseK: () => world.fixedK,
        continueAfterGuess: (state, guesses) => hash(`g|${world.seed}|${state.committed.length}|${guesses.length}`) % 3 !== 0,
      };
    default:
      // The oracle needs the true future: count how far A agrees with T along the sequential plan.
      return oraclePolicy((committedLength) => {
        let count = 1;
        for (let index = committedLength; index < harness.sequentialPlan.length; index += 1, count += 1) {
          const prefix = harness.sequentialPlan.slice(0, index);
          const action = harness.sequentialPlan[index]!;
          if (harness.isTerminal(action)) return count;
          const draw = (hash(`a|${world.seed}|${key(prefix)}`) % 1000) / 1000;
          if (draw >= world.accuracy) return count;
        }
        return count;
      });
  }
}

async function runWorld(world: World): Promise<{ result: TaskResult; harness: Harness }> {
  const clock = new VirtualClock();
  const harness = makeHarness(world, clock);
  const result = await clock.run(() =>
    runTask({
      task: { id: 'task', text: 'a task' },
      approx: harness.approx,
      target: harness.target,
      policy: makePolicy(world, harness),
      clock,
      isTerminal: harness.isTerminal,
      maxSteps: world.maxSteps,
      models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' },
    }),
  );
  return { result, harness };
}

function committedTargetAt(records: readonly CallRecord[], step: number): CallRecord | undefined {
  return records.find((record) => record.role === 'target' && record.status === 'committed' && record.step === step);
}

describe('engine properties over random agents, accuracies, latencies and policies', () => {
  it('commits exactly the sequential plan, only confirmed guesses, with a consistent ledger', async () => {
    await fc.assert(
      fc.asyncProperty(worldArbitrary, async (world) => {
        const { result, harness } = await runWorld(world);
        const records = result.records;

        // Lossless: the committed plan is the sequential plan.
        expect(result.plan).toEqual(harness.sequentialPlan);

        // Every committed step comes from a T call on the true prefix, one per step.
        result.plan.forEach((action, index) => {
          const committed = records.filter(
            (record) => record.role === 'target' && record.status === 'committed' && record.step === index + 1,
          );
          expect(committed).toHaveLength(1);
          expect(committed[0]!.action).toEqual(action);
          expect(committed[0]!.prefix).toBe('true');
        });

        // No accepted A guess unless T produced the same action on the same (true) prefix.
        for (const record of records.filter((candidate) => candidate.status === 'accepted')) {
          expect(record.role).toBe('approx');
          expect(record.prefix).toBe('true');
          expect(record.action).toEqual(committedTargetAt(records, record.step)?.action);
        }

        // No call in flight after the task; every aborted call is `cancelled`, and every cancelled call was aborted.
        expect(harness.inFlight()).toBe(0);
        const cancelled = records.filter((record) => record.status === 'cancelled').length;
        expect(harness.abortedCallIds.size).toBe(cancelled);
        expect(harness.finishedCallIds.size + harness.abortedCallIds.size).toBe(records.length);
        // Every call lies within the task (the clock starts at 0): nothing runs on after the final commit.
        for (const record of records) {
          expect(record.endMs).toBeGreaterThanOrEqual(record.startMs);
          expect(record.endMs).toBeLessThanOrEqual(result.metrics.latencyMs);
        }

        // Cost ≥ sequential cost; ledger totals equal the sum of its records.
        const metrics = result.metrics;
        // Both models are priced, so every cost is known.
        expect(metrics.unpricedCalls).toBe(0);
        const sum = records.reduce((total, record) => total + (record.costUsd ?? 0), 0);
        expect(metrics.costUsd).toBeCloseTo(sum, 12);
        expect(metrics.costUsd! + 1e-12).toBeGreaterThanOrEqual(metrics.sequentialCostUsd!);
        const wasted = records
          .filter((record) => record.status === 'discarded' || record.status === 'cancelled')
          .reduce((total, record) => total + (record.costUsd ?? 0), 0);
        expect(metrics.wastedCostUsd).toBeCloseTo(wasted, 12);
        expect(metrics.steps).toBe(result.plan.length);
        // Speculation never makes a task slower than T alone in this model (T's latency depends only on the prefix).
        expect(metrics.latencyMs).toBeLessThanOrEqual(metrics.sequentialLatencyMs + 1e-9);
      }),
      { numRuns },
    );
  });

  it('replays every policy losslessly over random synthetic suites', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 50, max: 6000 }),
        fc.constantFrom('sequential', 'fixed:1', 'fixed:3', 'fixed:8', 'additive', 'oracle'),
        async (seed, approxAccuracy, approxLatencyMs, policy) => {
          const traces = generateSyntheticTraces({ seed, tasks: 3, approxAccuracy, approxLatencyMs, accuracySpread: 0 });
          const run = await replaySuite({ traces, policy: parsePolicySpec(policy) });
          expect(run.lossless).toBe(true);
          run.results.forEach((result, index) => {
            expect(result.plan).toEqual(traces[index]!.steps.map((step) => step.target.action));
          });
        },
      ),
      { numRuns: Math.max(100, Math.floor(numRuns / 5)) },
    );
  });
});
