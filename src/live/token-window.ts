/**
 * The tokens of the requests started in a rolling window (a provider's "tokens per minute"): each request counts
 * from its start for `windowMs`, first with its estimate, then — once its provider reported its usage — with what it
 * really used. A sliding log rather than a token bucket, so that no window of `windowMs` ever holds more than the
 * limit (a bucket of the same size and rate lets up to twice the limit through in a window that straddles a refill).
 *
 * Why ours and not a library's: the check must be synchronous, made by the request queue when it picks the next
 * request (so that the committed path keeps its priority), and an entry must be correctable after the fact. p-queue's
 * own interval limit counts requests, not tokens; rate-limiter-flexible counts weighted points but in fixed windows,
 * through promises only; `limiter`'s token bucket has a synchronous check but is a bucket (see above).
 */

/** One request counted in the window. */
export interface WindowEntry {
  /** When it started, on the window's clock. */
  readonly atMs: number;
  /** Its tokens: the estimate, then what it used. */
  tokens: number;
}

/** Tokens per rolling window. */
export class TokenWindow {
  private readonly entries: WindowEntry[] = [];

  /**
   * @param limit the most tokens in any window.
   * @param windowMs the window's length, in milliseconds.
   * @param now the clock, in milliseconds. Default `performance.now`.
   */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The tokens counted in the window now. */
  get used(): number {
    this.prune();
    return this.entries.reduce((sum, entry) => sum + entry.tokens, 0);
  }

  /**
   * Whether a request of `tokens` may start now, leaving `keep` tokens of the limit free. An empty window admits
   * any request that keeps nothing free, so that one larger than the limit is sent (and refused by its provider, if
   * it must be) rather than left waiting forever.
   */
  fits(tokens: number, keep = 0): boolean {
    const used = this.used;
    if (used === 0 && keep === 0) return true;
    return used + tokens + keep <= this.limit;
  }

  /** Counts a request starting now with its estimate; correct it later through the entry. */
  add(tokens: number): WindowEntry {
    const entry: WindowEntry = { atMs: this.now(), tokens };
    this.entries.push(entry);
    return entry;
  }

  /** Milliseconds until the oldest entry leaves the window (and frees its tokens); undefined when it is empty. */
  get msUntilOldestLeaves(): number | undefined {
    this.prune();
    const oldest = this.entries[0];
    return oldest === undefined ? undefined : Math.max(0, oldest.atMs + this.windowMs - this.now());
  }

  private prune(): void {
    const start = this.now() - this.windowMs;
    let gone = 0;
    while (gone < this.entries.length && this.entries[gone]!.atMs <= start) gone += 1;
    if (gone > 0) this.entries.splice(0, gone);
  }
}
