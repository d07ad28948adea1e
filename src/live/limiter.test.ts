import { describe, expect, it } from 'vitest';
import { RequestLimiter, isSpeculationSkippedError, type RequestPriority } from './limiter.js';

/** A request that runs until released; `started` tells whether the limiter let it start. */
interface HeldRequest {
  name: string;
  started: boolean;
  finish: () => void;
  result: Promise<string>;
}

/** Lets promise continuations run (p-queue starts the next request in a microtask). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function hold(limiter: RequestLimiter, priority: RequestPriority, name: string, signal = new AbortController().signal): HeldRequest {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: HeldRequest = { name, started: false, finish: () => release(), result: Promise.resolve(name) };
  held.result = limiter.run(priority, signal, async (sendSignal) => {
    held.started = true;
    // Like a real request, it ends at once when the signal it was sent with aborts.
    await Promise.race([
      released,
      new Promise((_resolve, reject) => sendSignal.addEventListener('abort', () => reject(sendSignal.reason as Error), { once: true })),
    ]);
    return name;
  });
  held.result.catch(() => undefined);
  return held;
}

describe('the request limiter', () => {
  it('never has more than maxConcurrency requests in flight', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 2, reservedForCommitted: 0 });
    const requests = ['a', 'b', 'c', 'd'].map((name) => hold(limiter, 'committed', name));
    await settle();
    expect(requests.map((request) => request.started)).toEqual([true, true, false, false]);
    requests[0]!.finish();
    await settle();
    expect(requests.map((request) => request.started)).toEqual([true, true, true, false]);
    for (const request of requests) request.finish();
    expect(await Promise.all(requests.map((request) => request.result))).toEqual(['a', 'b', 'c', 'd']);
    expect(limiter.stats.peakInFlight).toBe(2);
  });

  it('keeps slots for the committed path: a committed request never waits behind speculation', async () => {
    // Three slots, one kept: speculation may hold two at most, so the committed request starts at once.
    const limiter = new RequestLimiter({ maxConcurrency: 3, reservedForCommitted: 1 });
    const speculative = ['s1', 's2', 's3', 's4'].map((name) => hold(limiter, 'speculative', name));
    await settle();
    expect(speculative.map((request) => request.started)).toEqual([true, true, false, false]);
    const committed = hold(limiter, 'committed', 'c');
    await settle();
    expect(committed.started).toBe(true);
    // A second committed request (another task) waits for a slot, but ahead of the speculative ones.
    const second = hold(limiter, 'committed', 'c2');
    await settle();
    expect(second.started).toBe(false);
    committed.finish();
    await settle();
    expect(second.started).toBe(true);
    expect(speculative.map((request) => request.started)).toEqual([true, true, false, false]);
    for (const request of [...speculative, second]) request.finish();
    await Promise.all([...speculative, second].map((request) => request.result));
    expect(limiter.stats.peakSpeculativeInFlight).toBe(2);
  });

  it('serves waiting requests by priority: committed, then A on the true prefix, then speculation', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 1, reservedForCommitted: 0 });
    const first = hold(limiter, 'committed', 'first');
    await settle();
    const waiting = (['speculative', 'approx-true-prefix', 'committed'] as const).map((priority) => hold(limiter, priority, priority));
    await settle();
    first.finish();
    const order: string[] = [];
    for (let index = 0; index < waiting.length; index += 1) {
      await settle();
      const running = waiting.filter((request) => request.started && !order.includes(request.name));
      expect(running).toHaveLength(1);
      order.push(running[0]!.name);
      running[0]!.finish();
    }
    expect(order).toEqual(['committed', 'approx-true-prefix', 'speculative']);
  });

  it('skips speculation when every slot is kept for the committed path', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 1, reservedForCommitted: 1 });
    expect(limiter.speculationAllowed).toBe(false);
    const skipped = await limiter.run('speculative', new AbortController().signal, () => Promise.resolve('never')).catch((error: unknown) => error);
    expect(isSpeculationSkippedError(skipped)).toBe(true);
    expect((skipped as Error).message).toBe('speculative request skipped: every request slot is kept for the committed path');
    expect(await limiter.run('committed', new AbortController().signal, () => Promise.resolve('runs'))).toBe('runs');
    expect(limiter.stats.skipped).toBe(1);
  });

  it('halves speculation on a 429, cutting the youngest in flight, to nothing when none was in flight, and grows it back', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 9, reservedForCommitted: 1 });
    const speculative = ['s1', 's2', 's3', 's4'].map((name) => hold(limiter, 'speculative', name));
    await settle();
    // Four in flight, a 429: two may run from now on, so the two youngest are cut at once.
    expect(limiter.noteRateLimited()).toBe(true);
    const cut = await Promise.all(speculative.slice(2).map((request) => request.result.catch((error: unknown) => error)));
    expect(cut.every(isSpeculationSkippedError)).toBe(true);
    const more = hold(limiter, 'speculative', 's5');
    await settle();
    expect(more.started).toBe(false);
    speculative[0]!.finish();
    await settle();
    expect(more.started).toBe(true);
    speculative[1]!.finish();
    more.finish();
    expect(await Promise.all([speculative[0]!.result, speculative[1]!.result, more.result])).toEqual(['s1', 's2', 's5']);
    // None in flight and another 429: no speculation at all, but the committed path still runs.
    expect(limiter.noteRateLimited()).toBe(false);
    expect(limiter.speculationAllowed).toBe(false);
    const skipped = await limiter.run('speculative', new AbortController().signal, () => Promise.resolve('x')).catch((error: unknown) => error);
    expect(isSpeculationSkippedError(skipped)).toBe(true);
    expect((skipped as Error).message).toContain('a rate limit has shrunk speculation');
    expect(await limiter.run('committed', new AbortController().signal, () => Promise.resolve('runs'))).toBe('runs');
    limiter.noteSuccess();
    expect(limiter.speculationAllowed).toBe(true);
    expect(limiter.stats.rateLimited).toBe(2);
  });

  it('skips the speculative requests still waiting when a 429 leaves speculation no room', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 3, reservedForCommitted: 1 });
    const running = ['s1', 's2'].map((name) => hold(limiter, 'speculative', name));
    const waiting = hold(limiter, 'speculative', 's3');
    await settle();
    expect(waiting.started).toBe(false);
    // Two in flight, a 429: one slot left, so the younger is cut; the older finishes and the waiting one starts.
    // Another 429 with it in flight: no room at all, and the one still waiting is skipped rather than left
    // waiting forever (and the one in flight is cut).
    limiter.noteRateLimited();
    expect(isSpeculationSkippedError(await running[1]!.result.catch((error: unknown) => error))).toBe(true);
    running[0]!.finish();
    await running[0]!.result;
    await settle();
    expect(waiting.started).toBe(true);
    const late = hold(limiter, 'speculative', 's4');
    await settle();
    expect(late.started).toBe(false);
    limiter.noteRateLimited();
    const skipped: unknown = await late.result.catch((error: unknown) => error);
    expect(isSpeculationSkippedError(skipped)).toBe(true);
    expect(late.started).toBe(false);
    expect(isSpeculationSkippedError(await waiting.result.catch((error: unknown) => error))).toBe(true);
  });

  it('drops a request whose signal aborts while it waits, without running it', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 1 });
    const busy = hold(limiter, 'committed', 'busy');
    const controller = new AbortController();
    const waiting = hold(limiter, 'committed', 'waiting', controller.signal);
    await settle();
    const reason = new Error('round ended');
    controller.abort(reason);
    await expect(waiting.result).rejects.toBe(reason);
    busy.finish();
    await busy.result;
    expect(waiting.started).toBe(false);
  });

  it('starts no more than requestsPerMinute requests in a window', async () => {
    const limiter = new RequestLimiter({ requestsPerMinute: 2, rateWindowMs: 100 });
    const requests = ['a', 'b'].map((name) => hold(limiter, 'committed', name));
    let thirdStarted = false;
    const third = limiter.run('committed', new AbortController().signal, () => {
      thirdStarted = true;
      return Promise.resolve('c');
    });
    await settle();
    for (const request of requests) request.finish();
    await Promise.all(requests.map((request) => request.result));
    await settle();
    // Both finished, but the window's two starts are used: the third waits for the window to move on.
    expect(thirdStarted).toBe(false);
    expect(await third).toBe('c');
  });
});
