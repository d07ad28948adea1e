/**
 * The model requests of a live agent call: each request of a strategy goes through this caller, which repeats
 * transient failures (`retry.ts`) and tells the engine about every failed attempt, so that the ledger keeps one
 * record per attempt (status `failed`, with its latency and what it consumed).
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/rng.js';
import type { AgentCallOptions, AgentContext, Role, Usage } from '../core/types.js';
import type { ModelCallOptions, ModelCaller, ModelReply, ModelRequest } from '../agents/strategies.js';
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
}

/**
 * The `ModelCaller` for one agent call: its requests are retried by the rules of `retry.ts`; a failed attempt that
 * is repeated is reported through `callOptions.reportFailedAttempt`, and the call's partial usage starts again
 * from nothing for the next attempt (the failed attempt is billed in its own record).
 */
export function liveModelCaller(options: LiveCallerOptions, context: AgentContext, callOptions: AgentCallOptions): ModelCaller {
  const { attempt, clock, random, retry, modelName } = options;
  return async (request, requestOptions) => {
    const { signal } = requestOptions;
    for (let retriesDone = 0; ; retriesDone += 1) {
      signal.throwIfAborted();
      const startMs = clock.now();
      let usage: Usage = {};
      try {
        return await attempt(request, {
          signal,
          onPartialUsage: (partial) => {
            usage = partial;
            requestOptions.onPartialUsage(partial);
          },
        });
      } catch (error) {
        const decision = decideRetry(
          { error, retriesDone, speculative: context.speculative, cancelled: signal.aborted },
          retry,
          random,
        );
        if (!decision.retry) throw error;
        callOptions.reportFailedAttempt?.({ latencyMs: clock.now() - startMs, usage, model: modelName, error });
        // The failed attempt has its own record: the call's running usage starts again from nothing.
        requestOptions.onPartialUsage({ inputTokens: 0, outputTokens: 0 });
        await clock.sleep(decision.delayMs, signal);
      }
    }
  };
}
