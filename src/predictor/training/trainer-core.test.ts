import { describe, expect, it } from 'vitest';
import { Featurizer, withOffset } from '../maths/features.js';
import { predictValue } from '../maths/model.js';
import { logistic, TrainerCore } from './trainer-core.js';

const featurizer = new Featurizer({ hashBits: 8 });
const settings = {
  dimension: featurizer.dimension,
  tau: 0.5,
  lambda: 0.95,
  bootstrap: 'next' as const,
  learningRate: 0.05,
  epochs: 1,
  batchSize: 4,
  bufferCapacity: 500,
  sampleSteps: 32,
  seed: 1,
  hazard: true,
  hazardHorizon: 4,
};

describe('the hazard heads', () => {
  it('learn, online, that A is right twice and then wrong at the start of every task', () => {
    const core = new TrainerCore(settings);
    const state = (history: string[]) => ({ taskText: 'the same kind of task', history, outcomes: history.map(() => 'accepted' as const), overallAccepted: 0, overallJudged: 0 });
    const guesses = ['open', 'read', 'oops'];
    for (let task = 0; task < 40; task += 1) {
      const steps = [1, 2, 3];
      const states = steps.map((step) => state(['open', 'read'].slice(0, step - 1)));
      core.addSegments([
        {
          steps,
          breakStep: 3,
          features: states.map((entry) => featurizer.featurize(entry)),
          guessFeatures: states.map((entry, index) => featurizer.featurize({ ...entry, guess: guesses[index]! })),
        },
      ]);
      expect(core.train().trained).toBe(true);
    }
    const hazard = core.snapshotWeights().hazard!;
    const start = featurizer.featurize(state([]));
    const survival = (offset: number) => logistic(predictValue(hazard.survival, withOffset(start, 1, offset, featurizer.dimension)));
    // From the task's start: guesses 1 and 2 are accepted, guess 3 is the break.
    expect(survival(1)).toBeGreaterThan(0.8);
    expect(survival(2)).toBeGreaterThan(0.8);
    expect(survival(3)).toBeLessThan(0.5);
    const acceptance = (history: string[], guess: string) => logistic(predictValue(hazard.acceptance, featurizer.featurize({ ...state(history), guess })));
    expect(acceptance([], 'open')).toBeGreaterThan(0.8);
    expect(acceptance(['open', 'read'], 'oops')).toBeLessThan(0.2);
  });

  it('are trained only when asked, and change nothing of the value head', () => {
    const segment = { steps: [1, 2], breakStep: 2, features: [featurizer.featurize({ taskText: 't', history: [], outcomes: [], overallAccepted: 0, overallJudged: 0 })] };
    segment.features.push(featurizer.featurize({ taskText: 't', history: ['a'], outcomes: ['accepted'], overallAccepted: 0, overallJudged: 0 }));
    const plain = new TrainerCore({ ...settings, hazard: false, batchSize: 2 });
    const both = new TrainerCore({ ...settings, batchSize: 2 });
    for (const core of [plain, both]) {
      core.addSegments([segment]);
      core.train();
    }
    expect(plain.snapshotWeights().hazard).toBeUndefined();
    expect(both.snapshotWeights().hazard).toBeDefined();
    // The heads learn from the segment before the value head samples it, from their own generator-free pass.
    expect([...both.snapshotWeights().value]).toEqual([...plain.snapshotWeights().value]);
  });
});
