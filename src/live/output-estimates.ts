/**
 * The output tokens a live run expects of a request before its reply: the mean of the replies seen so far for the
 * same model and kind of request (reported by the provider, not estimated), for the tokens-per-minute limit.
 */

/** The output estimate of a kind of request before any reply of it was seen, in tokens. */
export const defaultOutputTokens = 512;

/** Mean output tokens per model and kind of request. */
export class MeanOutputTokens {
  private readonly seen = new Map<string, { total: number; count: number }>();

  /** A reply of `outputTokens` was seen. */
  observe(model: string, kind: string, outputTokens: number): void {
    if (!(outputTokens >= 0 && Number.isFinite(outputTokens))) return;
    const key = `${model}\u0000${kind}`;
    const sum = this.seen.get(key) ?? { total: 0, count: 0 };
    this.seen.set(key, { total: sum.total + outputTokens, count: sum.count + 1 });
  }

  /** The mean output of the replies seen, rounded up; `defaultOutputTokens` before the first. */
  estimate(model: string, kind: string): number {
    const sum = this.seen.get(`${model}\u0000${kind}`);
    return sum === undefined ? defaultOutputTokens : Math.ceil(sum.total / sum.count);
  }
}
