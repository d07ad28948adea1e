/**
 * The tokens a live run expects of a request before it is sent, for the tokens-per-minute limit: its prompt counted
 * with the bundled tokenizer, scaled by how the provider's counts of earlier prompts compared with ours (other
 * vendors' tokenizers are not bundled, and a provider may add tokens of its own), plus the mean output of the
 * replies seen so far. Both are learnt per model and kind of request, from usage the provider reported.
 */

/** The output estimate of a kind of request before any reply of it was seen, in tokens. */
export const defaultOutputTokens = 512;

interface Seen {
  outputTotal: number;
  outputCount: number;
  /** Sum of the ratios of the provider's input count to ours. */
  inputRatioTotal: number;
  inputRatioCount: number;
}

/** Token estimates learnt from a run's replies. */
export class TokenEstimates {
  private readonly seen = new Map<string, Seen>();

  /**
   * A reply was seen: its prompt counted `countedInputTokens` with our tokenizer, and its provider reported
   * `usage` (only reported figures should be given, never estimates).
   */
  observe(model: string, kind: string, countedInputTokens: number | undefined, usage: { inputTokens?: number; outputTokens?: number }): void {
    const key = `${model}\u0000${kind}`;
    const seen = this.seen.get(key) ?? { outputTotal: 0, outputCount: 0, inputRatioTotal: 0, inputRatioCount: 0 };
    if (isCount(usage.outputTokens)) {
      seen.outputTotal += usage.outputTokens;
      seen.outputCount += 1;
    }
    if (isCount(usage.inputTokens) && isCount(countedInputTokens) && countedInputTokens > 0) {
      seen.inputRatioTotal += usage.inputTokens / countedInputTokens;
      seen.inputRatioCount += 1;
    }
    this.seen.set(key, seen);
  }

  /**
   * The expected tokens of a request whose prompt counts `countedInputTokens` with our tokenizer: that count times
   * the mean ratio seen (1 before the first reply), plus the mean output seen (`defaultOutputTokens` before the
   * first), rounded up.
   */
  estimate(model: string, kind: string, countedInputTokens: number): number {
    const seen = this.seen.get(`${model}\u0000${kind}`);
    const ratio = seen === undefined || seen.inputRatioCount === 0 ? 1 : seen.inputRatioTotal / seen.inputRatioCount;
    const output = seen === undefined || seen.outputCount === 0 ? defaultOutputTokens : seen.outputTotal / seen.outputCount;
    return Math.ceil(countedInputTokens * ratio + output);
  }
}

function isCount(value: number | undefined): value is number {
  return value !== undefined && value >= 0 && Number.isFinite(value);
}
