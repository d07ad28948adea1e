/**
 * Retries of failed model requests, as the AI SDK and the OpenAI SDK do them: transient failures only (HTTP 408,
 * 409, 429, 5xx, a connection refused or reset, a reply stream that broke off, a timeout —
 * `ModelCallError.retryable`), twice by default, after an exponential backoff with jitter, or after the wait the
 * server asked for (`retry-after-ms`, `retry-after`).
 *
 * Three rules are ours, because a speculative request is worth less than the one the plan needs now:
 * - nothing is retried once the call's signal has aborted (its round has moved on, or the run stopped);
 * - a speculative request refused with 429 is not retried: a rate limit should shrink speculation before it slows
 *   the committed path (the engine launches T again on the true prefix if the plan turns out to need it);
 * - a committed-path request refused with 429 while speculation was in flight (and is cut for it) is retried
 *   without using up a retry (`free`): speculation must never make a run more fragile than T alone.
 *
 * Pure: the random source is a parameter, so that tests can seed the jitter.
 */
import type { Random } from '../core/rng.js';
import { isModelCallError } from '../agents/errors.js';

/** How failed requests are retried. Every field is optional; see `retryDefaults`. */
export interface RetrySettings {
  /** Retries after the first attempt of a request (0 = none). Default 2, like the AI SDK and the OpenAI SDK. */
  retries?: number;
  /** The backoff before the first retry, in milliseconds. Default 500; it doubles with each retry. */
  initialDelayMs?: number;
  /** The longest backoff, in milliseconds. Default 8000. */
  maxDelayMs?: number;
  /** Jitter: each backoff is multiplied by a uniform factor in [1 − jitter, 1]. Default 0.25. */
  jitter?: number;
  /**
   * The longest server-requested wait that is honoured, in milliseconds; a longer `retry-after` falls back to the
   * backoff (the AI SDK does the same). Default 60000.
   */
  maxRetryAfterMs?: number;
}

/** The defaults of `RetrySettings` (the OpenAI SDK's: 2 retries, 0.5 s doubling to at most 8 s, 25 % jitter). */
export const retryDefaults = {
  retries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  jitter: 0.25,
  maxRetryAfterMs: 60_000,
} as const satisfies Required<RetrySettings>;

/** What happened to a request, as far as a retry is concerned. */
export interface FailedRequest {
  /** What the request threw. */
  error: unknown;
  /** Retries already made for this request (0 after the first attempt failed). */
  retriesDone: number;
  /** Whether the request was speculative (its prefix held guesses not confirmed yet). */
  speculative: boolean;
  /** Whether the call's signal has aborted (its round moved on, or the run stopped). */
  cancelled: boolean;
  /**
   * A retry that does not count against `retries`: the committed path was refused (429) while speculative requests
   * were in flight, which were cut to make room. Speculation must never make a run more fragile.
   */
  free?: boolean;
}

/** Whether to retry a failed request, and after how long. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'cancelled' | 'not-transient' | 'no-retries-left' | 'speculative-rate-limited' };

/** Decides whether a failed request is retried (see the rules above), and the wait before it. */
export function decideRetry(failed: FailedRequest, settings: RetrySettings, random: Random): RetryDecision {
  if (failed.cancelled) return { retry: false, reason: 'cancelled' };
  const { error } = failed;
  if (!isModelCallError(error) || !error.retryable) return { retry: false, reason: 'not-transient' };
  if (failed.free !== true && failed.retriesDone >= (settings.retries ?? retryDefaults.retries)) {
    return { retry: false, reason: 'no-retries-left' };
  }
  if (failed.speculative && error.statusCode === 429) return { retry: false, reason: 'speculative-rate-limited' };
  return { retry: true, delayMs: retryDelayMs(failed.retriesDone, error.retryAfterMs, settings, random) };
}

/**
 * The wait before retry number `retriesDone + 1`: the server's `retryAfterMs` when it gave one no longer than
 * `maxRetryAfterMs`, else `min(initialDelayMs × 2^retriesDone, maxDelayMs)` times a jitter factor in [1 − jitter, 1].
 */
export function retryDelayMs(
  retriesDone: number,
  retryAfterMs: number | undefined,
  settings: RetrySettings,
  random: Random,
): number {
  const maxRetryAfterMs = settings.maxRetryAfterMs ?? retryDefaults.maxRetryAfterMs;
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= maxRetryAfterMs) return retryAfterMs;
  const initial = settings.initialDelayMs ?? retryDefaults.initialDelayMs;
  const max = settings.maxDelayMs ?? retryDefaults.maxDelayMs;
  const jitter = settings.jitter ?? retryDefaults.jitter;
  return Math.min(initial * 2 ** retriesDone, max) * (1 - jitter * random());
}
