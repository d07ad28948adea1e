/**
 * The economics of one more speculative step (the economic policy, `dsp:value=USD_PER_HOUR`; docs/predictor.md).
 *
 * Speculating one step further — the T call for step n + j + 1 on A's guesses 1 … j, and A's next guess — pays off
 * only if guesses 1 … j are all accepted: T's answer for that step then arrives about one T call minus one A call
 * earlier than a new round would get it. If any of them is rejected both calls are waste: the T call is cancelled
 * (billed for its input and the output it produced) and A's guess is on a wrong prefix. With P the probability that
 * guesses 1 … j are all accepted, the step is worth taking when
 *
 *   P · value · secondsSaved  >  (1 − P) · (wasted T call + A call).
 *
 * The figures on the right come from the ledger: every task's call records (priced with the run's price table)
 * are folded into running means, so a dearer price table makes the same probabilities buy fewer steps. Pure.
 */
import type { TaskResult } from '../../core/types.js';

/** What one step of speculation costs and buys, as observed so far. */
export interface StepEconomics {
  /** Mean cost of one A call, USD. */
  approxCallUsd: number;
  /** Mean cost of a T call that was wasted (cancelled or discarded), USD; the mean finished T call until some are seen. */
  wastedTargetCallUsd: number;
  /** Seconds an accepted speculative step saves: mean T call latency − mean A call latency (≥ 0). */
  secondsSavedPerStep: number;
}

/** Wasted T calls seen before their own mean replaces the mean finished T call. */
const wastedCallsNeeded = 3;

/** Running means of call costs and latencies over the tasks seen. */
export class CallEconomics {
  private approxCost = 0;
  private approxCalls = 0;
  private approxLatencyMs = 0;
  private approxFinished = 0;
  private targetCost = 0;
  private targetLatencyMs = 0;
  private targetFinished = 0;
  private wastedCost = 0;
  private wastedCalls = 0;

  /** Folds a finished task's ledger in. Calls without a price (cost unknown) count for latency only. */
  observe(result: Pick<TaskResult, 'records'>): void {
    for (const record of result.records) {
      const latencyMs = record.endMs - record.startMs;
      const finished = record.status !== 'cancelled' && record.error === undefined;
      const cost = record.costUsd;
      if (record.role === 'approx') {
        if (cost !== undefined) {
          this.approxCost += cost;
          this.approxCalls += 1;
        }
        if (finished) {
          this.approxLatencyMs += latencyMs;
          this.approxFinished += 1;
        }
      } else if (record.status === 'cancelled' || record.status === 'discarded') {
        if (cost !== undefined) {
          this.wastedCost += cost;
          this.wastedCalls += 1;
        }
      } else if (finished) {
        this.targetLatencyMs += latencyMs;
        this.targetFinished += 1;
        if (cost !== undefined) this.targetCost += cost;
      }
    }
  }

  /** The estimates, or undefined until a finished T call and an A call have been seen. */
  estimate(): StepEconomics | undefined {
    if (this.targetFinished === 0 || this.approxFinished === 0) return undefined;
    const targetCallUsd = this.targetCost / this.targetFinished;
    return {
      approxCallUsd: this.approxCalls === 0 ? 0 : this.approxCost / this.approxCalls,
      wastedTargetCallUsd: this.wastedCalls >= wastedCallsNeeded ? this.wastedCost / this.wastedCalls : targetCallUsd,
      secondsSavedPerStep: Math.max(0, this.targetLatencyMs / this.targetFinished - this.approxLatencyMs / this.approxFinished) / 1000,
    };
  }
}

/** The net expected gain, USD, of speculating one step further when the guesses it rests on are all right with probability `allAccepted`. */
export function stepGainUsd(allAccepted: number, economics: StepEconomics, valueUsdPerHour: number): number {
  const saved = allAccepted * (valueUsdPerHour / 3600) * economics.secondsSavedPerStep;
  const wasted = (1 - allAccepted) * (economics.wastedTargetCallUsd + economics.approxCallUsd);
  return saved - wasted;
}

/**
 * The k that maximises the expected gain of a round, given `survival[j − 1]` = P(A's guesses 1 … j are all
 * accepted) for j = 1, 2, …: k guesses buy the T calls for steps n + 2 … n + k, each worth `stepGainUsd(survival[j − 1])`.
 * With `kMin` = 1 the first guess is always made (it teaches the predictor); with `kMin` = 0 it must pay for its own
 * A call, or the round runs T alone. Ties go to the smaller k. At most `survival.length + 1`.
 */
export function economicK(survival: readonly number[], economics: StepEconomics, valueUsdPerHour: number, kMin: number): number {
  let best = kMin;
  let bestGain = 0;
  let gain = kMin === 0 ? -economics.approxCallUsd : 0;
  for (let j = 1; j <= survival.length; j += 1) {
    gain += stepGainUsd(survival[j - 1]!, economics, valueUsdPerHour);
    if (gain > bestGain + 1e-15) {
      best = j + 1;
      bestGain = gain;
    }
  }
  return best;
}
