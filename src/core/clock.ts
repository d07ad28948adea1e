/**
 * Clocks. The engine reads time and waits only through a `Clock`, so the same code runs live on the real clock
 * and in replay on a virtual, discrete-event clock that gives identical figures on every run and machine.
 */

/** The longest wait one real timer holds: 2^31 − 1 ms (some 24.8 days). Node fires a longer one at once. */
export const maxTimerDelayMs = 2_147_483_647;

/** Time source and timer. Times are milliseconds. */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's monotonic clock (`performance.now`) and real timers. */
export class RealClock implements Clock {
  now(): number {
    return performance.now();
  }

  /** Waits `ms` for any delay: one longer than a timer holds (`maxTimerDelayMs`) is waited out in several timers. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      let remainingMs = ms;
      const arm = (): void => {
        // Node fires a timer longer than 2^31 − 1 ms at once: wait in pieces no longer than that.
        const delayMs = Math.min(remainingMs, maxTimerDelayMs);
        remainingMs -= delayMs;
        timer = setTimeout(() => {
          if (remainingMs > 0) {
            arm();
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delayMs);
      };
      arm();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
