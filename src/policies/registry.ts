/**
 * Policy spec strings (`sequential`, `fixed:4`, `additive`, `oracle`, `dsp:tau=0.7,beta=1`) and how to build a
 * policy from one. The engine never sees a spec, only the built `KPolicy`.
 */
import { InvalidInputError } from '../core/errors.js';
import { additivePolicy, fixedPolicy, oraclePolicy, sequentialPolicy } from './basic.js';
import type { KPolicy } from '../core/policy.js';

/** A parsed policy spec. */
export type PolicySpec =
  | { kind: 'sequential'; name: string }
  | { kind: 'fixed'; name: string; k: number }
  | { kind: 'additive'; name: string }
  | { kind: 'oracle'; name: string }
  | { kind: 'dsp'; name: string; options: Record<string, number> };

export const policyKinds = ['sequential', 'fixed:K', 'additive', 'oracle', 'dsp[:tau=…,beta=…,kmax=…,lambda=…]'];

const validList = `valid policies: ${policyKinds.join(', ')}`;

/** A number as people write one in an option: `0.7`, `-1`, `.5`, `1e-3`; not `0x1`, `Infinity` or blank. */
const decimalNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The finite number `text` writes as people write one in an option — decimal digits with an optional sign, point and
 * exponent (`0.7`, `-1`, `.5`, `1e-3`) — or undefined for anything else: hex, octal or binary (`0x10`), `Infinity`,
 * blank or padded, or too large to hold. Every option of `dsp` that takes a fraction reads this form, as policy specs do.
 */
export function parseDecimal(text: string): number | undefined {
  const value = decimalNumber.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** dsp options that take a word, and the number each word stands for (`dsp:prior=builtin` → `prior: 1`). */
const dspWordValues: Readonly<Record<string, Readonly<Record<string, number>>>> = { prior: { none: 0, builtin: 1 } };

/**
 * Parses one spec string; throws `InvalidInputError` naming the valid policies and `source` (default `policy spec`;
 * a command passes its option, e.g. `--policy`).
 */
export function parsePolicySpec(text: string, source = 'policy spec'): PolicySpec {
  const spec = text.trim();
  if (spec === 'sequential' || spec === 'additive' || spec === 'oracle') return { kind: spec, name: spec };
  if (spec.startsWith('fixed:')) {
    const value = spec.slice('fixed:'.length);
    const k = Number(value);
    if (!/^-?\d+$/.test(value) || k < 1) {
      throw new InvalidInputError(`"${spec}": k of fixed:K must be a whole number ≥ 1`, { source });
    }
    return { kind: 'fixed', name: `fixed:${k}`, k };
  }
  if (spec === 'dsp' || spec.startsWith('dsp:')) {
    const options: Record<string, number> = {};
    const body = spec.slice(4);
    if (body.length > 0) {
      for (const part of body.split(',')) {
        const [rawKey, rawValue, ...rest] = part.split('=');
        const key = rawKey?.trim() ?? '';
        const value = rawValue?.trim();
        const words = dspWordValues[key];
        if (value === undefined || rest.length > 0) {
          throw new InvalidInputError(`"${spec}": expected key=number pairs such as dsp:tau=0.7,beta=1`, { source });
        }
        const number = words?.[value] ?? parseDecimal(value);
        if (number === undefined) {
          const expected = words === undefined ? 'a decimal number, e.g. dsp:tau=0.7,beta=1' : `one of ${Object.keys(words).join(', ')}`;
          throw new InvalidInputError(`"${spec}": dsp option ${key}=${value}: expected ${expected}`, { source });
        }
        // A key given twice would run with one of its values under a name that shows both.
        if (key in options) throw new InvalidInputError(`"${spec}": dsp option ${key} is given twice; give it once`, { source });
        options[key] = number;
      }
    }
    return { kind: 'dsp', name: spec, options };
  }
  throw new InvalidInputError(`unknown policy "${spec}"; ${validList}`, { source });
}

/**
 * Parses a comma-separated list, keeping `dsp:a=1,b=2` parts together. Errors name `source` (default `policy list`;
 * a command passes its option, e.g. `--policies`).
 */
export function parsePolicyList(text: string, source = 'policy list'): PolicySpec[] {
  const parts: string[] = [];
  for (const piece of text.split(',')) {
    const trimmed = piece.trim();
    if (trimmed === '') continue;
    const previous = parts[parts.length - 1];
    if (previous !== undefined && previous.startsWith('dsp') && /^[a-zA-Z]+=/.test(trimmed)) {
      parts[parts.length - 1] = `${previous}${previous.includes(':') ? ',' : ':'}${trimmed}`;
    } else {
      parts.push(trimmed);
    }
  }
  if (parts.length === 0) throw new InvalidInputError(`no policy given; ${validList}`, { source });
  return parts.map((part) => parsePolicySpec(part, source));
}

/** What a policy may be built with. `stepsToBreak` exists only in replay, for the oracle. */
export interface PolicyContext {
  stepsToBreak?: (committedLength: number) => number;
}

/** Builds policies that do not learn. The `dsp` policy is built by `createDspPolicy` (it owns a worker). */
export function createBasicPolicy(spec: PolicySpec, context: PolicyContext = {}): KPolicy {
  switch (spec.kind) {
    case 'sequential':
      return sequentialPolicy();
    case 'fixed':
      return fixedPolicy(spec.k);
    case 'additive':
      return additivePolicy();
    case 'oracle':
      if (context.stepsToBreak === undefined) {
        throw new InvalidInputError('the oracle policy needs a recorded trace: it exists only in replay');
      }
      return oraclePolicy(context.stepsToBreak);
    case 'dsp':
      throw new InvalidInputError(
        'the dsp policy owns a trainer and is not built here: build it with createPolicy or createDspPolicy (replaySuite and runBench: buildPolicy: createPolicy)',
      );
  }
}
