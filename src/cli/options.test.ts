import { describe, expect, it } from 'vitest';
import { parseName, parseWholeNumber } from './options.js';

describe('a whole-number option', () => {
  it('takes decimal digits from its minimum, and names the option and the text otherwise', () => {
    expect(parseWholeNumber('12', '--max-steps', 1)).toBe(12);
    expect(() => parseWholeNumber('0', '--max-steps', 1)).toThrow('--max-steps: expected a whole number ≥ 1, got "0"');
    expect(() => parseWholeNumber('1e9', '--max-steps', 1)).toThrow('--max-steps: expected a whole number ≥ 1, got "1e9"');
  });

  it('refuses a number too large to be held exactly instead of rounding it', () => {
    expect(parseWholeNumber(String(Number.MAX_SAFE_INTEGER), '--seed', 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseWholeNumber('99999999999999999999', '--seed', 0)).toThrow(
      '--seed: expected a whole number from 0 to 9007199254740991, got "99999999999999999999"',
    );
  });

  it('refuses a number above the maximum it is given', () => {
    expect(parseWholeNumber('2147483647', '--call-timeout-ms', 1, 2_147_483_647)).toBe(2_147_483_647);
    expect(() => parseWholeNumber('99999999999', '--call-timeout-ms', 1, 2_147_483_647)).toThrow(
      '--call-timeout-ms: expected a whole number from 1 to 2147483647, got "99999999999"',
    );
  });
});

describe('a name option', () => {
  it('keeps a name and refuses a blank one, naming the option', () => {
    expect(parseName('openagi-react', '--suite')).toBe('openagi-react');
    expect(() => parseName('', '--suite')).toThrow('--suite: expected a name, got ""');
    expect(() => parseName('  ', '--approx-model')).toThrow('--approx-model: expected a name, got "  "');
  });
});
