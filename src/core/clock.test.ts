import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RealClock, maxTimerDelayMs } from './clock.js';

describe('RealClock.sleep', () => {
  // Fake timers behave as Node's do: a delay above 2^31 − 1 ms fires after 1 ms.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits out a delay longer than one timer holds, to the millisecond', async () => {
    let woke = false;
    void new RealClock().sleep(2 * maxTimerDelayMs + 1000).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(2 * maxTimerDelayMs + 998);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still stops a long wait on its signal, leaving no timer behind', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped');
    const sleeping = new RealClock().sleep(maxTimerDelayMs + 10, controller.signal);
    await vi.advanceTimersByTimeAsync(maxTimerDelayMs + 5);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits a short delay in one timer', async () => {
    let woke = false;
    void new RealClock().sleep(20).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(19);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
  });
});
