/**
 * Limits on the model requests of a live run — requests in flight and requests per minute, over both agents and
 * every task run at once — with the committed path first.
 *
 * Every request waits in one p-queue that enforces the limits, with a queue class of ours (p-queue's `queueClass`)
 * that decides which waiting request starts next:
 * - by priority: the request the plan needs now (T on the true prefix), then A on the true prefix, then the
 *   speculative requests (first come, first served within a priority);
 * - speculation (everything but T on the true prefix) may hold at most `maxConcurrency − reservedForCommitted`
 *   slots: a speculative request waits while that many are in flight, even with a slot free, so that the committed
 *   path always finds one and never waits behind speculation;
 * - a 429 halves what speculation may hold (to nothing when none was in flight), and the speculative requests in
 *   flight beyond that are aborted at once, the youngest first (`SpeculationSkippedError`): the server's capacity
 *   goes back to the committed path before it has to slow down. Every success gives one slot back, up to the
 *   ceiling. With nothing left, speculative requests are skipped (those waiting included) and
 *   `speculationAllowed` is false, so that the policy stops asking for speculation.
 */
import PQueue, { type Queue, type QueueAddOptions } from 'p-queue';
import { DspError, InvalidInputError } from '../core/errors.js';

/** Limits of a live run's requests. Every field is optional: no limit by default. */
export interface LimiterSettings {
  /**
   * The most model requests in flight at once, over both agents and all tasks (one HTTP request each; a strategy
   * step of several requests counts each). Default: no limit.
   */
  maxConcurrency?: number;
  /** The most requests started in any rolling minute, over both agents and all tasks. Default: no limit. */
  requestsPerMinute?: number;
  /**
   * Slots of `maxConcurrency` kept for the committed path: speculation may use the others only. Default 1 (one
   * task at a time, one T request on its true prefix at a time); `runLiveSuite` passes the tasks run at once times
   * the requests T's strategy makes at once.
   */
  reservedForCommitted?: number;
  /** The window of `requestsPerMinute`, in milliseconds. Default 60000 (tests shorten it). */
  rateWindowMs?: number;
}

/** Where a request stands: what the plan needs now, A on the true prefix, or speculation. */
export type RequestPriority = 'committed' | 'approx-true-prefix' | 'speculative';

const queuePriority: Record<RequestPriority, number> = { committed: 2, 'approx-true-prefix': 1, speculative: 0 };

/** A speculative request the limiter refused, because a rate limit or the reservation left it no room. */
export class SpeculationSkippedError extends DspError {
  override readonly name = 'SpeculationSkippedError' as const;

  constructor(why: string) {
    super(`speculative request skipped: ${why}`);
  }
}

/** True for a `SpeculationSkippedError`, even from another copy of the package. */
export function isSpeculationSkippedError(error: unknown): error is SpeculationSkippedError {
  return DspError.isInstance(error) && error.name === 'SpeculationSkippedError';
}

/** Counters of a limiter. */
export interface LimiterStats {
  /** The most requests it had in flight at once. */
  peakInFlight: number;
  /** The most speculative requests (A's included) it had in flight at once. */
  peakSpeculativeInFlight: number;
  /** Speculative requests skipped for lack of room. */
  skipped: number;
  /** 429s seen. */
  rateLimited: number;
}

/** What p-queue puts in its queue: a request ready to start. */
type RunFunction = () => Promise<unknown>;

interface EnqueueOptions extends QueueAddOptions {
  /** Whether the request counts against the slots speculation may hold. */
  speculative: boolean;
}

interface Waiting {
  run: RunFunction;
  priority: number;
  id: string | undefined;
  speculative: boolean;
}

/**
 * The waiting requests, by priority, first come first served within one. Only the requests that may start now
 * count in `size` and come out of `dequeue`: a speculative one waits while speculation holds all it may.
 */
class CommittedFirstQueue implements Queue<RunFunction, EnqueueOptions> {
  private readonly waiting: Waiting[] = [];

  constructor(private readonly speculationHasRoom: () => boolean) {}

  get size(): number {
    const room = this.speculationHasRoom();
    return this.waiting.filter((entry) => room || !entry.speculative).length;
  }

  enqueue(run: RunFunction, options?: Partial<EnqueueOptions>): void {
    const entry: Waiting = { run, priority: options?.priority ?? 0, id: options?.id, speculative: options?.speculative ?? false };
    const index = this.waiting.findIndex((other) => other.priority < entry.priority);
    if (index === -1) this.waiting.push(entry);
    else this.waiting.splice(index, 0, entry);
  }

  dequeue(): RunFunction | undefined {
    const room = this.speculationHasRoom();
    const index = this.waiting.findIndex((entry) => room || !entry.speculative);
    if (index === -1) return undefined;
    return this.waiting.splice(index, 1)[0]!.run;
  }

  filter(options: Readonly<Partial<EnqueueOptions>>): RunFunction[] {
    return this.waiting.filter((entry) => entry.priority === options.priority).map((entry) => entry.run);
  }

  setPriority(id: string, priority: number): void {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index === -1) throw new ReferenceError(`no waiting request with the id "${id}"`);
    const [entry] = this.waiting.splice(index, 1);
    this.enqueue(entry!.run, { priority, id, speculative: entry!.speculative });
  }

  remove(id: string): void {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index !== -1) this.waiting.splice(index, 1);
  }
}

/** The request limiter of a live run. */
export class RequestLimiter {
  private readonly queue: PQueue<CommittedFirstQueue, EnqueueOptions>;
  /** The most slots speculation may hold: `maxConcurrency − reservedForCommitted`. */
  private readonly ceiling: number;
  /** What speculation may hold now (shrinks on 429s, grows back on successes). */
  private speculativeLimit: number;
  private inFlight = 0;
  private speculativeInFlight = 0;
  /** Speculative requests waiting for a slot, to skip them when speculation loses all its room. */
  private readonly waitingSpeculative = new Set<AbortController>();
  /** Speculative requests in flight, oldest first, to abort the youngest when speculation shrinks. */
  private readonly runningSpeculative: AbortController[] = [];
  private readonly counters: LimiterStats = { peakInFlight: 0, peakSpeculativeInFlight: 0, skipped: 0, rateLimited: 0 };

  constructor(settings: LimiterSettings = {}) {
    const maxConcurrency = settings.maxConcurrency ?? Number.POSITIVE_INFINITY;
    const reserved = settings.reservedForCommitted ?? 1;
    const checks: Array<[string, number, number]> = [
      ['maxConcurrency', maxConcurrency, 1],
      ['reservedForCommitted', reserved, 0],
      ['requestsPerMinute', settings.requestsPerMinute ?? 1, 1],
    ];
    for (const [name, value, minimum] of checks) {
      if (!(value >= minimum) || (Number.isFinite(value) && !Number.isInteger(value))) {
        throw new InvalidInputError(`${name} must be a whole number ≥ ${minimum}, got ${value}`);
      }
    }
    const speculationHasRoom = (): boolean => this.speculativeInFlight < this.speculativeLimit;
    this.queue = new PQueue<CommittedFirstQueue, EnqueueOptions>({
      concurrency: maxConcurrency,
      queueClass: class extends CommittedFirstQueue {
        constructor() {
          super(speculationHasRoom);
        }
      },
      ...(settings.requestsPerMinute === undefined
        ? {}
        : { intervalCap: settings.requestsPerMinute, interval: settings.rateWindowMs ?? 60_000, strict: true }),
    });
    this.ceiling = Math.max(0, maxConcurrency - reserved);
    this.speculativeLimit = this.ceiling;
  }

  /** Whether speculation has any room (the policy asks before it speculates). */
  get speculationAllowed(): boolean {
    return this.speculativeLimit > 0;
  }

  /** A snapshot of the counters. */
  get stats(): LimiterStats {
    return { ...this.counters };
  }

  /**
   * Runs `request` when the limits allow, by `priority`, giving it the signal to send it with (the caller's, which
   * the limiter also aborts to cut a speculative request in flight). Rejects with the signal's reason if it aborts
   * while the request waits, and with `SpeculationSkippedError` when a speculative request finds no room at all.
   */
  async run<T>(priority: RequestPriority, signal: AbortSignal, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const speculative = priority !== 'committed';
    if (!speculative) return this.queue.add(() => this.track(false, () => request(signal)), { priority: queuePriority[priority], speculative, signal });
    if (this.speculativeLimit <= 0) throw this.skipped();
    // Its own controller, so that the request can be skipped while it waits and cut while in flight.
    const own = new AbortController();
    const onAbort = (): void => own.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    this.waitingSpeculative.add(own);
    try {
      return await this.queue.add(
        () => {
          this.waitingSpeculative.delete(own);
          this.runningSpeculative.push(own);
          return this.track(true, () => request(own.signal)).finally(() => {
            this.runningSpeculative.splice(this.runningSpeculative.indexOf(own), 1);
          });
        },
        { priority: queuePriority[priority], speculative, signal: own.signal },
      );
    } finally {
      this.waitingSpeculative.delete(own);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * A request was refused with 429: speculation shrinks by half (to nothing when none was in flight), and the
   * youngest speculative requests in flight beyond the new limit are aborted. Returns whether speculative
   * requests were in flight, that is whether speculation may have filled the server.
   */
  noteRateLimited(): boolean {
    this.counters.rateLimited += 1;
    const inFlight = this.speculativeInFlight;
    this.speculativeLimit = Math.floor(Math.min(this.speculativeLimit, inFlight) / 2);
    for (const running of this.runningSpeculative.slice(this.speculativeLimit).reverse()) {
      if (!running.signal.aborted) running.abort(this.skipped());
    }
    if (this.speculativeLimit === 0) {
      // No room left: the waiting speculative requests are skipped rather than left waiting for it.
      for (const waiting of this.waitingSpeculative) waiting.abort(this.skipped());
      this.waitingSpeculative.clear();
    }
    return inFlight > 0;
  }

  /** A request succeeded: speculation may hold one more slot, up to its ceiling. */
  noteSuccess(): void {
    if (this.speculativeLimit >= this.ceiling) return;
    this.speculativeLimit += 1;
    // Setting the concurrency makes p-queue look at its queue again: a waiting speculative request may start now.
    const concurrency = this.queue.concurrency;
    this.queue.concurrency = concurrency;
  }

  private async track<T>(speculative: boolean, request: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    this.counters.peakInFlight = Math.max(this.counters.peakInFlight, this.inFlight);
    if (speculative) {
      this.speculativeInFlight += 1;
      this.counters.peakSpeculativeInFlight = Math.max(this.counters.peakSpeculativeInFlight, this.speculativeInFlight);
    }
    try {
      return await request();
    } finally {
      this.inFlight -= 1;
      if (speculative) this.speculativeInFlight -= 1;
    }
  }

  private skipped(): SpeculationSkippedError {
    this.counters.skipped += 1;
    return new SpeculationSkippedError(
      this.ceiling === 0 ? 'every request slot is kept for the committed path' : 'a rate limit has shrunk speculation',
    );
  }
}
