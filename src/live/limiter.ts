/**
 * Limits on the model requests of a live run — requests in flight, requests per minute and tokens per minute, over
 * both agents and every task run at once — with the committed path first.
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
 *   `speculationAllowed` is false, so that the policy stops asking for speculation;
 * - tokens per minute: a request starts only when its estimated tokens fit in the rolling window (`token-window.ts`),
 *   the window being corrected with the usage each provider reports. The waiting request next by priority is the
 *   only one that may start — a smaller request behind it does not slip past — and a speculative request must also
 *   leave room for the committed path (the latest committed-path estimate, once per slot kept for it), or it waits;
 *   one that could never fit so is skipped at once;
 * - a speculative request whose guesses get confirmed (`RequestPromotion`) moves to its new priority, waiting or in
 *   flight: T's becomes a committed-path request, no longer counted against speculation nor cut on a 429.
 */
import PQueue, { type Queue, type QueueAddOptions } from 'p-queue';
import { DspError, InvalidInputError } from '../core/errors.js';
import { TokenWindow, type WindowEntry } from './token-window.js';

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
   * The most tokens (input and output together) of the requests started in any rolling minute, over both agents and
   * all tasks, as providers publish their limits: each request counts with its estimate until its provider reports
   * its usage, then with that. Default: no limit.
   */
  tokensPerMinute?: number;
  /**
   * Slots of `maxConcurrency` kept for the committed path: speculation may use the others only. Default 1 (one
   * task at a time, one T request on its true prefix at a time); `runLiveSuite` passes the tasks run at once times
   * the requests T's strategy makes at once.
   */
  reservedForCommitted?: number;
  /** The window of `requestsPerMinute` and `tokensPerMinute`, in milliseconds. Default 60000 (tests shorten it). */
  rateWindowMs?: number;
}

/** A speculative request may be promoted while it waits or runs: its guesses were confirmed. */
export interface RequestPromotion {
  /** Its priority from then on (`committed` for T's request, `approx-true-prefix` for A's). */
  to: RequestPriority;
  /**
   * Registers the listener to call at the promotion and returns the function that removes it (the engine's
   * `AgentCallOptions.onPrefixConfirmed` has this shape).
   */
  subscribe: (listener: () => void) => () => void;
}

/** Options of one request of `RequestLimiter.run`. */
export interface LimitedRequestOptions {
  /** Its estimated tokens, input and output, counted against `tokensPerMinute`. Default 0. */
  estimatedTokens?: number;
  /** How it learns that it was promoted. Default: never. */
  promotion?: RequestPromotion;
}

/** What a request started by the limiter may tell it. */
export interface RequestAdmission {
  /**
   * The tokens it really used (input and output, as its provider reported them): they replace its estimate in the
   * tokens-per-minute window. Not calling it keeps the estimate.
   */
  reportTokens(tokens: number): void;
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
  /** Speculative T requests moved to the committed path because their guesses were confirmed. */
  promoted: number;
  /**
   * With `tokensPerMinute`: how many tokens the requests used beyond their estimates, in all. No window holds more
   * than the limit plus this (the requests in flight when another was admitted were counted by their estimates).
   */
  tokenOverrun: number;
  /** With `tokensPerMinute`: the most tokens the window held at once, corrected figures included. */
  peakWindowTokens: number;
}

/** What p-queue puts in its queue: a request ready to start. */
type RunFunction = () => Promise<unknown>;

interface EnqueueOptions extends QueueAddOptions {
  /** Its estimated tokens, for the tokens-per-minute window. */
  tokens: number;
}

interface Waiting {
  run: RunFunction;
  priority: number;
  id: string | undefined;
  tokens: number;
}

/** What the queue asks the limiter about a waiting request. */
interface Admission {
  /** Whether speculation may hold one more slot. */
  speculationHasRoom(): boolean;
  /** Whether a request of this priority and these tokens fits in the tokens-per-minute window now. */
  tokensFit(priority: number, tokens: number): boolean;
}

/** Below this queue priority a request is speculative: it counts against the slots speculation may hold. */
const committedQueuePriority = queuePriority.committed;

/**
 * The waiting requests, by priority, first come first served within one. Only the request next by priority may
 * start, and only when it fits in the tokens-per-minute window; a speculative one is passed over while speculation
 * holds all the slots it may. `size` counts what may start now.
 */
class CommittedFirstQueue implements Queue<RunFunction, EnqueueOptions> {
  private readonly waiting: Waiting[] = [];

  constructor(private readonly admission: Admission) {}

  get size(): number {
    return this.next() === -1 ? 0 : 1;
  }

  /** How many requests wait, whether they may start now or not. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  enqueue(run: RunFunction, options?: Partial<EnqueueOptions>): void {
    const entry: Waiting = { run, priority: options?.priority ?? 0, id: options?.id, tokens: options?.tokens ?? 0 };
    const index = this.waiting.findIndex((other) => other.priority < entry.priority);
    if (index === -1) this.waiting.push(entry);
    else this.waiting.splice(index, 0, entry);
  }

  dequeue(): RunFunction | undefined {
    const index = this.next();
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
    this.enqueue(entry!.run, { priority, id, tokens: entry!.tokens });
  }

  /** Whether a request with this id is waiting. */
  has(id: string): boolean {
    return this.waiting.some((entry) => entry.id === id);
  }

  remove(id: string): void {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index !== -1) this.waiting.splice(index, 1);
  }

  /** The index of the request that may start now, or -1. */
  private next(): number {
    const room = this.admission.speculationHasRoom();
    const index = this.waiting.findIndex((entry) => room || entry.priority >= committedQueuePriority);
    if (index === -1) return -1;
    const entry = this.waiting[index]!;
    return this.admission.tokensFit(entry.priority, entry.tokens) ? index : -1;
  }
}

/** A request submitted to the limiter, while it waits and runs. */
interface Submitted {
  /** Its id in the queue. */
  id: string;
  /** Counts against the slots speculation may hold (until it is promoted). */
  speculative: boolean;
  /** Its own controller, to skip it while it waits or cut it in flight (speculative requests only). */
  controller: AbortController | undefined;
  running: boolean;
}

/** The request limiter of a live run. */
export class RequestLimiter {
  private readonly queue: PQueue<CommittedFirstQueue, EnqueueOptions>;
  /** The queue p-queue made from our class, to look into it. */
  private waitingQueue: CommittedFirstQueue | undefined;
  /** The most slots speculation may hold: `maxConcurrency − reservedForCommitted`. */
  private readonly ceiling: number;
  private readonly reserved: number;
  /** What speculation may hold now (shrinks on 429s, grows back on successes). */
  private speculativeLimit: number;
  private inFlight = 0;
  private speculativeInFlight = 0;
  /** Speculative requests waiting for a slot, to skip them when speculation loses all its room. */
  private readonly waitingSpeculative = new Set<AbortController>();
  /** Speculative requests in flight, oldest first, to abort the youngest when speculation shrinks. */
  private readonly runningSpeculative: AbortController[] = [];
  /** The tokens-per-minute window, with that limit. */
  private readonly tokenWindow: TokenWindow | undefined;
  /** The latest estimate of a committed-path request: speculation leaves room for it in the token window. */
  private committedEstimate = 0;
  /** Wakes the queue when the token window frees room for the request that waits for it. */
  private tokenTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 0;
  private readonly counters: LimiterStats = {
    peakInFlight: 0,
    peakSpeculativeInFlight: 0,
    skipped: 0,
    rateLimited: 0,
    promoted: 0,
    tokenOverrun: 0,
    peakWindowTokens: 0,
  };

  constructor(settings: LimiterSettings = {}) {
    const maxConcurrency = settings.maxConcurrency ?? Number.POSITIVE_INFINITY;
    const reserved = settings.reservedForCommitted ?? 1;
    const checks: Array<[string, number, number]> = [
      ['maxConcurrency', maxConcurrency, 1],
      ['reservedForCommitted', reserved, 0],
      ['requestsPerMinute', settings.requestsPerMinute ?? 1, 1],
      ['tokensPerMinute', settings.tokensPerMinute ?? 1, 1],
    ];
    for (const [name, value, minimum] of checks) {
      if (!(value >= minimum) || (Number.isFinite(value) && !Number.isInteger(value))) {
        throw new InvalidInputError(`${name} must be a whole number ≥ ${minimum}, got ${value}`);
      }
    }
    const windowMs = settings.rateWindowMs ?? 60_000;
    if (!(windowMs > 0 && Number.isFinite(windowMs))) throw new InvalidInputError(`rateWindowMs must be a number > 0, got ${windowMs}`);
    this.tokenWindow = settings.tokensPerMinute === undefined ? undefined : new TokenWindow(settings.tokensPerMinute, windowMs);
    const admission: Admission = {
      speculationHasRoom: () => this.speculativeInFlight < this.speculativeLimit,
      tokensFit: (priority, tokens) => this.tokensFit(priority, tokens),
    };
    const created = (queue: CommittedFirstQueue): void => {
      this.waitingQueue = queue;
    };
    this.queue = new PQueue<CommittedFirstQueue, EnqueueOptions>({
      concurrency: maxConcurrency,
      queueClass: class extends CommittedFirstQueue {
        constructor() {
          super(admission);
          created(this);
        }
      },
      ...(settings.requestsPerMinute === undefined ? {} : { intervalCap: settings.requestsPerMinute, interval: windowMs, strict: true }),
    });
    this.reserved = reserved;
    this.ceiling = Math.max(0, maxConcurrency - reserved);
    this.speculativeLimit = this.ceiling;
  }

  /**
   * Whether speculation has any room (the policy asks before it speculates): a slot, and under a token limit room
   * for a speculative request as large as the committed path's beside the committed path's own reserve.
   */
  get speculationAllowed(): boolean {
    if (this.speculativeLimit <= 0) return false;
    return this.tokenWindow === undefined || this.committedReserve + this.committedEstimate <= this.tokenWindow.limit;
  }

  /** Whether it limits tokens (its requests need an estimate of theirs). */
  get countsTokens(): boolean {
    return this.tokenWindow !== undefined;
  }

  /** A snapshot of the counters. */
  get stats(): LimiterStats {
    return { ...this.counters };
  }

  /**
   * Runs `request` when the limits allow, by `priority`, giving it the signal to send it with (the caller's, which
   * the limiter also aborts to cut a speculative request in flight) and a way to report the tokens it used. Rejects
   * with the signal's reason if it aborts while the request waits, and with `SpeculationSkippedError` when a
   * speculative request finds no room at all.
   */
  async run<T>(
    priority: RequestPriority,
    signal: AbortSignal,
    request: (signal: AbortSignal, admission: RequestAdmission) => Promise<T>,
    options: LimitedRequestOptions = {},
  ): Promise<T> {
    signal.throwIfAborted();
    const tokens = options.estimatedTokens ?? 0;
    if (!(tokens >= 0 && Number.isFinite(tokens))) throw new InvalidInputError(`estimatedTokens must be a number ≥ 0, got ${tokens}`);
    const speculative = priority !== 'committed';
    if (!speculative) this.committedEstimate = tokens;
    else if (this.speculativeLimit <= 0) throw this.skipped();
    else if (this.tokenWindow !== undefined && tokens + this.committedReserve > this.tokenWindow.limit) {
      throw this.skipped('its tokens and the committed path’s do not fit in the tokens-per-minute limit');
    }
    const submitted: Submitted = { id: `r${(this.nextId += 1)}`, speculative, controller: undefined, running: false };
    // A speculative request has its own controller, so that it can be skipped while it waits and cut while in flight.
    const onAbort = (): void => submitted.controller?.abort(signal.reason);
    if (speculative) {
      submitted.controller = new AbortController();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waitingSpeculative.add(submitted.controller);
    }
    const unsubscribe = speculative ? options.promotion?.subscribe(() => this.promote(submitted, options.promotion!.to, tokens)) : undefined;
    try {
      const result = this.queue.add(() => this.start(submitted, tokens, request, submitted.controller?.signal ?? signal), {
        priority: queuePriority[priority],
        id: submitted.id,
        tokens,
        signal: submitted.controller?.signal ?? signal,
      });
      // It is queued now: if the token window holds it back, a timer must wake the queue.
      this.wakeWhenTokensFree();
      return await result;
    } finally {
      unsubscribe?.();
      if (submitted.controller !== undefined) this.waitingSpeculative.delete(submitted.controller);
      signal.removeEventListener('abort', onAbort);
      this.wakeWhenTokensFree();
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
    this.wake();
  }

  /** What a speculative request must leave free in the token window: a committed-path request per slot kept. */
  private get committedReserve(): number {
    return this.committedEstimate * Math.max(1, this.reserved);
  }

  private tokensFit(priority: number, tokens: number): boolean {
    if (this.tokenWindow === undefined) return true;
    return this.tokenWindow.fits(tokens, priority >= committedQueuePriority ? 0 : this.committedReserve);
  }

  /** Starts a request the queue let go: counts it in flight and in the token window. */
  private async start<T>(
    submitted: Submitted,
    tokens: number,
    request: (signal: AbortSignal, admission: RequestAdmission) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    submitted.running = true;
    const controller = submitted.controller;
    if (controller !== undefined) this.waitingSpeculative.delete(controller);
    const entry = this.tokenWindow?.add(tokens);
    if (entry !== undefined) this.notePeakWindow();
    let reported = false;
    const admission: RequestAdmission = {
      reportTokens: (used) => {
        if (reported) return;
        reported = true;
        this.correct(entry, tokens, used);
      },
    };
    this.inFlight += 1;
    this.counters.peakInFlight = Math.max(this.counters.peakInFlight, this.inFlight);
    if (submitted.speculative) {
      this.runningSpeculative.push(controller!);
      this.speculativeInFlight += 1;
      this.counters.peakSpeculativeInFlight = Math.max(this.counters.peakSpeculativeInFlight, this.speculativeInFlight);
    }
    try {
      return await request(signal, admission);
    } finally {
      this.inFlight -= 1;
      if (submitted.speculative) this.stopCountingAsSpeculative(submitted);
      submitted.running = false;
    }
  }

  /** A speculative request's guesses were confirmed: it takes its new priority, waiting or in flight. */
  private promote(submitted: Submitted, to: RequestPriority, tokens: number): void {
    if (!submitted.speculative) return;
    if (to !== 'committed') {
      // Still speculation for the slots, only ahead of the other speculative requests while it waits.
      if (!submitted.running && this.waitingQueue?.has(submitted.id) === true) this.queue.setPriority(submitted.id, queuePriority[to]);
      return;
    }
    this.counters.promoted += 1;
    this.committedEstimate = tokens;
    if (submitted.running) {
      this.stopCountingAsSpeculative(submitted);
      // The slot it leaves may let a waiting speculative request start.
      this.wake();
      return;
    }
    submitted.speculative = false;
    // No longer skipped when a 429 leaves speculation no room.
    if (submitted.controller !== undefined) this.waitingSpeculative.delete(submitted.controller);
    if (this.waitingQueue?.has(submitted.id) === true) this.queue.setPriority(submitted.id, queuePriority[to]);
    this.wake();
  }

  private stopCountingAsSpeculative(submitted: Submitted): void {
    submitted.speculative = false;
    this.speculativeInFlight -= 1;
    const index = this.runningSpeculative.indexOf(submitted.controller!);
    if (index !== -1) this.runningSpeculative.splice(index, 1);
  }

  /** A request reported the tokens it used: they replace its estimate in the window. */
  private correct(entry: WindowEntry | undefined, estimate: number, used: number): void {
    if (entry === undefined || !(used >= 0 && Number.isFinite(used))) return;
    this.counters.tokenOverrun += Math.max(0, used - estimate);
    entry.tokens = used;
    this.notePeakWindow();
    // Fewer tokens than estimated may let the next request start.
    this.wake();
  }

  private notePeakWindow(): void {
    if (this.tokenWindow !== undefined) this.counters.peakWindowTokens = Math.max(this.counters.peakWindowTokens, this.tokenWindow.used);
  }

  /** Makes p-queue look at its queue again (setting its concurrency does), then waits for the token window if needed. */
  private wake(): void {
    const concurrency = this.queue.concurrency;
    this.queue.concurrency = concurrency;
    this.wakeWhenTokensFree();
  }

  /**
   * When requests wait and the token window holds tokens, p-queue has nothing that tells it when room comes back:
   * a timer wakes it when the oldest request leaves the window. No timer is left once nothing waits.
   */
  private wakeWhenTokensFree(): void {
    if (this.tokenWindow === undefined) return;
    if ((this.waitingQueue?.waitingCount ?? 0) === 0) {
      // Nothing waits: a timer left behind would keep the process alive for up to a window.
      clearTimeout(this.tokenTimer);
      this.tokenTimer = undefined;
      return;
    }
    if (this.tokenTimer !== undefined) return;
    const delayMs = this.tokenWindow.msUntilOldestLeaves;
    if (delayMs === undefined) return;
    this.tokenTimer = setTimeout(() => {
      this.tokenTimer = undefined;
      this.wake();
    }, Math.ceil(delayMs) + 1);
  }

  private skipped(why?: string): SpeculationSkippedError {
    this.counters.skipped += 1;
    return new SpeculationSkippedError(
      why ?? (this.ceiling === 0 ? 'every request slot is kept for the committed path' : 'a rate limit has shrunk speculation'),
    );
  }
}
