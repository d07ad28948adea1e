import { describe, expect, it } from 'vitest';
import { dominates, paretoFrontier } from './frontier.js';

describe('paretoFrontier', () => {
  it('keeps exactly the points no other point beats on both latency and cost, fastest first', () => {
    const points = [
      { name: 'slow-cheap', latency: 10, cost: 1 },
      { name: 'fast-dear', latency: 2, cost: 5 },
      { name: 'middle', latency: 5, cost: 2 },
      // Beaten by middle on both.
      { name: 'worse-than-middle', latency: 6, cost: 3 },
      // Same latency as slow-cheap, dearer: beaten.
      { name: 'slow-dear', latency: 10, cost: 4 },
      // Same cost as fast-dear, slower: beaten.
      { name: 'fast-dear-but-slower', latency: 3, cost: 5 },
    ];
    expect(paretoFrontier(points)).toEqual(['fast-dear', 'middle', 'slow-cheap']);
  });

  it('keeps both of two identical points and drops non-finite ones', () => {
    const points = [
      { name: 'b', latency: 1, cost: 1 },
      { name: 'a', latency: 1, cost: 1 },
      { name: 'broken', latency: Number.NaN, cost: 0 },
      { name: 'infinite', latency: 0, cost: Number.POSITIVE_INFINITY },
    ];
    expect(paretoFrontier(points)).toEqual(['b', 'a']);
  });

  it('returns nothing for no points', () => {
    expect(paretoFrontier([])).toEqual([]);
  });

  it('dominance needs a strict gain in one coordinate', () => {
    const a = { name: 'a', latency: 1, cost: 1 };
    expect(dominates(a, { ...a, name: 'same' })).toBe(false);
    expect(dominates(a, { name: 'b', latency: 1, cost: 2 })).toBe(true);
    expect(dominates(a, { name: 'c', latency: 0.5, cost: 2 })).toBe(false);
  });
});
