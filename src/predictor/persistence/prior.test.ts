import { describe, expect, it } from 'vitest';
import { CorruptStateError } from '../../core/errors.js';
import { parsePolicySpec } from '../../policies/registry.js';
import { createDspPolicy } from '../create-dsp-policy.js';
import { featureDimension } from '../maths/features.js';
import { linearModelDescription } from '../policy/predictor-state.js';
import { loadBuiltinPrior } from './builtin-prior.js';
import { parsePrior, priorTrainerState, serializePrior, type PredictorPrior } from './prior.js';

const model = linearModelDescription(featureDimension(6));

function handPrior(): PredictorPrior {
  const weights = (seed: number) => Float64Array.from({ length: model.dimension }, (_, index) => (index % 3 === 0 ? 0 : Math.sin(seed * index) * 2.5));
  const survival = weights(2);
  const acceptance = weights(3);
  return {
    model,
    trainedOn: ['a', 'b'],
    value: weights(1),
    hazard: { weights: { survival, acceptance }, squaredGradients: { survival: survival.map(() => 1), acceptance: acceptance.map(() => 1) } },
    statistics: { accepted: 7, judged: 10 },
  };
}

describe('priors', () => {
  it('round-trip their weights to within 16-bit fixed point, zeros exactly', () => {
    const prior = handPrior();
    const loaded = parsePrior(serializePrior(prior), 'prior.json', model);
    expect(loaded.trainedOn).toEqual(['a', 'b']);
    expect(loaded.statistics).toEqual({ accepted: 7, judged: 10 });
    const largest = 2.5;
    for (const [original, read] of [
      [prior.value, loaded.value],
      [prior.hazard.weights.survival, loaded.hazard.weights.survival],
      [prior.hazard.weights.acceptance, loaded.hazard.weights.acceptance],
    ] as const) {
      original.forEach((weight, index) => {
        expect(Math.abs(read[index]! - weight)).toBeLessThanOrEqual(largest / 32767);
        if (weight === 0) expect(read[index]).toBe(0);
      });
    }
    // AdaGrad resumes from a fixed sum on the slots the prior learned, none elsewhere.
    expect(loaded.hazard.squaredGradients.survival[0]).toBe(0);
    expect(loaded.hazard.squaredGradients.survival[1]).toBe(4);
  });

  it('start a trainer that plans at once, with a fresh optimiser and an empty buffer', () => {
    const state = priorTrainerState(handPrior(), 9);
    expect(state.trainings).toBe(1);
    expect(state.segments).toEqual([]);
    expect(state.optimizer.step).toBe(0);
    expect(state.randomState).toBe(9);
  });

  it('are refused when damaged or made for another feature space', () => {
    const text = serializePrior(handPrior());
    expect(() => parsePrior(text, 'prior.json', linearModelDescription(featureDimension(7)))).toThrow(/^prior\.json: incompatible prior: made for 96 weights/);
    const withVersion = (version: number): string => text.replace(/"featurizerVersion":\d+/, `"featurizerVersion":${version}`);
    expect(parsePrior(withVersion(3), 'prior.json', model).value).toEqual(parsePrior(text, 'prior.json', model).value);
    expect(() => parsePrior(withVersion(2), 'prior.json', model)).toThrow(/featurizer version 2; this predictor has .* featurizer version 4/);
    const damaged = JSON.parse(text) as { heads: { value: { weights: string } } };
    damaged.heads.value.weights = 'AAAA';
    expect(() => parsePrior(JSON.stringify(damaged), 'prior.json', model)).toThrow(CorruptStateError);
    expect(() => parsePrior('{"format":"dsp-prior/1"}', 'prior.json', model)).toThrow(/not a dsp-prior\/1 prior/);
  });

  it('ship one that fits this featurizer, and dsp:prior=builtin plans with it from its first round', async () => {
    const shipped = loadBuiltinPrior(linearModelDescription(featureDimension()));
    expect(shipped.trainedOn).toEqual(['openagi-react', 'openagi-cot', 'openagi-mad', 'travelplanner-react']);
    const spec = parsePolicySpec('dsp:value=10,prior=builtin');
    expect(spec).toMatchObject({ kind: 'dsp', options: { value: 10, prior: 1 } });
    const informed = createDspPolicy(spec as { name: string; options: Record<string, number> }, { trainer: 'in-process' });
    const empty = createDspPolicy({ name: 'dsp:value=10', options: { value: 10 } }, { trainer: 'in-process' });
    const state = { task: { id: 't', text: 'Please plan a 3-day trip from Boston to Denver' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 50 };
    expect(informed.trained).toBe(true);
    expect(empty.trained).toBe(false);
    expect(informed.forecastSurvival(state, 3)).toHaveLength(3);
    expect(empty.forecastSurvival(state, 3)).toBeUndefined();
    await Promise.all([informed.close(), empty.close()]);
    expect(() => parsePolicySpec('dsp:prior=somewhere')).toThrow(/dsp option prior=somewhere: expected one of none, builtin$/);
  });
});
