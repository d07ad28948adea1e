/**
 * Replay agents: A and T played back from a trace on a virtual clock (spec §6). A call for step i takes the
 * recorded latency of step i and returns the recorded action; a speculative call on a wrong prefix is always
 * discarded or cancelled, so only its time and cost matter, and those come from the same step's record.
 *
 * Replay knows no more than a live run: a plan that ended by a terminal action runs under a live run's step limit,
 * not the trace's length, so a policy's k is never clamped by where the plan is going to end.
 */
import type { Clock } from '../core/clock.js';
import { exactMatch, type ActionsMatch } from '../core/actions.js';
import type { Environment } from '../core/environment.js';
import type { Action, Agent, TaskInput, Usage } from '../core/types.js';
import { engineDefaults } from '../engine/run-task.js';
import { replayEnvironment } from './replay-environment.js';
import type { Trace, TraceCall } from './schema.js';

/** Raised by a replay A when the trace holds no guess for the step: the engine treats it as an A failure. */
export class NoRecordedGuessError extends Error {
  override readonly name = 'NoRecordedGuessError';
}

/** Options of `replaySetup`. */
export interface ReplaySetupOptions {
  /** The step limit of the live run being replayed. Default `engineDefaults.maxSteps` (50). See `replayMaxSteps`. */
  maxSteps?: number;
}

/** Everything needed to replay one trace with `runTask`. */
export interface ReplaySetup {
  task: TaskInput;
  approx: Agent;
  target: Agent;
  isTerminal: (action: Action) => boolean;
  /** The plan's step limit: see `replayMaxSteps`. */
  maxSteps: number;
  models: { approx: string; target: string };
  /** For the oracle policy only: steps from a committed prefix of this length up to and including the next break. */
  stepsToBreak: (committedLength: number) => number;
  /** The plan T alone would produce. */
  sequentialPlan: Action[];
  /** Replays the recorded tool executions; absent when the trace records none (pure planning). */
  environment?: Environment;
}

/**
 * Whether an action ends the trace's plan: it equals the last step's action, when the trace ended by a terminal
 * action (`terminal` is not false).
 */
function terminalTest(trace: Trace): (action: Action) => boolean {
  const endsByTerminal = trace.terminal !== false;
  const terminalAction = trace.steps[trace.steps.length - 1]!.target.action;
  return (action) => endsByTerminal && exactMatch(action, terminalAction);
}

/**
 * What the oracle policy reads from a trace's future: from a committed prefix of `committedLength` steps, the
 * number of steps up to and including the next break, that is the first step whose recorded guess is missing or
 * does not match T's action (by `actionsMatch`), or the terminal step. Past the end of the trace: 1.
 */
export function stepsToBreak(trace: Trace, committedLength: number, actionsMatch: ActionsMatch = exactMatch): number {
  const steps = trace.steps;
  const isTerminal = terminalTest(trace);
  let count = 1;
  for (let index = committedLength; index < steps.length; index += 1, count += 1) {
    const step = steps[index]!;
    if (step.approx === undefined || !actionsMatch(step.approx.action, step.target.action)) return count;
    if (isTerminal(step.target.action)) return count;
  }
  return count;
}

/**
 * The step limit a trace is replayed with. A trace that ended by a terminal action gets the live run's limit
 * (`liveMaxSteps`, default `engineDefaults.maxSteps`), never less than its own length: a live run does not know
 * where its plan will end, so its policy's k is not clamped to the steps left before the end, and A and T go on
 * speculating past the last step until T's terminal action is seen (those calls are billed like the last step).
 * A trace cut by its step limit (`terminal: false`) keeps its length as the limit, which its run did know.
 */
export function replayMaxSteps(trace: Trace, liveMaxSteps: number = engineDefaults.maxSteps): number {
  if (trace.terminal === false) return trace.steps.length;
  return Math.max(liveMaxSteps, trace.steps.length);
}

/**
 * The agents, task and limits that replay `trace` on `clock`. `actionsMatch` decides the oracle's breaks;
 * `options.maxSteps` is the live run's step limit (see `replayMaxSteps`).
 */
export function replaySetup(
  trace: Trace,
  clock: Clock,
  actionsMatch: ActionsMatch = exactMatch,
  options: ReplaySetupOptions = {},
): ReplaySetup {
  const steps = trace.steps;
  const isTerminal = terminalTest(trace);
  // Steps past the end of the trace are only reached speculatively (always discarded): bill them like the last.
  const recordAt = (step: number): (typeof steps)[number] => steps[Math.min(step, steps.length) - 1]!;

  const play =
    (pick: (step: number) => TraceCall | undefined): Agent =>
    async (context, { signal, reportPartialUsage }) => {
      const call = pick(context.step);
      if (call === undefined) throw new NoRecordedGuessError(`no approximation guess recorded for step ${context.step}`);
      const startMs = clock.now();
      try {
        await clock.sleep(call.latencyMs, signal);
      } catch (error) {
        // Aborted: bill the input in full and the output pro rata to the time it ran (spec §5).
        const fraction = call.latencyMs > 0 ? Math.min(1, (clock.now() - startMs) / call.latencyMs) : 1;
        reportPartialUsage({ inputTokens: call.inputTokens, outputTokens: Math.round(call.outputTokens * fraction) });
        throw error;
      }
      const usage: Usage = { inputTokens: call.inputTokens, outputTokens: call.outputTokens };
      // Recorded by a live run whose provider read part of the prompt from its cache: priced the same in replay.
      const cached = call.cachedInputTokens;
      if (typeof cached === 'number' && Number.isInteger(cached) && cached >= 0) usage.cachedInputTokens = cached;
      return { action: call.action, usage, ...(call.confidence === undefined ? {} : { confidence: call.confidence }) };
    };

  const environment = replayEnvironment(trace, clock);
  return {
    ...(environment === undefined ? {} : { environment }),
    task: { id: trace.id, text: trace.task },
    approx: play((step) => recordAt(step).approx),
    target: play((step) => recordAt(step).target),
    isTerminal,
    maxSteps: replayMaxSteps(trace, options.maxSteps),
    models: { approx: trace.models.approx, target: trace.models.target },
    stepsToBreak: (committedLength) => stepsToBreak(trace, committedLength, actionsMatch),
    sequentialPlan: steps.map((step) => step.target.action),
  };
}
