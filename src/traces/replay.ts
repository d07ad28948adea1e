/**
 * Replay agents: A and T played back from a trace on a virtual clock (spec §6). A call for step i takes the
 * recorded latency of step i and returns the recorded action; a speculative call on a wrong prefix is always
 * discarded or cancelled, so only its time and cost matter, and those come from the same step's record.
 */
import type { Clock } from '../core/clock.js';
import { exactMatch, type ActionsMatch } from '../core/actions.js';
import type { Environment } from '../core/environment.js';
import type { Action, Agent, TaskInput } from '../core/types.js';
import { replayEnvironment } from './replay-environment.js';
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
  /** Replays the recorded tool executions; absent when the trace records none (pure planning). */
  environment?: Environment;
}

export function replaySetup(trace: Trace, clock: Clock, actionsMatch: ActionsMatch = exactMatch): ReplaySetup {
  const steps = trace.steps;
  const last = steps[steps.length - 1]!;
  const endsByTerminal = trace.terminal !== false;
  const terminalAction = last.target.action;
  const isTerminal = (action: Action): boolean => endsByTerminal && exactMatch(action, terminalAction);
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
      return { action: call.action, usage: { inputTokens: call.inputTokens, outputTokens: call.outputTokens } };
    };

  const stepsToBreak = (committedLength: number): number => {
    let count = 1;
    for (let index = committedLength; index < steps.length; index += 1, count += 1) {
      const step = steps[index]!;
      if (step.approx === undefined || !actionsMatch(step.approx.action, step.target.action)) return count;
      if (isTerminal(step.target.action)) return count;
    }
    return count;
  };

  const environment = replayEnvironment(trace, clock);
  return {
    ...(environment === undefined ? {} : { environment }),
    task: { id: trace.id, text: trace.task },
    approx: play((step) => recordAt(step).approx),
    target: play((step) => recordAt(step).target),
    isTerminal,
    maxSteps: steps.length,
    models: { approx: trace.models.approx, target: trace.models.target },
    stepsToBreak,
    sequentialPlan: steps.map((step) => step.target.action),
  };
}
