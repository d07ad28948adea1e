/**
 * The replay server's answers to TravelPlanner ReAct prompts (`envs/travelplanner/react-prompt.ts`), from recorded
 * TravelPlanner traces, by the rules of `replay-answers.ts` for our own prompt format: the prompt names the task
 * (its query) and the trajectory so far (its `Action i:` lines), the model field names the role, and the answer is
 * that role's recorded call at the step asked for — on the trace's true prefix the recorded call, on a speculative
 * prefix the same step's record, past the last step the last step's record. A ReAct step's two calls share the
 * recorded step (½ each), a direct call takes it whole.
 *
 * The reply is what the benchmark's model writes: a thought on one line, or the action alone on one line.
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
import type { ReplayAnswer, TraceBook } from './replay-answers.js';

export { isTravelPlannerPrompt };

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
