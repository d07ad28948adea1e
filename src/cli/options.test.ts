import { describe, expect, it } from 'vitest';
import { runDsp } from '../../test/fixtures/cli/captured-io.js';
import { parseDecimalNumber, parseName, parseWholeNumber } from './options.js';

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

describe('a fractional option', () => {
  it('takes a decimal number as policy specs do, exponent included, and refuses hex, Infinity and blanks', () => {
    const speed = (text: string): number => parseDecimalNumber(text, '--speed', 'a decimal number ≥ 0.05', (value) => value >= 0.05);
    expect([speed('10'), speed(' 2.5 '), speed('.5'), speed('1e1')]).toEqual([10, 2.5, 0.5, 10]);
    for (const text of ['0x10', '0b1', '0o7', 'Infinity', '1e999', '', '  ', '10x', '0.01']) {
      expect(() => speed(text), text).toThrow(`--speed: expected a decimal number ≥ 0.05, got "${text}"`);
    }
  });
});

describe('the number options of dsp, on the command line', () => {
  it.each([
    [['serve', '--traces', 'x.jsonl', '--port', '0x50'], '--port: expected a whole number ≥ 0, got "0x50"'],
    [['serve', '--traces', 'x.jsonl', '--port', '1e3'], '--port: expected a whole number ≥ 0, got "1e3"'],
    [['serve', '--traces', 'x.jsonl', '--port', '70000'], '--port: expected a whole number from 0 to 65535, got "70000"'],
    [['serve', '--traces', 'x.jsonl', '--speed', '0x10'], '--speed: expected a decimal number ≥ 0.05 (20 times slower), got "0x10"'],
    [['sweep', '--suite', 'synthetic', '--tau', '0x1'], '--tau: expected comma-separated decimal numbers such as 0.1,0.5,0.9, got "0x1"'],
    [['sweep', '--suite', 'synthetic', '--value', '0x10'], '--value: expected comma-separated decimal numbers such as 0.1,0.5,0.9, got "0x10"'],
    [['run', '--tasks', '1', '--approx', 'm', '--target', 'm', '--budget-usd', '0x1'], '--budget-usd: expected a decimal amount of USD > 0, e.g. 0.50, got "0x1"'],
  ])('dsp %j is refused before any work: %s', async (args, message) => {
    expect(await runDsp(args)).toEqual({ code: 2, stdout: '', stderr: `dsp: ${message}\n` });
  });
});

describe('a name option', () => {
  it('keeps a name and refuses a blank one, naming the option', () => {
    expect(parseName('openagi-react', '--suite')).toBe('openagi-react');
    expect(() => parseName('', '--suite')).toThrow('--suite: expected a name, got ""');
    expect(() => parseName('  ', '--approx-model')).toThrow('--approx-model: expected a name, got "  "');
  });
});
