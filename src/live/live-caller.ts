/**
 * The model requests of a live agent call: each request of a strategy goes through this caller, which waits for
 * the run's limits (`limiter.ts`, the committed path first), checks the budgets with the request's estimate
 * (`budget.ts`), repeats transient failures (`retry.ts`) and tells the engine about every failed attempt, so that
 * the ledger keeps one record per attempt (status `failed`, with its latency and what it consumed).
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/rng.js';
import type { AgentCallOptions, AgentContext, Role, Usage } from '../core/types.js';
import type { ModelCallOptions, ModelCaller, ModelReply, ModelRequest } from '../agents/strategies.js';
import { isModelCallError } from '../agents/errors.js';
import { countPromptTokens, encodingForModel, loadedTokenCounter } from '../agents/tokenizer.js';
import { speculationRefused, type BudgetReservation, type RunBudget } from './budget.js';
import type { RequestTrace, RunTelemetry } from './telemetry.js';
import {
  SpeculationSkippedError,
  type LimitedRequestOptions,
  type RequestAdmission,
  type RequestLimiter,
  type RequestPriority,
  type RequestPromotion,
} from './limiter.js';
import type { TokenEstimates } from './token-estimates.js';
import { decideRetry, type RetrySettings } from './retry.js';

/** One attempt of a request: a plain model call (e.g. `callLanguageModel`). */
export type RequestAttempt = (request: ModelRequest, options: ModelCallOptions) => Promise<ModelReply>;

/** What a live caller is made of. */
export interface LiveCallerOptions {
  /** Which agent the requests are for. */
  role: Role;
  /** The model's name, for the ledger and telemetry. */
  modelName: string;
  /** Makes one attempt of a request. */
  attempt: RequestAttempt;
  retry: RetrySettings;
  /** Draws the backoff jitter. */
  random: Random;
  /** Measures attempts and waits out backoffs. */
  clock: Clock;
  /** Limits the run's requests, the committed path first. Default: no limits. */
  limiter?: RequestLimiter;
  /** The run's budgets, checked before each request is sent. Default: none. */
  budget?: RunBudget;
  /**
   * What the run learnt of its requests' tokens, for the estimate of a request under a tokens-per-minute limit (see
   * `token-estimates.ts`). Default: none (the prompt's count only).
   */
  tokenEstimates?: TokenEstimates;
  /** Told about every request sent, for the run's traces. Default: none. */
  telemetry?: RunTelemetry;
  /** The provider of the model (`gen_ai.provider.name`), e.g. `openai`. Default `unknown`. */
  provider?: string;
}

/**
 * The `ModelCaller` for one agent call: its requests are retried by the rules of `retry.ts`; a failed attempt that
 * is repeated is reported through `callOptions.reportFailedAttempt`, and the call's partial usage starts again
 * from nothing for the next attempt (the failed attempt is billed in its own record).
 */
export function liveModelCaller(options: LiveCallerOptions, context: AgentContext, callOptions: AgentCallOptions): ModelCaller {
  const { attempt, clock, random, retry, modelName, limiter, budget, telemetry, tokenEstimates } = options;
  const { speculative, priority, promotion } = callStanding(options.role, context, callOptions);
  const admit = (runBudget: RunBudget, request: ModelRequest, inputTokens: number): BudgetReservation => {
    const { spend } = runBudget.estimate(modelName, request.kind, inputTokens);
    const admitted = runBudget.admit({ taskId: context.task.id, model: modelName, kind: request.kind, committed: priority() === 'committed', estimate: spend });
    if (admitted === speculationRefused) throw new SpeculationSkippedError('the rest of the budget is kept for the committed path');
    return admitted;
  };
  /** The request's options for the limiter: its estimated tokens (with a token limit) and its promotion. */
  const limitedRequest = (request: ModelRequest, inputTokens: number | undefined): LimitedRequestOptions => ({
    ...(inputTokens === undefined ? {} : { estimatedTokens: tokenEstimates?.estimate(modelName, request.kind, inputTokens) ?? inputTokens }),
    ...(speculative() ? { promotion } : {}),
  });
  const traceOf = (request: ModelRequest, attemptNumber: number, startMs: number): Omit<RequestTrace, 'usage'> => ({
    taskId: context.task.id,
    callId: callOptions.callId,
    role: options.role,
    kind: request.kind,
    model: modelName,
    provider: options.provider ?? 'unknown',
    speculative: context.speculative,
    attempt: attemptNumber,
    startMs,
    endMs: clock.now(),
  });
  return async (request, requestOptions) => {
    const { signal } = requestOptions;
    let retriesDone = 0;
    // Counted once for all attempts: the prompt does not change.
    const inputTokens = budget !== undefined || limiter?.countsTokens === true ? inputTokensOf(modelName, request) : undefined;
    for (let attemptNumber = 0; ; attemptNumber += 1) {
      signal.throwIfAborted();
      let startMs = clock.now();
      let usage: Usage = {};
      const send = async (sendSignal: AbortSignal, admission?: RequestAdmission): Promise<ModelReply> => {
        // An attempt's time is its time in flight, not its wait for a slot.
        startMs = clock.now();
        const reservation = budget === undefined ? undefined : admit(budget, request, inputTokens!);
        try {
          const reply = await attempt(request, {
            signal: sendSignal,
            onPartialUsage: (partial) => {
              usage = partial;
              requestOptions.onPartialUsage(partial);
            },
          });
          reservation?.settle(reply.usage, reply.model);
          learnFromReply(reply.usage, { modelName, kind: request.kind, inputTokens }, tokenEstimates, admission);
          telemetry?.requestEnded({ ...traceOf(request, attemptNumber, startMs), usage: reply.usage, ...(reply.model === undefined ? {} : { responseModel: reply.model }) });
          return reply;
        } catch (error) {
          // Billed like the ledger bills it: the estimate of what was sent and streamed.
          reservation?.settle(usage, modelName);
          telemetry?.requestEnded({ ...traceOf(request, attemptNumber, startMs), usage, error });
          throw error;
        }
      };
      try {
        const reply =
          limiter === undefined ? await send(signal) : await limiter.run(priority(), signal, send, limitedRequest(request, inputTokens));
        limiter?.noteSuccess();
        return reply;
      } catch (error) {
        const rateLimited = isModelCallError(error) && error.statusCode === 429;
        // Speculation in flight was cut to make room: the committed path retries without using up a retry.
        const free = rateLimited && limiter?.noteRateLimited() === true && priority() === 'committed';
        const decision = decideRetry(
          { error, retriesDone, speculative: speculative(), cancelled: signal.aborted, free },
          retry,
          random,
        );
        if (!decision.retry) {
          // A request refused before it was sent, or failed before any reply, consumed nothing we know of: say so,
          // so that the call's other requests (a react thought before its action) stay billed.
          if (Object.keys(usage).length === 0) requestOptions.onPartialUsage({ inputTokens: 0, outputTokens: 0 });
          throw error;
        }
        if (!free) retriesDone += 1;
        callOptions.reportFailedAttempt?.({ latencyMs: clock.now() - startMs, usage, model: modelName, error });
        // The failed attempt has its own record: the call's running usage starts again from nothing.
        requestOptions.onPartialUsage({ inputTokens: 0, outputTokens: 0 });
        await clock.sleep(decision.delayMs, signal);
      }
    }
  };
}

/**
 * What a reply's usage, as its provider reported it, teaches: the tokens to expect of the next request of its kind,
 * and the tokens that replace the request's estimate in the tokens-per-minute window.
 */
function learnFromReply(
  usage: Usage,
  request: { modelName: string; kind: string; inputTokens: number | undefined },
  tokenEstimates: TokenEstimates | undefined,
  admission: RequestAdmission | undefined,
): void {
  if (usage.estimated === true) return;
  tokenEstimates?.observe(request.modelName, request.kind, request.inputTokens, usage);
  if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) admission?.reportTokens(usage.inputTokens + usage.outputTokens);
}

/** The prompt's tokens, counted with the model's tokenizer. */
function inputTokensOf(modelName: string, request: ModelRequest): number {
  const counter = loadedTokenCounter(encodingForModel(modelName));
  // The tokenizer is preloaded for a live run; without it, about four characters make a token.
  return counter === undefined
    ? Math.ceil((request.system.length + request.prompt.length) / 4)
    : countPromptTokens(counter, [request.system, request.prompt]);
}

/**
 * Where an agent call's requests stand: speculative until every guess of its prefix is confirmed (the engine says
 * so through `onPrefixConfirmed`), then on the true prefix — T's on the committed path. `promotion` tells the
 * limiter about that moment for a request waiting or in flight.
 */
function callStanding(
  role: Role,
  context: AgentContext,
  callOptions: AgentCallOptions,
): { speculative: () => boolean; priority: () => RequestPriority; promotion: RequestPromotion } {
  let confirmed = false;
  const listeners = new Set<() => void>();
  callOptions.onPrefixConfirmed?.(() => {
    confirmed = true;
    for (const listener of [...listeners]) listener();
  });
  const onTruePrefix: RequestPriority = role === 'target' ? 'committed' : 'approx-true-prefix';
  const speculative = (): boolean => context.speculative && !confirmed;
  return {
    speculative,
    priority: () => (speculative() ? 'speculative' : onTruePrefix),
    promotion: {
      to: onTruePrefix,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
}
