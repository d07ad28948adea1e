import { describe, expect, it } from 'vitest';
import { formatCount, formatFixed, formatTimes, formatUsd } from './format.js';

describe('formatUsd', () => {
  it('keeps four significant digits, whatever the size', () => {
    expect(formatUsd(0.13730159999999997)).toBe('0.1373');
    expect(formatUsd(0.04087879999999999)).toBe('0.04088');
    expect(formatUsd(0.002665)).toBe('0.002665');
    expect(formatUsd(0.02)).toBe('0.02000');
    expect(formatUsd(12.3456)).toBe('12.35');
  });

  it('writes zero as 0, an unknown cost (null) as ?, and a missing or non-finite value as -', () => {
    expect(formatUsd(0)).toBe('0');
    expect(formatUsd(null)).toBe('?');
    expect(formatUsd(undefined)).toBe('-');
    expect(formatUsd(Number.NaN)).toBe('-');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('-');
  });
});

describe('formatFixed, formatTimes, formatCount', () => {
  it('round to the decimals asked for (two by default)', () => {
    expect(formatFixed(80.73639999999999)).toBe('80.74');
    expect(formatFixed(1)).toBe('1.00');
    expect(formatFixed(0.9348, 3)).toBe('0.935');
    expect(formatTimes(1.3255894968520616)).toBe('1.33x');
    expect(formatCount(25)).toBe('25');
  });

  it('write a missing ratio (no fixed:2 row) or a non-finite value as -', () => {
    expect(formatFixed(null)).toBe('-');
    expect(formatFixed(Number.NaN)).toBe('-');
    expect(formatTimes(Number.NaN)).toBe('-');
    expect(formatCount(undefined)).toBe('-');
  });
});
