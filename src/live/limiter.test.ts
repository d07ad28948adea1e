import { describe, expect, it } from 'vitest';
import {
  RequestLimiter,
  isSpeculationSkippedError,
  type LimitedRequestOptions,
  type RequestAdmission,
  type RequestPriority,
} from './limiter.js';

/** A request that runs until released; `started` tells whether the limiter let it start. */
interface HeldRequest {
  name: string;
  started: boolean;
  finish: () => void;
  result: Promise<string>;
}

/** Lets promise continuations run (p-queue starts the next request in a microtask). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function hold(
  limiter: RequestLimiter,
  priority: RequestPriority,
  name: string,
  signal = new AbortController().signal,
  options: LimitedRequestOptions = {},
  onStart?: (name: string, admission: RequestAdmission) => void,
): HeldRequest {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: HeldRequest = { name, started: false, finish: () => release(), result: Promise.resolve(name) };
  held.result = limiter.run(priority, signal, async (sendSignal, admission) => {
    held.started = true;
    onStart?.(name, admission);
    // Like a real request, it ends at once when the signal it was sent with aborts.
    await Promise.race([
      released,
      new Promise((_resolve, reject) => sendSignal.addEventListener('abort', () => reject(sendSignal.reason as Error), { once: true })),
    ]);
    return name;
  }, options);
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

/** A promotion the test triggers by hand, as the engine does when the request's guesses are confirmed. */
function manualPromotion(to: RequestPriority): { promotion: NonNullable<LimitedRequestOptions['promotion']>; confirm: () => void } {
  const listeners = new Set<() => void>();
  return {
    promotion: {
      to,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    confirm: () => {
      for (const listener of listeners) listener();
    },
  };
}

describe('the request limiter: a speculative request whose guesses are confirmed', () => {
  it('under maxConcurrency 1, starts before the speculative requests queued earlier', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 1, reservedForCommitted: 0 });
    const busy = hold(limiter, 'committed', 'busy');
    await settle();
    const order: string[] = [];
    const confirmed = manualPromotion('committed');
    const waiting = [
      hold(limiter, 'speculative', 's1', undefined, {}, (name) => order.push(name)),
      hold(limiter, 'speculative', 's2', undefined, {}, (name) => order.push(name)),
      hold(limiter, 'speculative', 's3', undefined, { promotion: confirmed.promotion }, (name) => order.push(name)),
    ];
    await settle();
    // s3's guesses are confirmed while it waits: it is now the call the plan needs.
    confirmed.confirm();
    busy.finish();
    for (let index = 0; index < waiting.length; index += 1) {
      await settle();
      expect(order).toHaveLength(index + 1);
      waiting.find((request) => request.name === order[index])!.finish();
    }
    expect(order).toEqual(['s3', 's1', 's2']);
    expect(limiter.stats.promoted).toBe(1);
    // s3 ran on the committed path: speculation never had a request in flight beyond s1 and s2, one at a time.
    expect(limiter.stats.peakSpeculativeInFlight).toBe(1);
  });

  it('is no longer skipped or cut by a 429 once promoted, waiting or in flight', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 3, reservedForCommitted: 1 });
    const runningPromotion = manualPromotion('committed');
    const waitingPromotion = manualPromotion('committed');
    const running = hold(limiter, 'speculative', 'running', undefined, { promotion: runningPromotion.promotion });
    const other = hold(limiter, 'speculative', 'other');
    const waiting = hold(limiter, 'speculative', 'waiting', undefined, { promotion: waitingPromotion.promotion });
    await settle();
    expect([running.started, other.started, waiting.started]).toEqual([true, true, false]);
    runningPromotion.confirm();
    // Its slot goes back to speculation: the waiting one starts.
    await settle();
    expect(waiting.started).toBe(true);
    waitingPromotion.confirm();
    // A 429 with one speculative request in flight leaves speculation no room: that one is cut, not the promoted.
    expect(limiter.noteRateLimited()).toBe(true);
    expect(isSpeculationSkippedError(await other.result.catch((error: unknown) => error))).toBe(true);
    running.finish();
    waiting.finish();
    expect(await Promise.all([running.result, waiting.result])).toEqual(['running', 'waiting']);
    expect(limiter.stats.promoted).toBe(2);
  });

  it('keeps A promoted to the true prefix within the slots of speculation, ahead of the other speculative requests', async () => {
    const limiter = new RequestLimiter({ maxConcurrency: 2, reservedForCommitted: 1 });
    const first = hold(limiter, 'speculative', 'first');
    const promoted = manualPromotion('approx-true-prefix');
    const order: string[] = [];
    const later = hold(limiter, 'speculative', 'later', undefined, {}, (name) => order.push(name));
    const approx = hold(limiter, 'speculative', 'approx', undefined, { promotion: promoted.promotion }, (name) => order.push(name));
    await settle();
    promoted.confirm();
    await settle();
    // Speculation's one slot is still taken: the promoted request waits, but it is next.
    expect(approx.started).toBe(false);
    first.finish();
    await settle();
    expect(order).toEqual(['approx']);
    approx.finish();
    await settle();
    later.finish();
    await Promise.all([first.result, later.result, approx.result]);
    expect(order).toEqual(['approx', 'later']);
    // Only requests moved to the committed path count as promoted.
    expect(limiter.stats.promoted).toBe(0);
  });
});

/** The most tokens the requests started within any `windowMs` carried, by their start times. */
function busiestWindow(starts: ReadonlyArray<{ atMs: number; tokens: number }>, windowMs: number): number {
  let most = 0;
  for (const start of starts) {
    const inWindow = starts.filter((other) => other.atMs >= start.atMs && other.atMs - start.atMs < windowMs);
    most = Math.max(most, inWindow.reduce((sum, other) => sum + other.tokens, 0));
  }
  return most;
}

describe('the request limiter: tokens per minute', () => {
  it('never starts more than the limit in any window, and serves the committed path first', async () => {
    const windowMs = 150;
    const limiter = new RequestLimiter({ tokensPerMinute: 100, rateWindowMs: windowMs, reservedForCommitted: 0 });
    // What the server sees: each request's start and its tokens (here exactly its estimate).
    const seen: Array<{ name: string; atMs: number; tokens: number }> = [];
    const send = (priority: RequestPriority, name: string, tokens: number): Promise<string> =>
      limiter.run(
        priority,
        new AbortController().signal,
        (_signal, admission) => {
          seen.push({ name, atMs: performance.now(), tokens });
          admission.reportTokens(tokens);
          return Promise.resolve(name);
        },
        { estimatedTokens: tokens },
      );
    const names = await Promise.all([
      send('speculative', 's1', 30),
      send('speculative', 's2', 30),
      send('committed', 'c1', 40),
      send('committed', 'c2', 40),
      send('approx-true-prefix', 'a1', 30),
      send('committed', 'c3', 40),
    ]);
    expect(names).toEqual(['s1', 's2', 'c1', 'c2', 'a1', 'c3']);
    // s1, s2 and c1 fit at once (100 tokens); the rest waited for the window to move on, the committed path first.
    expect(seen.map((start) => start.name)).toEqual(['s1', 's2', 'c1', 'c2', 'c3', 'a1']);
    // Request starts are stamped a few microseconds after the limiter counts them: a window one millisecond shorter
    // keeps that drift from counting a request that had left the limiter's window.
    expect(busiestWindow(seen, windowMs - 1)).toBeLessThanOrEqual(100);
    expect(limiter.stats.peakWindowTokens).toBeLessThanOrEqual(100);
  });

  it('corrects the window with the tokens the provider reported', async () => {
    const limiter = new RequestLimiter({ tokensPerMinute: 100, rateWindowMs: 60_000 });
    const reports = new Map<string, RequestAdmission>();
    const onStart = (name: string, admission: RequestAdmission): void => {
      reports.set(name, admission);
    };
    // Estimated at 80: a second request of 80 must wait...
    const big = hold(limiter, 'committed', 'big', undefined, { estimatedTokens: 80 }, onStart);
    const next = hold(limiter, 'committed', 'next', undefined, { estimatedTokens: 80 }, onStart);
    await settle();
    expect([big.started, next.started]).toEqual([true, false]);
    // ...until the first reports it used only 15: 95 fit.
    reports.get('big')!.reportTokens(15);
    await settle();
    expect(next.started).toBe(true);
    // The second used 85 rather than 80: 100 are used, and even a request of 1 token waits for the window.
    reports.get('next')!.reportTokens(85);
    const roundOfSmall = new AbortController();
    const small = hold(limiter, 'committed', 'small', roundOfSmall.signal, { estimatedTokens: 1 }, onStart);
    await settle();
    expect(small.started).toBe(false);
    expect(limiter.stats.tokenOverrun).toBe(5);
    expect(limiter.stats.peakWindowTokens).toBe(100);
    for (const request of [big, next]) request.finish();
    await Promise.all([big.result, next.result]);
    // Finishing frees nothing: tokens leave with the window. The small one gives up when its round ends.
    await settle();
    expect(small.started).toBe(false);
    roundOfSmall.abort(new Error('round ended'));
    await expect(small.result).rejects.toThrow('round ended');
  });

  it('makes a speculative request leave room for the committed path, and skips one that never could', async () => {
    const limiter = new RequestLimiter({ tokensPerMinute: 100, rateWindowMs: 60_000, reservedForCommitted: 1 });
    const committed = hold(limiter, 'committed', 'c', undefined, { estimatedTokens: 40 });
    await settle();
    expect(committed.started).toBe(true);
    // 40 used and 40 kept for the next committed request: 20 are left for speculation.
    const small = hold(limiter, 'speculative', 'small', undefined, { estimatedTokens: 20 });
    const roundOfLarge = new AbortController();
    const large = hold(limiter, 'speculative', 'large', roundOfLarge.signal, { estimatedTokens: 30 });
    await settle();
    expect([small.started, large.started]).toEqual([true, false]);
    // 70 tokens and the 40 kept are more than 100: this one could never start, and is skipped at once.
    const never = hold(limiter, 'speculative', 'never', undefined, { estimatedTokens: 70 });
    const skipped: unknown = await never.result.catch((error: unknown) => error);
    expect(isSpeculationSkippedError(skipped)).toBe(true);
    expect((skipped as Error).message).toContain('do not fit in the tokens-per-minute limit');
    expect(never.started).toBe(false);
    // A committed request does not keep room for another: 40 fit, and the large speculative one still waits.
    expect(limiter.speculationAllowed).toBe(true);
    const second = hold(limiter, 'committed', 'c2', undefined, { estimatedTokens: 40 });
    await settle();
    expect([second.started, large.started]).toEqual([true, false]);
    // Committed requests of 60 leave no room for a speculative one as large beside the reserve: the policy is told.
    const roundOfThird = new AbortController();
    const third = hold(limiter, 'committed', 'c3', roundOfThird.signal, { estimatedTokens: 60 });
    expect(limiter.speculationAllowed).toBe(false);
    for (const request of [committed, small, second]) request.finish();
    await Promise.all([committed.result, small.result, second.result]);
    // It waits for the window; its round ends first.
    roundOfThird.abort(new Error('round ended'));
    await expect(third.result).rejects.toThrow('round ended');
    roundOfLarge.abort(new Error('round ended'));
    await expect(large.result).rejects.toThrow('round ended');
    expect(large.started).toBe(false);
  });
});
