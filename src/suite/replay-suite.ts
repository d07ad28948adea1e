/**
 * Replays a suite of traces under one k-policy on a virtual clock: exact, deterministic figures. Tasks run one
 * after another in the given order; a learning policy is built once and carries what it learned across tasks.
 */
import { VirtualClock } from '../core/virtual-clock.js';
import { builtinPriceTable, type PriceTable } from '../ledger/prices.js';
import { suiteMetrics, type SuiteMetrics } from '../ledger/metrics.js';
import { createBasicPolicy, type PolicyContext, type PolicySpec } from '../policies/registry.js';
import type { KPolicy } from '../core/policy.js';
import { replaySetup } from '../traces/replay.js';
import type { Trace } from '../traces/schema.js';
import { canonicalAction, exactMatch, type ActionsMatch } from '../core/actions.js';
import { runTask } from '../engine/run-task.js';
import type { Action, TaskResult } from '../core/types.js';

/** Builds a policy from its spec; the oracle gets a `stepsToBreak` for each task. */
export type PolicyBuilder = (spec: PolicySpec, context: PolicyContext) => KPolicy;

export interface ReplaySuiteOptions {
  traces: readonly Trace[];
  policy: PolicySpec;
  priceTable?: PriceTable;
  /** The largest k. Default 8. */
  kMax?: number;
  /**
   * The step limit of the live runs being replayed. Default 50 (`engineDefaults.maxSteps`). A trace that ended by
   * a terminal action runs under this limit (or its own length, if longer); a trace cut by its step limit
   * (`terminal: false`) runs under its own length (see `replayMaxSteps`).
   */
  maxSteps?: number;
  actionsMatch?: ActionsMatch;
  /** Default: the training-free policies only. */
  buildPolicy?: PolicyBuilder;
  /** Called after each task (progress). */
  onTask?: (done: number, total: number, result: TaskResult) => void;
}

/** The outcome of one policy over one suite. */
export interface SuiteRun {
  policy: string;
  results: TaskResult[];
  metrics: SuiteMetrics;
  /** True when every task's committed plan equals the plan T alone produces. */
  lossless: boolean;
}

export async function replaySuite(options: ReplaySuiteOptions): Promise<SuiteRun> {
  const buildPolicy = options.buildPolicy ?? createBasicPolicy;
  const actionsMatch = options.actionsMatch ?? exactMatch;
  const clock = new VirtualClock();
  const results: TaskResult[] = [];
  let lossless = true;
  const shared = options.policy.kind === 'oracle' ? undefined : buildPolicy(options.policy, {});
  try {
    for (const trace of options.traces) {
      const setup = replaySetup(trace, clock, actionsMatch, { maxSteps: options.maxSteps });
      const policy = shared ?? buildPolicy(options.policy, { stepsToBreak: setup.stepsToBreak });
      const result = await clock.run(() =>
        runTask({
          task: setup.task,
          approx: setup.approx,
          target: setup.target,
          policy,
          clock,
          actionsMatch,
          isTerminal: setup.isTerminal,
          maxSteps: setup.maxSteps,
          kMax: options.kMax,
          priceTable: options.priceTable ?? builtinPriceTable,
          models: setup.models,
          ...(setup.environment === undefined ? {} : { environment: setup.environment }),
        }),
      );
      if (!samePlan(result.plan, setup.sequentialPlan)) lossless = false;
      results.push(result);
      options.onTask?.(results.length, options.traces.length, result);
    }
  } finally {
    await shared?.close?.();
  }
  return { policy: options.policy.name, results, metrics: suiteMetrics(results), lossless };
}

function samePlan(plan: readonly Action[], sequential: readonly Action[]): boolean {
  return plan.length === sequential.length && plan.every((action, index) => canonicalAction(action) === canonicalAction(sequential[index]!));
}
