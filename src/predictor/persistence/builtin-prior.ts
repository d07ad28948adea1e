/**
 * The prior shipped with the package (`dsp:prior=builtin`): `data/prior/dsp-prior.json`, trained on the embedded
 * suites by `scripts/build-prior.ts` (docs/predictor.md, "Starting informed"). Read once per process.
 */
import { fileURLToPath } from 'node:url';
import { readTextFile } from '../../io/read-text.js';
import type { PredictorModelDescription } from '../policy/predictor-state.js';
import { parsePrior, type PredictorPrior } from './prior.js';

/** Where the shipped prior lives (`data/prior/dsp-prior.json` at the package root). */
export const builtinPriorPath = fileURLToPath(new URL('../../../data/prior/dsp-prior.json', import.meta.url));

let cached: PredictorPrior | undefined;

/**
 * The shipped prior, checked against `expected` (read and parsed once; callers copy what they change). Throws
 * `CorruptStateError` when it does not fit this predictor (e.g. a policy built with other `hashBits`).
 */
export function loadBuiltinPrior(expected: PredictorModelDescription): PredictorPrior {
  if (cached?.model.dimension !== expected.dimension || cached.model.featurizerVersion !== expected.featurizerVersion) {
    cached = parsePrior(readTextFile(builtinPriorPath), builtinPriorPath, expected);
  }
  return cached;
}
