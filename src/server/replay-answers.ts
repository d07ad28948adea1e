/**
 * What the replay server answers to one request, decided from recorded traces alone (pure, no I/O).
 *
 * A request names a role (`approx` or `target`, the model field) and carries our prompt header: the task, the plan
 * prefix and the strategy's sub-call. The answer comes from the trace of that task whose recorded plan shares the
 * longest start with the prefix (the first such trace on a tie), at step `prefix.length + 1`:
 * - on the trace's true prefix: the recorded call of that role at that step;
 * - on a speculative prefix the trace never saw: the same step's recorded call (its content does not matter, the
 *   engine will discard or cancel it; its time and tokens do);
 * - past the trace's last step: the last step's record.
 *
 * A recorded step is one whole strategy step (all its sub-calls summed), so each sub-call gets a share of the
 * step's latency and tokens: the shares of a step's calls add up to the record (latency along the critical path:
 * the two debaters of a round run concurrently).
 *
 * A recorded call's `confidence` (A's, from its tokens' log-probabilities) goes with the strategy's final call, the
 * one the action is read from, with where its reply spells the action (`actionSpan`): the server answers
 * log-probabilities from them when a request asks (`logprobs-answers.ts`).
 */
import { canonicalAction } from '../core/actions.js';
import type { Action, Role } from '../core/types.js';
import { canonicalName, isUnparsedAction, toolTagActionSpan, type TextSpan } from '../agents/action-space.js';
import type { CallKind, PromptHeader } from '../agents/prompt-format.js';
import type { Trace } from '../traces/schema.js';
import { ReplayLookupError, TracesByTask, recordAfterPrefix, sharedStartOf } from './trace-lookup.js';

export { ReplayLookupError, isReplayLookupError } from './trace-lookup.js';

/** The replay's answer to one request. */
export interface ReplayAnswer {
  /** The trace the answer comes from. */
  traceId: string;
  /** The 1-based step of the record used. */
  step: number;
  /** True when the prefix is the trace's recorded plan so far (a call a sequential run would make). */
  onTrace: boolean;
  /** The recorded action. */
  action: Action;
  /** The reply text. */
  text: string;
  /** This call's share of the recorded latency, in milliseconds (before any speed factor). */
  latencyMs: number;
  /** This call's share of the recorded tokens. */
  usage: { inputTokens: number; outputTokens: number; reasoningTokens?: number; cachedInputTokens?: number };
  /** The recorded call's confidence in its action, on the strategy's final call only (the one that spells the action). */
  confidence?: number;
  /** Where `text` spells the action, on a call that spells it (as the client's parser reads it). */
  actionSpan?: TextSpan;
}

/** How a strategy's sub-call shares its step's record: `parts` calls share the tokens, the last gets the remainder. */
interface CallShare {
  latencyShare: number;
  parts: number;
  last: boolean;
}

const callShares: Readonly<Record<CallKind, CallShare>> = {
  direct: { latencyShare: 1, parts: 1, last: true },
  cot: { latencyShare: 1, parts: 1, last: true },
  'react-thought': { latencyShare: 1 / 2, parts: 2, last: false },
  'react-action': { latencyShare: 1 / 2, parts: 2, last: true },
  'debate-1a': { latencyShare: 1 / 3, parts: 5, last: false },
  'debate-1b': { latencyShare: 1 / 3, parts: 5, last: false },
  'debate-2a': { latencyShare: 1 / 3, parts: 5, last: false },
  'debate-2b': { latencyShare: 1 / 3, parts: 5, last: false },
  'debate-final': { latencyShare: 1 / 3, parts: 5, last: true },
};

/** A call's share of a recorded count: an even split, the remainder going to the strategy's last call. */
export function tokenShare(total: number, kind: CallKind): number {
  const share = callShares[kind];
  const each = Math.floor(total / share.parts);
  return share.last ? total - each * (share.parts - 1) : each;
}

/** Whether two actions are the same plan step (names compared canonically). */
function sameAction(left: Action, right: Action): boolean {
  if (typeof left === 'string' && typeof right === 'string') return canonicalName(left) === canonicalName(right);
  return canonicalAction(left) === canonicalAction(right);
}

/** Recorded traces indexed by task, answering replay requests. */
export class TraceBook {
  private readonly traces: TracesByTask;
  /** Every trace, in file order. */
  readonly all: readonly Trace[];

  constructor(traces: readonly Trace[]) {
    this.traces = new TracesByTask(traces);
    this.all = [...traces];
  }

  /** The traces of a task (its text compared as `answer` compares it), in file order. */
  tracesOf(task: string): readonly Trace[] {
    return this.traces.of(task) ?? [];
  }

  /** The answer to a request; throws `ReplayLookupError` when the traces cannot answer it. */
  answer(role: Role, header: PromptHeader): ReplayAnswer {
    const candidates = this.traces.of(header.task);
    if (candidates === undefined) {
      throw new ReplayLookupError(`no trace for the task "${header.task}"`);
    }
    const { trace, step, call, onTrace } = recordAfterPrefix(
      candidates,
      header.prefix.length,
      (recorded) => sharedStartOf(recorded, header.prefix, sameAction),
      role,
    );
    const share = callShares[header.kind];
    const usage: ReplayAnswer['usage'] = {
      inputTokens: tokenShare(call.inputTokens, header.kind),
      outputTokens: tokenShare(call.outputTokens, header.kind),
    };
    const reasoning = (call as { reasoningTokens?: unknown }).reasoningTokens;
    if (typeof reasoning === 'number' && Number.isInteger(reasoning) && reasoning >= 0) {
      usage.reasoningTokens = Math.min(tokenShare(reasoning, header.kind), usage.outputTokens);
    }
    const cached = (call as { cachedInputTokens?: unknown }).cachedInputTokens;
    if (typeof cached === 'number' && Number.isInteger(cached) && cached >= 0) {
      usage.cachedInputTokens = Math.min(tokenShare(cached, header.kind), usage.inputTokens);
    }
    const text = replyText(header.kind, call.action, step);
    const actionSpan = share.last && !isUnparsedAction(call.action) ? toolTagActionSpan(text) : undefined;
    return {
      traceId: trace.id,
      step,
      onTrace,
      action: call.action,
      text,
      latencyMs: call.latencyMs * share.latencyShare,
      usage,
      ...(share.last && call.confidence !== undefined ? { confidence: call.confidence } : {}),
      ...(actionSpan === undefined ? {} : { actionSpan }),
    };
  }
}

/**
 * The reply of a sub-call: the final call of a strategy answers the action in a `<tool>` tag; intermediate calls
 * (thoughts, debate turns) get short text in the same spirit. An action recorded as unparsable is replayed as
 * its original reply, so the client fails to parse it again.
 */
export function replyText(kind: CallKind, action: Action, step: number): string {
  if (isUnparsedAction(action)) {
    return callShares[kind].last ? action.unparsed : 'I am not sure what the next step should be.';
  }
  const name = typeof action === 'string' ? action : JSON.stringify(action);
  const tag = `<tool>${name}</tool>`;
  switch (kind) {
    case 'direct':
    case 'react-action':
      return tag;
    case 'cot':
      return `Step ${step} must work on the output of the plan so far, so the next action is ${tag}`;
    case 'react-thought':
      return `Step ${step} should apply ${name} to what the plan so far produced.`;
    case 'debate-1a':
    case 'debate-1b':
      return `I propose ${name} for step ${step}: it is what the current output still needs. ${tag}`;
    case 'debate-2a':
    case 'debate-2b':
      return `Having weighed the other argument, I still propose ${name}. ${tag}`;
    case 'debate-final':
      return `Both debaters' arguments considered, the next action is ${tag}`;
  }
}
