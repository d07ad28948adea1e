/**
 * Parsing and checking of command-line options with errors that name the option: whole numbers, lists, and the
 * k a policy asks for against `--k-max`.
 */
import { Option } from 'commander';
import { InvalidInputError } from '../core/errors.js';
import { parseDecimal, type PolicySpec } from '../policies/registry.js';

/**
 * A whole number from `minimum` to `maximum` written in decimal digits; errors name `option`. The default maximum
 * is the largest number held exactly (2^53 − 1): a larger one is refused rather than silently rounded.
 */
export function parseWholeNumber(text: string, option: string, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || value < minimum) {
    throw new InvalidInputError(`expected a whole number ≥ ${minimum}, got "${text}"`, { source: option });
  }
  if (!Number.isSafeInteger(value) || value > maximum) {
    throw new InvalidInputError(`expected a whole number from ${minimum} to ${maximum}, got "${text}"`, { source: option });
  }
  return value;
}

/**
 * A number written in decimal (`0.7`, `.5`, `1e-3`: `parseDecimal`, as in policy specs; not `0x10` or `Infinity`)
 * that `accepts` takes; errors name `option` and say what was `expected` (e.g. `a decimal number ≥ 0.05`).
 */
export function parseDecimalNumber(text: string, option: string, expected: string, accepts: (value: number) => boolean = () => true): number {
  const value = parseDecimal(text.trim());
  if (value === undefined || !accepts(value)) {
    throw new InvalidInputError(`expected ${expected}, got "${text}"`, { source: option });
  }
  return value;
}

/** The text of an option that names something (a suite, a model); a blank one is refused, naming the option. */
export function parseName(text: string, option: string): string {
  if (text.trim() === '') throw new InvalidInputError(`expected a name, got "${text}"`, { source: option });
  return text;
}

/**
 * A list option (`flags` ends with `...`, e.g. `--suite <names...>`). Every list option of `dsp` takes its items in
 * any mix of three forms, accumulated in the order given: comma-separated (`--suite a,b`), as separate words
 * (`--suite a b`) and repeated (`--suite a --suite b`). Its value is the texts as typed, one per word; split them
 * with `splitList` or the option's own parser (a policy list keeps `dsp:tau=0.7,beta=1` together). Given on the
 * command line, the list replaces `defaultText` (shown in the help) rather than adding to it.
 */
export function listOption(flags: string, description: string, defaultText?: string): Option {
  const option = new Option(flags, description);
  const defaults = defaultText === undefined ? undefined : [defaultText];
  option.argParser((value: string, previous: string[] | undefined) =>
    previous === undefined || previous === defaults ? [value] : [...previous, value],
  );
  if (defaults !== undefined) option.default(defaults, defaultText);
  return option;
}

/** The items of a list option's texts: split at commas, trimmed, empty items dropped (`''` means none). */
export function splitList(texts: readonly string[] | undefined): string[] {
  return (texts ?? []).flatMap((text) => text.split(',')).map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * Refuses a policy that names a k above `--k-max`: `fixed:6` under `--k-max 3` would run as fixed:3 under the name
 * fixed:6, and so would `dsp:kmax=6`. A policy that names no k (sequential, additive, oracle, dsp without `kmax`)
 * chooses k itself and is simply capped. Errors name `source` (the policy option) and `--k-max`.
 */
export function checkPoliciesWithinKMax(policies: readonly PolicySpec[], kMax: number, source: string): void {
  for (const policy of policies) {
    const named = policy.kind === 'fixed' ? policy.k : policy.kind === 'dsp' ? policy.options['kmax'] : undefined;
    if (named === undefined || named <= kMax) continue;
    const [asked, capped] = policy.kind === 'fixed' ? [`k = ${named}`, `fixed:${kMax}`] : [`kmax=${named}`, `kmax=${kMax}`];
    throw new InvalidInputError(
      `${policy.name} asks for ${asked}, above --k-max ${kMax}: it would run as ${capped} under the name ${policy.name}; ` +
        `give ${capped} or less, or raise --k-max to ${named}`,
      { source },
    );
  }
}
