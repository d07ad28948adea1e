import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinPriorPath } from '../src/predictor/persistence/builtin-prior.js';
import { serializePrior } from '../src/predictor/persistence/prior.js';
import { defaultSuiteNames, embeddedSuite } from '../src/suite/embedded-suites.js';
import { trainPrior } from '../scripts/build-prior.js';

describe('the shipped prior', () => {
  it('is what scripts/build-prior.ts makes from the embedded suites, byte for byte', async () => {
    const rebuilt = serializePrior(await trainPrior(defaultSuiteNames.map((name) => embeddedSuite(name, 1))));
    // If this fails after a change to the featurizer, the training or the suites: node --import tsx scripts/build-prior.ts
    expect(rebuilt === readFileSync(builtinPriorPath, 'utf8')).toBe(true);
  });
});
