/**
 * Replaying tool executions from a trace (docs/tools.md): an environment on the virtual clock that takes each
 * execution's recorded latency and effect class, so replay overlaps tool time exactly as a live run would. A trace
 * with no `tool` field on any call has no environment and replays as pure planning.
 */
import { canonicalAction } from '../core/actions.js';
import type { Clock } from '../core/clock.js';
import type { EffectClass, Environment } from '../core/environment.js';
import type { Action } from '../core/types.js';
import type { Trace, TraceTool } from './schema.js';

/**
 * The environment of a trace with tool steps, or undefined when no call records a tool.
 *
 * - Effect of an action: the one recorded with it (on T's or A's call, at any step). An action T took without a
 *   tool calls none. Any other action (a guess nobody recorded an execution for) is `irreversible`, the default for
 *   an undeclared tool: it is never executed on a guess, which costs nothing in replay since such a guess is wrong.
 * - Latency of executing `action` at step i: the record of step i whose action it is (T's, else A's); else the
 *   first recorded execution of the same action in the trace; else step i's own tool latency (a speculative call
 *   on a wrong prefix, like replayed model calls, takes the same step's figures); else 0. Steps past the end of the
 *   trace use the last step.
 * - Observation: the recorded text, when there is one.
 * - Model requests: a recorded execution with `model` and tokens (TravelPlanner's Planner) reports them, so the
 *   replay bills them at the model's price as the live run did.
 */
export function replayEnvironment(trace: Trace, clock: Clock): Environment | undefined {
  const steps = trace.steps;
  const calls = steps.flatMap((step) => (step.approx === undefined ? [step.target] : [step.target, step.approx]));
  if (calls.every((call) => call.tool === undefined)) return undefined;

  const recorded = new Map<string, TraceTool>();
  const firstLatencyMs = new Map<string, number>();
  for (const call of calls) {
    if (call.tool === undefined) continue;
    const key = canonicalAction(call.action);
    if (!recorded.has(key)) recorded.set(key, call.tool);
    if (call.tool.latencyMs !== undefined && !firstLatencyMs.has(key)) firstLatencyMs.set(key, call.tool.latencyMs);
  }
  const withoutTool = new Set(
    steps.filter((step) => step.target.tool === undefined).map((step) => canonicalAction(step.target.action)),
  );

  const toolAt = (action: Action, step: number): TraceTool | undefined => {
    const record = steps[Math.min(step, steps.length) - 1]!;
    const key = canonicalAction(action);
    for (const call of [record.target, record.approx]) {
      if (call?.tool !== undefined && canonicalAction(call.action) === key) return call.tool;
    }
    return undefined;
  };

  return {
    effectOf: (action) => {
      const key = canonicalAction(action);
      const tool = recorded.get(key);
      if (tool !== undefined) return tool.effect;
      return withoutTool.has(key) ? null : ('irreversible' satisfies EffectClass);
    },
    execute: async (action, { signal, step, reportModelUsage }) => {
      const own = toolAt(action, step);
      const latencyMs =
        own?.latencyMs ??
        firstLatencyMs.get(canonicalAction(action)) ??
        steps[Math.min(step, steps.length) - 1]!.target.tool?.latencyMs ??
        0;
      await clock.sleep(latencyMs, signal);
      // A recorded model call of the execution (TravelPlanner's Planner) is billed again, as it was live.
      const billed = own ?? recorded.get(canonicalAction(action));
      if (billed?.model !== undefined && (billed.inputTokens !== undefined || billed.outputTokens !== undefined)) {
        reportModelUsage?.({
          model: billed.model,
          usage: {
            ...(billed.inputTokens === undefined ? {} : { inputTokens: billed.inputTokens }),
            ...(billed.outputTokens === undefined ? {} : { outputTokens: billed.outputTokens }),
          },
        });
      }
      return own?.observation ?? recorded.get(canonicalAction(action))?.observation;
    },
  };
}
