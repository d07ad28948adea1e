/**
 * Planning strategies over any action space. Each turns (task, plan prefix, action space) into one or more model
 * calls in our prompt format (`prompt-format.ts`) and returns the step's action with the summed usage of its calls.
 *
 * - `direct` (approximation): one call, answer with the action only.
 * - `cot` (approximation): one call, think step by step, then the action.
 * - `react` (target): a thought call, then an action call that sees the thought.
 * - `debate` (target): two debaters argue for two rounds (the two debaters of a round are called concurrently),
 *   then a judge gives the final answer: five calls per step.
 *
 * Strategies only build prompts and combine replies; the model behind them is a `ModelCaller` (see `ai-sdk.ts` for
 * one made from an AI SDK `LanguageModel`).
 */
import { InvalidInputError } from '../core/errors.js';
import type { Action, Agent, AgentResult, TaskInput, Usage } from '../core/types.js';
import { type ActionSpace, unparsedAction } from './action-space.js';
import { spanConfidence, type TokenLogprob } from './logprobs.js';
import { NoActionError } from './errors.js';
import { type CallKind, renderPrompt } from './prompt-format.js';
import { sumUsage } from './usage.js';

/** One request to a language model. */
/**
 * The kind of a model request: a strategy's sub-call, or `planner`, the model call of a tool (TravelPlanner's
 * Planner, which writes the plan from the notebook).
 */
export type RequestKind = CallKind | 'planner';

export interface ModelRequest {
  /** Which sub-call of the strategy this is (also written on the prompt's `Call:` line), or `planner`. */
  kind: RequestKind;
  /** The system message. */
  system: string;
  /** The user message, in our prompt format. */
  prompt: string;
}

/** A model's reply to one request. */
export interface ModelReply {
  /** The reply's text (reasoning excluded). */
  text: string;
  /** Token usage of the call; undefined fields are unknown. */
  usage: Usage;
  /** The model that answered, for pricing. */
  model?: string;
  /** The log-probabilities of the reply's tokens, when they were asked for and the provider gave them. */
  logprobs?: readonly TokenLogprob[];
}

/** Per-request options of a `ModelCaller`. */
export interface ModelCallOptions {
  /** Cancels the request; the caller then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Receives usage so far while the reply streams (and a final estimate when the call is cancelled). */
  onPartialUsage: (usage: Usage) => void;
}

/** Calls a language model once. Must reject with `signal.reason` when the signal aborts. */
export type ModelCaller = (request: ModelRequest, options: ModelCallOptions) => Promise<ModelReply>;

/** What a strategy plans from. */
export interface StrategyInput {
  task: TaskInput;
  /** The plan so far (committed steps, then speculative guesses). */
  prefix: readonly Action[];
  actionSpace: ActionSpace;
}

/** A strategy: the model calls of one step. */
export interface PlanningStrategy {
  /** The strategy's name, e.g. `react`. */
  readonly name: string;
  /** How many model calls one step makes. */
  readonly callsPerStep: number;
  /** Makes the step's calls through `session` and returns the final reply (the one the action is read from). */
  run(input: StrategyInput, session: CallSession): Promise<string>;
}

/** The built-in strategies' names. */
export const strategyNames = ['direct', 'cot', 'react', 'debate'] as const;

/** A built-in strategy's name. */
export type StrategyName = (typeof strategyNames)[number];

/** The result of running a strategy for one step. */
export interface StrategyResult {
  /** The reply the action is read from. */
  finalReply: string;
  /** Summed usage of all the step's calls. */
  usage: Usage;
  /** The model that answered (the last call's). */
  model: string | undefined;
  /** Number of model calls made. */
  calls: number;
  /** The log-probabilities of the final reply's tokens, when its call returned them. */
  finalLogprobs?: readonly TokenLogprob[];
}

/**
 * The model calls of one step: runs them, sums their usage and reports the running total (finished calls plus the
 * partial usage of calls in flight) through `reportPartialUsage`.
 */
export class CallSession {
  private readonly finished: Usage[] = [];
  /** The replies that came with log-probabilities, in the order they finished. */
  private readonly scoredReplies: Array<{ text: string; logprobs: readonly TokenLogprob[] }> = [];
  private readonly inFlight = new Map<number, Usage>();
  private nextCallId = 0;
  private lastModel: string | undefined;

  constructor(
    private readonly callModel: ModelCaller,
    private readonly signal: AbortSignal,
    private readonly reportPartialUsage: (usage: Usage) => void,
  ) {}

  /** Number of calls made so far. */
  get calls(): number {
    return this.nextCallId;
  }

  /** The model of the last call that answered. */
  get model(): string | undefined {
    return this.lastModel;
  }

  /** The log-probabilities of the last finished reply with this text, when its call returned them. */
  logprobsOf(text: string): readonly TokenLogprob[] | undefined {
    return this.scoredReplies.findLast((reply) => reply.text === text)?.logprobs;
  }

  /** Usage of all calls so far (in-flight calls by their latest partial report). */
  usage(): Usage {
    return sumUsage([...this.finished, ...this.inFlight.values()]);
  }

  /** Makes one call and returns the reply text. */
  async call(request: ModelRequest, signal: AbortSignal = this.signal): Promise<string> {
    signal.throwIfAborted();
    const id = this.nextCallId++;
    this.inFlight.set(id, {});
    try {
      const reply = await this.callModel(request, {
        signal,
        onPartialUsage: (usage) => {
          if (!this.inFlight.has(id)) return;
          this.inFlight.set(id, { ...usage, estimated: true });
          this.reportPartialUsage(this.usage());
        },
      });
      this.inFlight.delete(id);
      this.finished.push(reply.usage);
      if (reply.model !== undefined) this.lastModel = reply.model;
      if (reply.logprobs !== undefined) this.scoredReplies.push({ text: reply.text, logprobs: reply.logprobs });
      this.reportPartialUsage(this.usage());
      return reply.text;
    } catch (error) {
      // A failed or cancelled call is billed by its last partial report.
      const partial = this.inFlight.get(id) ?? {};
      this.inFlight.delete(id);
      this.finished.push({ ...partial, estimated: true });
      this.reportPartialUsage(this.usage());
      throw error;
    }
  }

  /**
   * Makes several calls concurrently and returns their replies in order. If one fails, the others are cancelled
   * (with the failure as reason) and the first failure is thrown once all have settled.
   */
  async callTogether(requests: readonly ModelRequest[]): Promise<string[]> {
    const group = new AbortController();
    const onAbort = (): void => group.abort(this.signal.reason);
    if (this.signal.aborted) onAbort();
    else this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const settled = await Promise.allSettled(
        requests.map((request) =>
          this.call(request, group.signal).catch((error: unknown) => {
            if (!group.signal.aborted) group.abort(error);
            throw error;
          }),
        ),
      );
      const texts: string[] = [];
      for (const outcome of settled) {
        if (outcome.status === 'rejected') throw firstFailure(settled, this.signal);
        texts.push(outcome.value);
      }
      return texts;
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }
}

function firstFailure(settled: PromiseSettledResult<string>[], signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  const rejected = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  return rejected?.reason;
}

/** The system message shared by all strategies: the role, the action space and the answer format. */
export function systemPrompt(actionSpace: ActionSpace, role: string): string {
  return [
    `${role} You plan a task one step at a time; each step is exactly one action from the action space below.`,
    actionSpace.describe(),
    'Each user message starts with a header: the call, the task, the plan so far and the step to plan.',
    'Write the action you choose as <tool>ACTION</tool>, with the action exactly as listed.',
  ].join('\n\n');
}

const plannerRole = 'You are a careful planner.';

function prompt(kind: CallKind, input: StrategyInput, body: string): ModelRequest {
  return {
    kind,
    system: systemPrompt(input.actionSpace, plannerRole),
    prompt: renderPrompt({ kind, task: input.task.text, prefix: input.prefix }, body),
  };
}

/** One call: the next action only. */
export const directStrategy: PlanningStrategy = {
  name: 'direct',
  callsPerStep: 1,
  run: (input, session) =>
    session.call(prompt('direct', input, 'Answer with the next action only, as <tool>ACTION</tool>. Do not explain.')),
};

/** One call: think step by step, then the action. */
export const cotStrategy: PlanningStrategy = {
  name: 'cot',
  callsPerStep: 1,
  run: (input, session) =>
    session.call(
      prompt(
        'cot',
        input,
        'Think step by step: what does the task need, what has the plan already done, what must come next? ' +
          'Then end your answer with the next action as <tool>ACTION</tool>.',
      ),
    ),
};

/** Two calls: a thought, then the action given that thought. */
export const reactStrategy: PlanningStrategy = {
  name: 'react',
  callsPerStep: 2,
  run: async (input, session) => {
    const thought = await session.call(
      prompt(
        'react-thought',
        input,
        'Thought: in one or two sentences, reason about what the next step must do. Do not give the action yet.',
      ),
    );
    return session.call(
      prompt(
        'react-action',
        input,
        `Thought: ${thought.trim()}\n\nNow give the next action as <tool>ACTION</tool>.`,
      ),
    );
  },
};

/** Five calls: two debaters for two rounds (each round's two calls run concurrently), then a judge. */
export const debateStrategy: PlanningStrategy = {
  name: 'debate',
  callsPerStep: 5,
  run: async (input, session) => {
    const opening = (debater: 'A' | 'B'): string =>
      `You are debater ${debater}. Propose the next action with a short argument, and end with <tool>ACTION</tool>.`;
    const [firstA, firstB] = (await session.callTogether([
      prompt('debate-1a', input, opening('A')),
      prompt('debate-1b', input, opening('B')),
    ])) as [string, string];
    const roundOne = `Round 1, debater A:\n${firstA.trim()}\n\nRound 1, debater B:\n${firstB.trim()}`;
    const rebuttal = (debater: 'A' | 'B'): string =>
      `${roundOne}\n\nYou are debater ${debater}. Weigh the other debater's argument, then give your final ` +
      'proposal with a short argument, ending with <tool>ACTION</tool>.';
    const [secondA, secondB] = (await session.callTogether([
      prompt('debate-2a', input, rebuttal('A')),
      prompt('debate-2b', input, rebuttal('B')),
    ])) as [string, string];
    return session.call(
      prompt(
        'debate-final',
        input,
        `${roundOne}\n\nRound 2, debater A:\n${secondA.trim()}\n\nRound 2, debater B:\n${secondB.trim()}\n\n` +
          'You are the judge. Decide the next action and answer with <tool>ACTION</tool>.',
      ),
    );
  },
};

/** The built-in strategies by name. */
export const strategies: Readonly<Record<StrategyName, PlanningStrategy>> = {
  direct: directStrategy,
  cot: cotStrategy,
  react: reactStrategy,
  debate: debateStrategy,
};

/**
 * The built-in strategy of a name; throws `InvalidInputError` listing the valid names, naming `source` (default
 * `strategy name`; a command passes its option, e.g. `--target-strategy`).
 */
export function strategyByName(name: string, source = 'strategy name'): PlanningStrategy {
  const strategy = (strategies as Record<string, PlanningStrategy | undefined>)[name];
  if (strategy === undefined) {
    throw new InvalidInputError(`unknown strategy "${name}"; valid strategies: ${strategyNames.join(', ')}`, { source });
  }
  return strategy;
}

/** Runs one step of a strategy. Rejects with `signal.reason` when cancelled (after reporting partial usage). */
export async function runStrategy(
  strategy: PlanningStrategy,
  input: StrategyInput,
  callModel: ModelCaller,
  options: { signal: AbortSignal; reportPartialUsage?: (usage: Usage) => void },
): Promise<StrategyResult> {
  const session = new CallSession(callModel, options.signal, options.reportPartialUsage ?? (() => undefined));
  const finalReply = await strategy.run(input, session);
  const finalLogprobs = session.logprobsOf(finalReply);
  return { finalReply, usage: session.usage(), model: session.model, calls: session.calls, ...(finalLogprobs === undefined ? {} : { finalLogprobs }) };
}

/** A reply with no parsable action, as told to `onParseFailure`. */
export interface ParseFailure {
  taskId: string;
  step: number;
  /** Why the reply could not be parsed. */
  reason: string;
  /** The reply. */
  reply: string;
  /** What the agent did: returned a never-matching action (`mismatch`) or threw `NoActionError` (`throw`). */
  outcome: 'mismatch' | 'throw';
}

/** Options of `createStrategyAgent`. */
export interface StrategyAgentOptions {
  /** A built-in strategy's name or a strategy. */
  strategy: StrategyName | PlanningStrategy;
  actionSpace: ActionSpace;
  callModel: ModelCaller;
  /**
   * What to do with a reply that has no parsable action: `mismatch` returns an action that matches nothing (right
   * for the approximation agent: the guess simply fails), `throw` rejects with `NoActionError` (right for the
   * target agent, whose answer would otherwise be committed). Default `throw`.
   */
  onUnparsable?: 'mismatch' | 'throw';
  /** Told about every reply with no parsable action (e.g. to log it). */
  onParseFailure?: (failure: ParseFailure) => void;
}

/** An engine `Agent` that plans each step with a strategy over an action space. */
export function createStrategyAgent(options: StrategyAgentOptions): Agent {
  const strategy = typeof options.strategy === 'string' ? strategyByName(options.strategy) : options.strategy;
  const onUnparsable = options.onUnparsable ?? 'throw';
  return async (context, callOptions): Promise<AgentResult> => {
    const result = await runStrategy(
      strategy,
      { task: context.task, prefix: context.prefix, actionSpace: options.actionSpace },
      options.callModel,
      { signal: callOptions.signal, reportPartialUsage: callOptions.reportPartialUsage },
    );
    const parsed = options.actionSpace.parse(result.finalReply);
    let action: Action;
    if (parsed.ok) {
      action = parsed.action;
    } else {
      options.onParseFailure?.({
        taskId: context.task.id,
        step: context.step,
        reason: parsed.reason,
        reply: result.finalReply,
        outcome: onUnparsable,
      });
      if (onUnparsable === 'throw') {
        throw new NoActionError({ reply: result.finalReply, reason: parsed.reason, model: result.model, step: context.step });
      }
      action = unparsedAction(result.finalReply);
    }
    const agentResult: AgentResult = { action, usage: result.usage };
    if (result.model !== undefined) agentResult.model = result.model;
    // The agent's confidence: the probability of the tokens that spell the action, when the provider gave them.
    if (parsed.ok && parsed.span !== undefined && result.finalLogprobs !== undefined) {
      const confidence = spanConfidence(result.finalReply, result.finalLogprobs, parsed.span);
      if (confidence !== undefined) agentResult.confidence = confidence;
    }
    return agentResult;
  };
}
