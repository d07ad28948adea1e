import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import { seededRandom } from '../core/rng.js';
import { SpeculationCancelledError } from '../core/errors.js';
import type { AgentCallOptions, AgentContext, FailedAttempt, Usage } from '../core/types.js';
import { ModelCallError } from '../agents/errors.js';
import type { ModelReply, ModelRequest } from '../agents/strategies.js';
import { liveModelCaller, type LiveCallerOptions, type RequestAttempt } from './live-caller.js';
import { RequestLimiter, isSpeculationSkippedError } from './limiter.js';

const request: ModelRequest = { kind: 'direct', system: 's', prompt: 'p' };

function contextOf(speculative: boolean): AgentContext {
  return { task: { id: 't', text: 'a task' }, prefix: speculative ? ['guess'] : [], step: speculative ? 2 : 1, speculative };
}

/** An attempt function that plays a script: each entry fails with an error after its latency, or answers. */
function scripted(clock: VirtualClock, script: Array<{ ms: number; fail?: ModelCallError; usage?: Usage }>) {
  const starts: number[] = [];
  const attempt: RequestAttempt = async (_request, { signal, onPartialUsage }) => {
    const step = script[Math.min(starts.length, script.length - 1)]!;
    starts.push(clock.now());
    if (step.usage !== undefined) onPartialUsage({ ...step.usage, estimated: true });
    await clock.sleep(step.ms, signal);
    if (step.fail !== undefined) throw step.fail;
    return { text: 'ok', usage: { inputTokens: 10, outputTokens: 2 }, model: 'm' } satisfies ModelReply;
  };
  return { attempt, starts };
}

const unavailable = (retryAfterMs?: number) =>
  new ModelCallError({ model: 'm', message: 'busy', statusCode: 503, retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const rateLimited = (retryAfterMs: number) => new ModelCallError({ model: 'm', message: 'slow down', statusCode: 429, retryable: true, retryAfterMs });

function options(clock: VirtualClock, attempt: RequestAttempt, retries = 2): LiveCallerOptions {
  return { role: 'target', modelName: 'm', attempt, retry: { retries }, random: seededRandom(3), clock };
}

function callOptions(signal: AbortSignal) {
  const attempts: FailedAttempt[] = [];
  const partials: Usage[] = [];
  const value: AgentCallOptions = {
    signal,
    reportPartialUsage: (usage) => partials.push(usage),
    reportFailedAttempt: (attempt) => attempts.push(attempt),
  };
  return { value, attempts, partials };
}

describe('the live caller', () => {
  it('retries transient failures after the server’s wait, reporting each failed attempt with its latency and usage', async () => {
    const clock = new VirtualClock();
    const { attempt, starts } = scripted(clock, [
      { ms: 5, fail: unavailable(100), usage: { inputTokens: 10, outputTokens: 1 } },
      { ms: 7, fail: rateLimited(40) },
      { ms: 3 },
    ]);
    const signal = new AbortController().signal;
    const call = callOptions(signal);
    const caller = liveModelCaller(options(clock, attempt), contextOf(false), call.value);
    const reply = await clock.run(() => caller(request, { signal, onPartialUsage: call.value.reportPartialUsage }));
    expect(reply.text).toBe('ok');
    // Attempt 1 [0,5], wait 100; attempt 2 [105,112], wait 40; attempt 3 [152,155].
    expect(starts).toEqual([0, 105, 152]);
    expect(clock.now()).toBe(155);
    expect(call.attempts.map((failed) => [failed.latencyMs, failed.usage, failed.model, (failed.error as ModelCallError).statusCode])).toEqual([
      [5, { inputTokens: 10, outputTokens: 1, estimated: true }, 'm', 503],
      [7, {}, 'm', 429],
    ]);
    // After each failed attempt the call's running usage starts again from nothing.
    expect(call.partials).toEqual([
      { inputTokens: 10, outputTokens: 1, estimated: true },
      { inputTokens: 0, outputTokens: 0 },
      { inputTokens: 0, outputTokens: 0 },
    ]);
  });

  it('gives up after the allowed retries and throws the last failure', async () => {
    const clock = new VirtualClock();
    const last = unavailable(1);
    const { attempt, starts } = scripted(clock, [{ ms: 1, fail: unavailable(1) }, { ms: 1, fail: last }]);
    const signal = new AbortController().signal;
    const call = callOptions(signal);
    const caller = liveModelCaller(options(clock, attempt, 1), contextOf(false), call.value);
    const failure = await clock.run(() => caller(request, { signal, onPartialUsage: () => undefined })).catch((error: unknown) => error);
    expect(failure).toBe(last);
    expect(starts).toHaveLength(2);
    // The last attempt is the call's own failure, not a repeated attempt.
    expect(call.attempts).toHaveLength(1);
  });

  it('does not retry a speculative request refused with 429', async () => {
    const clock = new VirtualClock();
    const refusal = rateLimited(10);
    const { attempt, starts } = scripted(clock, [{ ms: 2, fail: refusal }, { ms: 2 }]);
    const signal = new AbortController().signal;
    const call = callOptions(signal);
    const caller = liveModelCaller(options(clock, attempt), contextOf(true), call.value);
    await expect(clock.run(() => caller(request, { signal, onPartialUsage: () => undefined }))).rejects.toBe(refusal);
    expect(starts).toHaveLength(1);
  });

  it('stops waiting and does not retry when the round moves on during the backoff', async () => {
    const clock = new VirtualClock();
    const { attempt, starts } = scripted(clock, [{ ms: 2, fail: unavailable(50) }, { ms: 2 }]);
    const controller = new AbortController();
    const reason = new SpeculationCancelledError({ round: 0, lastCommittedStep: 1, why: 'round-ended' });
    const call = callOptions(controller.signal);
    const caller = liveModelCaller(options(clock, attempt), contextOf(true), call.value);
    const failure = clock
      .run(async () => {
        const pending = caller(request, { signal: controller.signal, onPartialUsage: () => undefined });
        await clock.sleep(10);
        controller.abort(reason);
        return pending;
      })
      .catch((error: unknown) => error);
    expect(await failure).toBe(reason);
    expect(starts).toEqual([0]);
    expect(clock.now()).toBe(10);
  });

  it('retries a committed request refused while speculation was in flight without using up a retry, cutting speculation', async () => {
    const clock = new VirtualClock();
    const limiter = new RequestLimiter({ maxConcurrency: 4, reservedForCommitted: 1 });
    // A speculative request in flight that only ends when its signal aborts.
    const speculative = limiter
      .run('speculative', new AbortController().signal, (sendSignal) =>
        new Promise<never>((_resolve, reject) => sendSignal.addEventListener('abort', () => reject(sendSignal.reason as Error), { once: true })),
      )
      .catch((error: unknown) => error);
    const { attempt, starts } = scripted(clock, [{ ms: 2, fail: rateLimited(5) }, { ms: 3 }]);
    const signal = new AbortController().signal;
    const call = callOptions(signal);
    const caller = liveModelCaller({ ...options(clock, attempt, 0), limiter }, contextOf(false), call.value);
    const reply = await clock.run(() => caller(request, { signal, onPartialUsage: () => undefined }));
    expect(reply.text).toBe('ok');
    // No retries allowed, yet the refused attempt was repeated: speculation was in flight, and was cut for it.
    expect(starts).toEqual([0, 7]);
    expect(isSpeculationSkippedError(await speculative)).toBe(true);
    expect(limiter.speculationAllowed).toBe(true);

    // With nothing speculative in flight, the same refusal uses up the retry it needs: none is left.
    const again = scripted(clock, [{ ms: 2, fail: rateLimited(5) }, { ms: 3 }]);
    const strict = liveModelCaller({ ...options(clock, again.attempt, 0), limiter }, contextOf(false), call.value);
    await expect(clock.run(() => strict(request, { signal, onPartialUsage: () => undefined }))).rejects.toThrow(/HTTP 429/);
  });

  it('treats a speculative call as the committed path once its guesses are confirmed: a 429 is then retried', async () => {
    const clock = new VirtualClock();
    const { attempt, starts } = scripted(clock, [{ ms: 2, fail: rateLimited(5) }, { ms: 3 }]);
    const signal = new AbortController().signal;
    const call = callOptions(signal);
    let confirm: () => void = () => undefined;
    call.value.onPrefixConfirmed = (listener) => {
      confirm = listener;
      return () => undefined;
    };
    const limiter = new RequestLimiter({ maxConcurrency: 4, reservedForCommitted: 1 });
    const caller = liveModelCaller({ ...options(clock, attempt), limiter }, contextOf(true), call.value);
    const reply = await clock.run(async () => {
      const pending = caller(request, { signal, onPartialUsage: () => undefined });
      // The engine confirms the call's guesses while its first request is in flight.
      await clock.sleep(1);
      confirm();
      return pending;
    });
    expect(reply.text).toBe('ok');
    expect(starts).toEqual([0, 7]);
    expect(limiter.stats.promoted).toBe(1);
    expect(call.attempts).toHaveLength(1);
  });
});
