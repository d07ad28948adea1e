import { describe, expect, it } from 'vitest';
import { TokenWindow } from './token-window.js';

describe('the token window', () => {
  it('counts each request from its start for one window, corrected figures included', () => {
    let nowMs = 0;
    const window = new TokenWindow(100, 1000, () => nowMs);
    const first = window.add(60);
    expect(window.fits(40)).toBe(true);
    expect(window.fits(41)).toBe(false);
    // Leaving 20 free, only 20 more fit.
    expect(window.fits(20, 20)).toBe(true);
    expect(window.fits(21, 20)).toBe(false);
    nowMs = 400;
    window.add(30);
    first.tokens = 10;
    expect(window.used).toBe(40);
    expect(window.msUntilOldestLeaves).toBe(600);
    // At 1000 the first request has been in the window for a whole window: it leaves.
    nowMs = 1000;
    expect(window.used).toBe(30);
    expect(window.msUntilOldestLeaves).toBe(400);
    nowMs = 1400;
    expect(window.used).toBe(0);
    expect(window.msUntilOldestLeaves).toBeUndefined();
  });

  it('admits a request larger than the limit only into an empty window, and never one that must leave room', () => {
    let nowMs = 0;
    const window = new TokenWindow(100, 1000, () => nowMs);
    expect(window.fits(150)).toBe(true);
    expect(window.fits(50, 60)).toBe(false);
    window.add(150);
    expect(window.fits(1)).toBe(false);
    nowMs = 1000;
    expect(window.fits(1)).toBe(true);
  });
});
