/**
 * Replay agents: A and T played back from a trace on a virtual clock (spec §6). A call for step i takes the
 * recorded latency of step i and returns the recorded action; a speculative call on a wrong prefix is always
 * discarded or cancelled, so only its time and cost matter, and those come from the same step's record.
 */
import type { Clock } from '../core/clock.js';
import { exactMatch, type ActionsMatch } from '../core/actions.js';
import type { Action, Agent, TaskInput, Usage } from '../core/types.js';
import type { Trace, TraceCall } from './schema.js';

/** Raised by a replay A when the trace holds no guess for the step: the engine treats it as an A failure. */
export class NoRecordedGuessError extends Error {
  override readonly name = 'NoRecordedGuessError';
}

/** Everything needed to replay one trace with `runTask`. */
export interface ReplaySetup {
  task: TaskInput;
  approx: Agent;
  target: Agent;
  isTerminal: (action: Action) => boolean;
  maxSteps: number;
  models: { approx: string; target: string };
  /** For the oracle policy only: steps from a committed prefix of this length up to and including the next break. */
  stepsToBreak: (committedLength: number) => number;
  /** The plan T alone would produce. */
  sequentialPlan: Action[];
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

/** The agents, task and limits that replay `trace` on `clock`; `actionsMatch` decides the oracle's breaks. */
export function replaySetup(trace: Trace, clock: Clock, actionsMatch: ActionsMatch = exactMatch): ReplaySetup {
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
      return { action: call.action, usage };
    };

  return {
    task: { id: trace.id, text: trace.task },
    approx: play((step) => recordAt(step).approx),
    target: play((step) => recordAt(step).target),
    isTerminal,
    maxSteps: steps.length,
    models: { approx: trace.models.approx, target: trace.models.target },
    stepsToBreak: (committedLength) => stepsToBreak(trace, committedLength, actionsMatch),
    sequentialPlan: steps.map((step) => step.target.action),
  };
}
