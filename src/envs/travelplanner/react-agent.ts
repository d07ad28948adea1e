/**
 * TravelPlanner agents over any `ModelCaller` (the AI SDK adapter's, a live run's, a test's): each step is one or two
 * calls in the benchmark's zero-shot ReAct prompt (`react-prompt.ts`), conditioned on the trajectory the engine
 * hands the agent — the actions and observations of its prefix, committed or speculative.
 *
 * - `react` (the benchmark's agent, the target's default): a call that ends `Thought N:`, then one that shows the
 *   thought and ends `Action N:`.
 * - `direct` (the approximation's default, as in the DSP authors' runs): one call that ends `Action N:`.
 *
 * A reply with no text is unparsable: A's is a guess that matches nothing, T's throws `NoActionError` (the rule of
 * every strategy agent, docs/live-agents.md). Any other first line is the action; one that is not `Tool[argument]`
 * gets the environment's "Invalid Action" observation, as in the benchmark.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { Agent, AgentResult } from '../../core/types.js';
import { unparsedAction } from '../../agents/action-space.js';
import { NoActionError } from '../../agents/errors.js';
import { spanConfidence } from '../../agents/logprobs.js';
import { CallSession, type ModelCaller, type ParseFailure } from '../../agents/strategies.js';
import { parseTravelPlannerReply, renderTravelPlannerPrompt, travelPlannerThought, type TravelPlannerPromptStep } from './react-prompt.js';

/** The strategies of a TravelPlanner agent. */
export const travelPlannerStrategyNames = ['direct', 'react'] as const;

/** One of `travelPlannerStrategyNames`. */
export type TravelPlannerStrategyName = (typeof travelPlannerStrategyNames)[number];

/** Reads a strategy name; throws `InvalidInputError` naming `source` and the valid names. */
export function travelPlannerStrategyByName(name: string, source = 'strategy name'): TravelPlannerStrategyName {
  if ((travelPlannerStrategyNames as readonly string[]).includes(name)) return name as TravelPlannerStrategyName;
  throw new InvalidInputError(`"${name}" is not a TravelPlanner strategy; valid: ${travelPlannerStrategyNames.join(', ')}`, { source });
}

/** Options of `createTravelPlannerAgent`. */
export interface TravelPlannerAgentOptions {
  strategy: TravelPlannerStrategyName;
  callModel: ModelCaller;
  /** A reply with no action: `mismatch` (A: a guess that matches nothing) or `throw` (T: `NoActionError`). Default `throw`. */
  onUnparsable?: 'mismatch' | 'throw';
  /** Told about every reply with no action. */
  onParseFailure?: (failure: ParseFailure) => void;
}

/** An engine `Agent` that plans TravelPlanner steps in the benchmark's ReAct format. */
export function createTravelPlannerAgent(options: TravelPlannerAgentOptions): Agent {
  const onUnparsable = options.onUnparsable ?? 'throw';
  return async (context, callOptions): Promise<AgentResult> => {
    const session = new CallSession(options.callModel, callOptions.signal, callOptions.reportPartialUsage);
    const trajectory: readonly TravelPlannerPromptStep[] = context.trajectory ?? context.prefix.map((action) => ({ action }));
    const base = { query: context.task.text, trajectory };
    let reply: string;
    if (options.strategy === 'react') {
      const thought = travelPlannerThought(
        await session.call({ kind: 'react-thought', system: '', prompt: renderTravelPlannerPrompt({ ...base, kind: 'react-thought' }) }),
      );
      reply = await session.call({ kind: 'react-action', system: '', prompt: renderTravelPlannerPrompt({ ...base, kind: 'react-action', thought }) });
    } else {
      reply = await session.call({ kind: 'direct', system: '', prompt: renderTravelPlannerPrompt({ ...base, kind: 'direct' }) });
    }
    const parsed = parseTravelPlannerReply(reply);
    const result: AgentResult = { action: '', usage: session.usage() };
    if (session.model !== undefined) result.model = session.model;
    if (parsed.ok) {
      // The agent's confidence: the probability of the tokens of the action line, when the provider gave them.
      const logprobs = session.logprobsOf(reply);
      const confidence = logprobs === undefined ? undefined : spanConfidence(reply, logprobs, parsed.span);
      return { ...result, action: parsed.action, ...(confidence === undefined ? {} : { confidence }) };
    }
    options.onParseFailure?.({ taskId: context.task.id, step: context.step, reason: parsed.reason, reply, outcome: onUnparsable });
    if (onUnparsable === 'throw') throw new NoActionError({ reply, reason: parsed.reason, model: session.model, step: context.step });
    return { ...result, action: unparsedAction(reply) };
  };
}
