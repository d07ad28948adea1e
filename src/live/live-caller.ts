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
import { SpeculationSkippedError, type RequestLimiter, type RequestPriority } from './limiter.js';
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
  const { attempt, clock, random, retry, modelName, limiter, budget, telemetry } = options;
  const priority: RequestPriority = context.speculative ? 'speculative' : options.role === 'target' ? 'committed' : 'approx-true-prefix';
  const admit = (runBudget: RunBudget, request: ModelRequest): BudgetReservation => {
    const counter = loadedTokenCounter(encodingForModel(modelName));
    // The tokenizer is preloaded for a live run; without it, about four characters make a token.
    const inputTokens =
      counter === undefined ? Math.ceil((request.system.length + request.prompt.length) / 4) : countPromptTokens(counter, [request.system, request.prompt]);
    const { spend } = runBudget.estimate(modelName, request.kind, inputTokens);
    const admitted = runBudget.admit({ taskId: context.task.id, model: modelName, kind: request.kind, committed: priority === 'committed', estimate: spend });
    if (admitted === speculationRefused) throw new SpeculationSkippedError('the rest of the budget is kept for the committed path');
    return admitted;
  };
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
    for (let attemptNumber = 0; ; attemptNumber += 1) {
      signal.throwIfAborted();
      let startMs = clock.now();
      let usage: Usage = {};
      const send = async (sendSignal: AbortSignal): Promise<ModelReply> => {
        // An attempt's time is its time in flight, not its wait for a slot.
        startMs = clock.now();
        const reservation = budget === undefined ? undefined : admit(budget, request);
        try {
          const reply = await attempt(request, {
            signal: sendSignal,
            onPartialUsage: (partial) => {
              usage = partial;
              requestOptions.onPartialUsage(partial);
            },
          });
          reservation?.settle(reply.usage, reply.model);
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
        const reply = limiter === undefined ? await send(signal) : await limiter.run(priority, signal, send);
        limiter?.noteSuccess();
        return reply;
      } catch (error) {
        const rateLimited = isModelCallError(error) && error.statusCode === 429;
        // Speculation in flight was cut to make room: the committed path retries without using up a retry.
        const free = rateLimited && limiter?.noteRateLimited() === true && priority === 'committed';
        const decision = decideRetry(
          { error, retriesDone, speculative: context.speculative, cancelled: signal.aborted, free },
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
