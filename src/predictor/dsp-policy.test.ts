import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { createPolicy, validatePolicySpecs } from '../policies/create.js';
import { parsePolicyList } from '../policies/registry.js';
import { dspDefaults, parseDspOptions } from './dsp-policy.js';

describe('dsp options', () => {
  it('reads every documented key and keeps the defaults for the rest', () => {
    expect(parseDspOptions({})).toEqual(dspDefaults);
    expect(
      parseDspOptions({ tau: 0.7, beta: -1, kmax: 6, lambda: 1, lr: 0.01, epochs: 5, batch: 8, cold: 3, capacity: 100, sample: 32, authors: 1, gate: 0.4 }),
    ).toEqual({
      tau: 0.7,
      beta: -1,
      kMax: 6,
      lambda: 1,
      learningRate: 0.01,
      epochs: 5,
      batchSize: 8,
      coldK: 3,
      bufferCapacity: 100,
      sampleSteps: 32,
      bootstrap: 'current',
      gate: 0.4,
    });
    expect(() => parseDspOptions({ gate: 1 })).toThrow(/dsp option gate=1: expected a number from 0 up to/);
  });

  it('names the valid keys when a key is unknown', () => {
    expect(() => parseDspOptions({ gamma: 1 })).toThrow(InvalidInputError);
    expect(() => parseDspOptions({ gamma: 1 })).toThrow(/unknown dsp option "gamma"; valid options: tau .*beta .*kmax .*lambda .*lr .*epochs .*batch .*cold/);
  });

  it('rejects values out of range', () => {
    expect(() => parseDspOptions({ tau: 1 })).toThrow(/tau=1: expected a number strictly between 0 and 1/);
    expect(() => parseDspOptions({ beta: 0.5 })).toThrow(/beta=0.5: expected a whole number/);
    expect(() => parseDspOptions({ kmax: 0 })).toThrow(/kmax=0/);
  });

  it('is built by createPolicy from a bench spec list, with the cold-start k', async () => {
    const specs = parsePolicyList('fixed:2,dsp:tau=0.7,beta=1');
    validatePolicySpecs(specs);
    expect(() => validatePolicySpecs(parsePolicyList('dsp:tau=0.7,bogus=1'))).toThrow(/unknown dsp option "bogus"/);
    const policy = createPolicy(specs[1]!, {}, { seed: 1, trainer: 'in-process' });
    expect(policy.name).toBe('dsp:tau=0.7,beta=1');
    const k = policy.chooseK({ task: { id: 't', text: 'x' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 5 });
    expect(k).toBe(2);
    await policy.close?.();
  });
});
