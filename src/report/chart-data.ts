/** Small pure helpers that turn results into chart rows: lane slots, quartiles, moving averages. */

/** Five-number summary plus the mean. */
export interface Distribution {
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  mean: number;
}

/** The quantile `p` (0–1) of sorted values, interpolating linearly between order statistics. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/** Quartiles, extremes and mean of a list of numbers; every field NaN for an empty list. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    q1: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    q3: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
  };
}

/** The mean of each value and the `window − 1` values before it (fewer at the start). */
export function trailingMean(values: readonly number[], window: number): number[] {
  const size = Math.max(1, Math.floor(window));
  const means: number[] = [];
  let sum = 0;
  values.forEach((value, index) => {
    sum += value;
    if (index >= size) sum -= values[index - size]!;
    means.push(sum / Math.min(index + 1, size));
  });
  return means;
}

/**
 * Sub-rows for intervals sharing a lane, so that overlapping intervals never share a row: each interval (in
 * order of start) takes the lowest row whose last interval has ended by its start. Returns the row of each
 * interval, in input order.
 */
export function assignSlots(intervals: ReadonlyArray<{ startMs: number; endMs: number }>): number[] {
  const order = intervals.map((_, index) => index).sort((a, b) => intervals[a]!.startMs - intervals[b]!.startMs || a - b);
  const rowEnds: number[] = [];
  const slots = new Array<number>(intervals.length).fill(0);
  for (const index of order) {
    const interval = intervals[index]!;
    let row = rowEnds.findIndex((endMs) => endMs <= interval.startMs);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(interval.endMs);
    } else {
      rowEnds[row] = interval.endMs;
    }
    slots[index] = row;
  }
  return slots;
}
