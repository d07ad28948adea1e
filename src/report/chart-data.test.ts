import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignSlots, distribution, quantile, trailingMean } from './chart-data.js';

describe('chart data', () => {
  it('quantiles interpolate between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([7], 0.9)).toBe(7);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });

  it('summarises a distribution', () => {
    expect(distribution([4, 1, 3, 2, 10])).toEqual({ min: 1, q1: 2, median: 3, q3: 4, max: 10, mean: 4 });
  });

  it('averages over a trailing window', () => {
    expect(trailingMean([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
    expect(trailingMean([1, 2, 3], 10)).toEqual([1, 1.5, 2]);
    expect(trailingMean([5, 6], 0)).toEqual([5, 6]);
  });

  it('puts overlapping intervals in different slots and reuses a slot once it is free', () => {
    const slots = assignSlots([
      { startMs: 0, endMs: 10 },
      { startMs: 1, endMs: 5 },
      { startMs: 5, endMs: 8 },
      { startMs: 10, endMs: 12 },
    ]);
    expect(slots).toEqual([0, 1, 1, 0]);
  });

  it('never lets two overlapping intervals share a slot, and uses no more slots than needed (property)', () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 30 })).map(([startMs, length]) => ({ startMs, endMs: startMs + length }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 20 }), (intervals) => {
        const slots = assignSlots(intervals);
        for (let i = 0; i < intervals.length; i += 1) {
          for (let j = i + 1; j < intervals.length; j += 1) {
            const overlap = intervals[i]!.startMs < intervals[j]!.endMs && intervals[j]!.startMs < intervals[i]!.endMs;
            if (overlap && slots[i] === slots[j]) return false;
          }
        }
        // Greedy by start time is optimal: as many slots as intervals overlap at the busiest instant.
        const busiest = Math.max(0, ...intervals.map((at) => intervals.filter((other) => other.startMs <= at.startMs && at.startMs < other.endMs).length));
        return (intervals.length === 0 ? 0 : Math.max(...slots) + 1) === busiest;
      }),
    );
  });
});
