/**
 * The replay server's answers to TravelPlanner ReAct prompts (`envs/travelplanner/react-prompt.ts`), from recorded
 * TravelPlanner traces, by the rules of `replay-answers.ts` for our own prompt format: the prompt names the task
 * (its query) and the trajectory so far (its `Action i:` lines), the model field names the role, and the answer is
 * that role's recorded call at the step asked for — on the trace's true prefix the recorded call, on a speculative
 * prefix the same step's record, past the last step the last step's record. A ReAct step's two calls share the
 * recorded step (½ each), a direct call takes it whole.
 *
 * The reply is what the benchmark's model writes: a thought on one line, or the action alone on one line.
 *
 * A planner prompt (the Planner's model call, `envs/travelplanner/planner-prompt.ts`) is answered with the plan a
 * recorded run's Planner wrote — the observation of a trace's `Planner[…]` step, recorded by `dsp run --env
 * travelplanner --record` — with the tokens and latency recorded with it; when no trace has one (the imported
 * suite's traces end with a Planner step whose text was never recorded), with a stated placeholder reply
 * (`placeholderPlan`) of a fixed latency (`placeholderPlannerLatencyMs`) and tokens counted as characters ÷ 4.
 */
import { InvalidInputError } from '../core/errors.js';
import type { Action, Role } from '../core/types.js';
import { isUnparsedAction } from '../agents/action-space.js';
import {
  isTravelPlannerPrompt,
  parseTravelPlannerPrompt,
  parseTravelPlannerReply,
  renderTravelPlannerAction,
} from '../envs/travelplanner/react-prompt.js';
import { isPlannerPrompt, parsePlannerPrompt } from '../envs/travelplanner/planner-prompt.js';
import { parseTravelPlannerAction } from '../envs/travelplanner/actions.js';
import type { Trace, TraceTool } from '../traces/schema.js';
import type { ReplayAnswer, TraceBook } from './replay-answers.js';

export { isTravelPlannerPrompt, isPlannerPrompt };

/** The reply to a planner prompt no trace recorded a plan for. */
export const placeholderPlan = 'No plan was recorded for this query: this is a placeholder reply of dsp serve.';

/** The latency of a placeholder plan, in milliseconds before `--speed`: a plan of some 400 tokens at 80 tokens/s. */
export const placeholderPlannerLatencyMs = 5000;

/** A TravelPlanner request's call kind and answer. */
export interface TravelPlannerReplay {
  kind: 'react-thought' | 'react-action' | 'direct';
  answer: ReplayAnswer;
}

/**
 * The answer to a TravelPlanner prompt. Throws `InvalidInputError` for a prompt that cannot be read and
 * `ReplayLookupError` when the traces cannot answer it.
 */
export function answerTravelPlannerPrompt(book: TraceBook, role: Role, prompt: string): TravelPlannerReplay {
  const parsed = parseTravelPlannerPrompt(prompt, 'the last user message');
  const answer: ReplayAnswer = { ...book.answer(role, { kind: parsed.kind, task: parsed.query, prefix: parsed.prefix }) };
  // Where our own format's reply spells the action: this reply is the benchmark's, read below.
  delete answer.actionSpan;
  const text = travelPlannerReplyText(parsed.kind, answer.action, answer.step);
  // The action call's reply is the action line: where the client's parser reads it, for log-probabilities.
  const reply = parsed.kind === 'react-thought' || isUnparsedAction(answer.action) ? undefined : parseTravelPlannerReply(text);
  return { kind: parsed.kind, answer: { ...answer, text, ...(reply?.ok === true ? { actionSpan: reply.span } : {}) } };
}

/** The reply of a call: the recorded action for an action call, a one-line thought naming it for a thought call. */
export function travelPlannerReplyText(kind: TravelPlannerReplay['kind'], action: Action, step: number): string {
  if (isUnparsedAction(action)) {
    // Replayed as the reply it was, so that the client fails to read it again.
    return kind === 'react-thought' ? 'I am not sure what to do next.' : action.unparsed;
  }
  const text = renderTravelPlannerAction(action);
  if (/[\r\n]/.test(text)) throw new InvalidInputError(`the recorded action of step ${step} spans lines; a TravelPlanner action is one line`);
  return kind === 'react-thought' ? `Step ${step} should call ${text.split('[')[0]} with what the query and the observations so far need.` : text;
}

/**
 * The answer to a planner prompt: the recorded plan of the query, else the placeholder (never an error, so that a
 * replayed run reaches its end). The query is the Planner's argument: a trace whose committed `Planner[…]` step has
 * that argument is looked for first, then the traces of a task with that text. Throws `InvalidInputError` for a
 * prompt that cannot be read.
 */
export function answerPlannerPrompt(book: TraceBook, prompt: string): ReplayAnswer {
  const { query } = parsePlannerPrompt(prompt, 'the last user message');
  const recorded = recordedPlan(book, query);
  if (recorded !== undefined) {
    const { trace, step, tool, plan } = recorded;
    return {
      traceId: trace.id,
      step,
      onTrace: true,
      action: trace.steps[step - 1]!.target.action,
      text: plan,
      latencyMs: tool.latencyMs ?? placeholderPlannerLatencyMs,
      usage: { inputTokens: tool.inputTokens ?? roughTokens(prompt), outputTokens: tool.outputTokens ?? roughTokens(plan) },
    };
  }
  const trace = book.tracesOf(query)[0];
  return {
    traceId: trace?.id ?? '',
    step: trace?.steps.length ?? 1,
    onTrace: trace !== undefined,
    action: `Planner[${query}]`,
    text: placeholderPlan,
    latencyMs: placeholderPlannerLatencyMs,
    usage: { inputTokens: roughTokens(prompt), outputTokens: roughTokens(placeholderPlan) },
  };
}

/** A plan a trace recorded: the committed `Planner[argument]` step and its tool execution's observation. */
interface RecordedPlan {
  trace: Trace;
  step: number;
  tool: TraceTool;
  plan: string;
  argument: string;
}

/** The recorded plans of each book, in file order, found once (a served run asks for a plan per task). */
const plansByBook = new WeakMap<TraceBook, readonly RecordedPlan[]>();

function recordedPlans(book: TraceBook): readonly RecordedPlan[] {
  let plans = plansByBook.get(book);
  if (plans === undefined) {
    const found: RecordedPlan[] = [];
    for (const trace of book.all) {
      trace.steps.forEach((record, index) => {
        const parsed = parseTravelPlannerAction(record.target.action);
        const tool = record.target.tool;
        if (parsed?.tool === 'Planner' && tool?.observation !== undefined) {
          found.push({ trace, step: index + 1, tool, plan: tool.observation, argument: parsed.argument });
        }
      });
    }
    plans = found;
    plansByBook.set(book, plans);
  }
  return plans;
}

/** The first recorded plan for `query`: a Planner step with that argument, else one of a trace of that task. */
function recordedPlan(book: TraceBook, query: string): RecordedPlan | undefined {
  const plans = recordedPlans(book);
  const sameText = (left: string, right: string): boolean => left.trim() === right.trim();
  return plans.find((plan) => sameText(plan.argument, query)) ?? plans.find((plan) => book.tracesOf(query).includes(plan.trace));
}

/** Tokens of a text by the rule of thumb of four characters per token, rounded up. */
function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
