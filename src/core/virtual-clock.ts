/**
 * A deterministic discrete-event clock. Time moves only when every piece of work is waiting on a timer:
 * `run()` lets all pending promise continuations settle (one `setImmediate` hop), then jumps to the earliest
 * timer and fires it. Timers due at the same instant fire in the order they were set, so a run is a pure
 * function of its inputs.
 */
import type { Clock } from './clock.js';

interface Timer {
  dueMs: number;
  sequence: number;
  fire: () => void;
  cancelled: boolean;
}

const yieldToMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A binary min-heap of timers ordered by (due time, insertion order). */
class TimerQueue {
  private readonly heap: Timer[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
        index = smallest;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.sequence < b.sequence);
}

/** A virtual clock. Drive work on it with `run(work)`. */
export class VirtualClock implements Clock {
  private currentMs: number;
  private sequence = 0;
  private readonly timers = new TimerQueue();

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  now(): number {
    return this.currentMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = {
        dueMs: this.currentMs + Math.max(0, ms),
        sequence: this.sequence++,
        cancelled: false,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        timer.cancelled = true;
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /**
   * Runs `work` to completion on virtual time. Rejects if the work waits on something other than this clock
   * (no timer is pending and the work has not settled), which would otherwise hang.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const promise = work().finally(() => {
      settled = true;
    });
    // Keep the rejection observed while we drive the clock; it is rethrown by `await promise` below.
    promise.catch(() => undefined);
    for (;;) {
      await yieldToMicrotasks();
      if (settled) break;
      const timer = this.nextLiveTimer();
      if (timer === undefined) {
        throw new Error('virtual clock: the work is waiting on something that is not a timer of this clock');
      }
      this.currentMs = timer.dueMs;
      timer.fire();
    }
    return promise;
  }

  private nextLiveTimer(): Timer | undefined {
    for (;;) {
      const timer = this.timers.pop();
      if (timer === undefined || !timer.cancelled) return timer;
    }
  }
}
