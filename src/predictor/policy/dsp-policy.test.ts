import { describe, expect, it } from 'vitest';
import { CorruptStateError, DspError, InvalidInputError } from '../../core/errors.js';
import type { RoundState } from '../../core/policy.js';
import { createPolicy, validatePolicySpecs } from '../../suite/create-policy.js';
import { parsePolicyList } from '../../policies/registry.js';
import { createDspPolicy } from '../create-dsp-policy.js';
import { MemoryStateStore } from '../persistence/memory-state-store.js';
import { inProcessTrainerFactory } from '../training/in-process-trainer.js';
import type { TrainerSettings, TrainerStateData } from '../training/trainer-core.js';
import { DspPolicy } from './dsp-policy.js';
import { coldStartK, dspDefaults, exploresRound, kFromValue, parseDspOptions, type DspSettings } from './dsp-settings.js';
import { featureDimension } from '../maths/features.js';
import type { Trainer, TrainerFactory } from '../training/trainer.js';

describe('dsp options', () => {
  it('reads every documented key and keeps the defaults for the rest', () => {
    expect(parseDspOptions({})).toEqual(dspDefaults);
    expect(
      parseDspOptions({ tau: 0.7, beta: -1, kmax: 6, lambda: 1, lr: 0.01, epochs: 5, batch: 8, cold: 3, kmin: 0, explore: 0.2, capacity: 100, sample: 32, authors: 1, gate: 0.4, value: 12.5, prior: 1 }),
    ).toEqual({
      tau: 0.7,
      beta: -1,
      kMax: 6,
      lambda: 1,
      learningRate: 0.01,
      epochs: 5,
      batchSize: 8,
      coldK: 3,
      kMin: 0,
      explore: 0.2,
      bufferCapacity: 100,
      sampleSteps: 32,
      bootstrap: 'current',
      gate: 0.4,
      valueUsdPerHour: 12.5,
      prior: 'builtin',
    });
    expect(() => parseDspOptions({ prior: 2 })).toThrow(/dsp option prior=2: expected builtin or none/);
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
    expect(() => parseDspOptions({ kmin: 2 })).toThrow(/kmin=2: expected 0 or 1/);
    expect(() => parseDspOptions({ explore: 1.5 })).toThrow(/explore=1.5: expected a number from 0 to 1/);
    expect(() => parseDspOptions({ explore: -0.1 })).toThrow(/explore=-0.1/);
  });

  it('is built by createPolicy from a bench spec list, with the cold-start k', async () => {
    const specs = parsePolicyList('fixed:2,dsp:tau=0.7,beta=1');
    validatePolicySpecs(specs);
    expect(() => validatePolicySpecs(parsePolicyList('dsp:tau=0.7,bogus=1'))).toThrow(/unknown dsp option "bogus"/);
    const policy = createPolicy(specs[1]!, {}, { seed: 1, trainer: 'in-process' });
    expect(policy.name).toBe('dsp:tau=0.7,beta=1');
    const k = policy.chooseK({ task: { id: 't', text: 'x' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 5 });
    // Before the first training: the cold-start k follows β (2 + 1).
    expect(k).toBe(3);
    await policy.close?.();
  });
});

describe('k from the prediction', () => {
  const settings = (options: Record<string, number>): DspSettings => parseDspOptions(options);

  it('starts at 2 + β, clamped to [1, kmax], unless cold is given', () => {
    expect(coldStartK(settings({}))).toBe(2);
    expect(coldStartK(settings({ beta: 2 }))).toBe(4);
    expect(coldStartK(settings({ beta: 9 }))).toBe(8);
    expect(coldStartK(settings({ beta: 9, kmax: 5 }))).toBe(5);
    expect(coldStartK(settings({ beta: -3 }))).toBe(1);
    expect(coldStartK(settings({ beta: -3, kmin: 0 }))).toBe(1);
    expect(coldStartK(settings({ beta: 2, cold: 3 }))).toBe(3);
  });

  it('rounds V̂, adds β and clamps to [kmin, kmax]', () => {
    expect(kFromValue(settings({}), 2.6)).toBe(3);
    expect(kFromValue(settings({ beta: -1 }), 1.2)).toBe(1);
    expect(kFromValue(settings({ beta: -1, kmin: 0 }), 1.2)).toBe(0);
    expect(kFromValue(settings({ kmin: 0 }), 0.3)).toBe(0);
    expect(kFromValue(settings({ beta: 3, kmax: 6 }), 4.4)).toBe(6);
  });

  /** A trainer stub whose weights put V̂ = bias weight = 0.8 for every state: with β = −1, "A is always wrong". */
  function alwaysWrongTrainer(): Trainer {
    const weights = new Float64Array(featureDimension());
    weights[0] = 0.8;
    return {
      kind: 'in-process',
      submit: () => undefined,
      currentWeights: () => ({ value: weights }),
      synchronize: () => undefined,
      exportState: () => Promise.reject(new Error('not used')),
      close: () => Promise.resolve(),
      stats: { jobsSubmitted: 0, jobsCompleted: 0, trainings: 1, errors: 0 },
    };
  }

  it('answers k = 0 once trained when kmin = 0 and V̂ + β rounds below 1', async () => {
    const state = { task: { id: 't', text: '' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 5 };
    const thrifty = createDspPolicy({ name: 'dsp:beta=-1,kmin=0', options: { beta: -1, kmin: 0 } }, { trainer: alwaysWrongTrainer });
    const paper = createDspPolicy({ name: 'dsp:beta=-1', options: { beta: -1 } }, { trainer: alwaysWrongTrainer });
    const bias = (policy: typeof paper): number => policy.estimateValue(state)!;
    expect(bias(thrifty)).toBeCloseTo(0.8, 12);
    expect(thrifty.chooseK(state)).toBe(0);
    expect(paper.chooseK(state)).toBe(1);
    await Promise.all([thrifty.close(), paper.close()]);
  });

  /** The k a policy answers at each of `steps` round starts of each of `tasks` tasks. */
  function ksOver(options: Record<string, number>, seed: number, tasks = 20, steps = 20): number[] {
    const policy = createDspPolicy({ name: 'dsp', options }, { trainer: alwaysWrongTrainer, seed });
    const ks: number[] = [];
    for (let taskIndex = 0; taskIndex < tasks; taskIndex += 1) {
      const task = { id: `task-${taskIndex}`, text: 'Given a noisy image, return the caption' };
      for (let step = 0; step < steps; step += 1) {
        const committed = new Array<string>(step).fill('Image Denoising');
        ks.push(policy.chooseK({ task, committed, roundIndex: step, previousRounds: [], kMax: 8, remainingSteps: 50 - step }));
      }
    }
    void policy.close();
    return ks;
  }

  it('with explore = ε still guesses once in about ε of the rounds it would skip, the same rounds for the same seed', () => {
    const explored = ksOver({ beta: -1, kmin: 0, explore: 0.25 }, 1);
    expect(new Set(explored)).toEqual(new Set([0, 1]));
    const share = explored.filter((k) => k === 1).length / explored.length;
    // 400 rounds: a binomial share of 0.25 has a standard deviation of about 0.022.
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.32);
    expect(ksOver({ beta: -1, kmin: 0, explore: 0.25 }, 1)).toEqual(explored);
    const otherSeed = ksOver({ beta: -1, kmin: 0, explore: 0.25 }, 2);
    expect(otherSeed).not.toEqual(explored);
    // A larger ε explores a superset of the rounds (the same draw, a higher threshold).
    const more = ksOver({ beta: -1, kmin: 0, explore: 0.5 }, 1);
    expect(explored.every((k, index) => k === 0 || more[index] === 1)).toBe(true);
    expect(more.filter((k) => k === 1).length).toBeGreaterThan(explored.filter((k) => k === 1).length);
  });

  it('with explore = 0 (the default) skips every such round, and with explore = 1 guesses in all of them', () => {
    expect(new Set(ksOver({ beta: -1, kmin: 0 }, 1))).toEqual(new Set([0]));
    expect(new Set(ksOver({ beta: -1, kmin: 0, explore: 0 }, 1))).toEqual(new Set([0]));
    expect(new Set(ksOver({ beta: -1, kmin: 0, explore: 1 }, 1))).toEqual(new Set([1]));
    // explore only turns a 0 into a 1: with kmin = 1 the rule never answers 0.
    expect(new Set(ksOver({ beta: -1, explore: 1 }, 1))).toEqual(new Set([1]));
  });

  it('draws explored rounds from the seed, the task id and the step alone', () => {
    expect(exploresRound(0, 1, 't', 3)).toBe(false);
    expect(exploresRound(1, 1, 't', 3)).toBe(true);
    const draws = (seed: number) => Array.from({ length: 200 }, (_, step) => exploresRound(0.3, seed, 'task-a', step));
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
    expect(draws(7)).not.toEqual(Array.from({ length: 200 }, (_, step) => exploresRound(0.3, 7, 'task-b', step)));
  });
});

describe('the policy with injected adapters', () => {
  const task = { id: 't', text: 'Given blurry image, return the caption' };
  const roundState: RoundState = { task, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 9 };

  /** Six tasks whose guesses are right for 4 steps, then the start of a seventh (which takes up the weights). */
  function teach(policy: DspPolicy): void {
    for (let taskIndex = 0; taskIndex < 6; taskIndex += 1) {
      policy.taskStarted(task);
      policy.chooseK(roundState);
      policy.observeRound(
        { index: 0, startStep: 1, k: 5, guesses: ['a', 'b', 'c', 'd', 'e'], acceptedCount: 4, committedCount: 5, end: 'mismatch', startMs: 0, endMs: 0 },
        roundState,
      );
    }
    policy.taskStarted(task);
  }

  /** Records what the policy asks of its trainer factory, and builds in-process trainers. */
  function recordingFactory(): TrainerFactory & { calls: Array<{ settings: TrainerSettings; initialState: TrainerStateData | undefined }> } {
    const calls: Array<{ settings: TrainerSettings; initialState: TrainerStateData | undefined }> = [];
    const build = inProcessTrainerFactory();
    return Object.assign(
      (settings: TrainerSettings, initialState: TrainerStateData | undefined) => {
        calls.push({ settings, initialState });
        return build(settings, initialState);
      },
      { calls },
    );
  }

  it('builds its trainer once from the settings, the seed and the state its store loaded, and saves through the store on close', async () => {
    const store = new MemoryStateStore();
    const firstFactory = recordingFactory();
    const options = { stateStore: store, seed: 5, hashBits: 8 };
    const first = new DspPolicy('dsp:tau=0.7', parseDspOptions({ tau: 0.7 }), { ...options, createTrainer: firstFactory });
    expect(firstFactory.calls).toHaveLength(1);
    expect(firstFactory.calls[0]!.initialState).toBeUndefined();
    expect(firstFactory.calls[0]!.settings).toMatchObject({ tau: 0.7, seed: 5, dimension: featureDimension(8) });
    teach(first);
    const learnedK = first.chooseK(roundState);
    expect(learnedK).toBeGreaterThan(2);
    expect(store.text).toBeUndefined();
    await first.close();
    expect(store.text).toMatch(/"format":"dsp-predictor-state\/1"/);

    const secondFactory = recordingFactory();
    const second = new DspPolicy('dsp:tau=0.7', parseDspOptions({ tau: 0.7 }), { ...options, createTrainer: secondFactory });
    expect(secondFactory.calls).toHaveLength(1);
    expect(secondFactory.calls[0]!.initialState?.trainings).toBeGreaterThan(0);
    second.taskStarted(task);
    expect(second.chooseK(roundState)).toBe(learnedK);
    expect(second.estimateValue(roundState)).toBe(first.estimateValue(roundState));
    await second.close();
  });

  it('takes up new weights at the first decision after a break, within the task (deterministic, worker thread)', async () => {
    const policy = createDspPolicy({ name: 'dsp:batch=1', options: { batch: 1 } }, { trainer: 'worker', deterministic: true, hashBits: 8 });
    try {
      policy.taskStarted(task);
      expect(policy.chooseK(roundState)).toBe(2);
      const round = { index: 0, startStep: 1, k: 2, guesses: ['a', 'b'], acceptedCount: 1, committedCount: 2, end: 'mismatch' as const, startMs: 0, endMs: 0 };
      policy.observeRound(round, roundState);
      // The break submitted a job; nothing is taken up until the next decision.
      expect(policy.trained).toBe(false);
      const next: RoundState = { ...roundState, committed: ['a', 'x'], roundIndex: 1, previousRounds: [round] };
      policy.chooseK(next);
      expect(policy.trained).toBe(true);
      expect(policy.trainerStats).toMatchObject({ jobsSubmitted: 1, jobsCompleted: 1, trainings: 1 });
      expect(policy.estimateValue(next)).not.toBe(0);
    } finally {
      await policy.close();
    }
  });

  it('names the store in a load error and starts no trainer when the loaded state is unusable', async () => {
    const source = new MemoryStateStore();
    const gated = new DspPolicy('dsp:gate=0.5', parseDspOptions({ gate: 0.5 }), { stateStore: source, hashBits: 8 });
    teach(gated);
    await gated.close();
    const foreign = JSON.parse(source.text!) as { gate: { weights: string } };
    foreign.gate.weights = Buffer.alloc(8 * 16).toString('base64');
    const factory = recordingFactory();
    const build = (text: string): DspPolicy =>
      new DspPolicy('dsp', { ...dspDefaults }, {
        stateStore: new MemoryStateStore({ text, location: 'the test store' }),
        createTrainer: factory,
        hashBits: 8,
      });
    expect(() => build(JSON.stringify(foreign))).toThrow(/^the test store: incompatible predictor state: its acceptance gate has 16 weights/);
    expect(() => build('{"format": "dsp-predictor-state/1"')).toThrow(CorruptStateError);
    expect(factory.calls).toHaveLength(0);
  });

  it('reports a state it cannot export as a save failure naming the store, and still closes the trainer', async () => {
    let closed = false;
    const trainer: Trainer = {
      kind: 'in-process',
      submit: () => undefined,
      currentWeights: () => undefined,
      synchronize: () => undefined,
      exportState: () => Promise.reject(new Error('the trainer is gone')),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
      stats: { jobsSubmitted: 0, jobsCompleted: 0, trainings: 0, errors: 0 },
    };
    const store = new MemoryStateStore({ location: 'the test store' });
    const policy = new DspPolicy('dsp', { ...dspDefaults }, { stateStore: store, createTrainer: () => trainer, hashBits: 8 });
    const failure = await policy.close().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(DspError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toBe('cannot save the predictor state to the test store: the trainer is gone');
    expect(closed).toBe(true);
    expect(store.text).toBeUndefined();
  });
});
