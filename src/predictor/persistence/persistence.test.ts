import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptStateError, DspError } from '../../core/errors.js';
import type { RoundState } from '../../core/policy.js';
import { createDspPolicy } from '../create-dsp-policy.js';
import { Featurizer } from '../maths/features.js';
import { linearModelDescription, type PredictorSnapshot } from '../policy/predictor-state.js';
import { parsePredictorState, serializePredictorState } from './state-codec.js';
import { TrainerCore } from '../training/trainer-core.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'dsp-predictor-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const featurizer = new Featurizer({ hashBits: 6 });
const model = linearModelDescription(featurizer.dimension);

const coreSettings = {
  dimension: featurizer.dimension,
  tau: 0.7,
  lambda: 0.95,
  bootstrap: 'next' as const,
  learningRate: 0.1,
  epochs: 2,
  batchSize: 2,
  bufferCapacity: 100,
  sampleSteps: 8,
  seed: 3,
};

/** A core trained on three segments; with `hazard`, its hazard heads too (the segments then carry guess features). */
function trainedSnapshot(hazard = false): PredictorSnapshot {
  const core = new TrainerCore({ ...coreSettings, hazard });
  for (const length of [3, 1, 4]) {
    const steps = Array.from({ length }, (_, index) => index + 1);
    const states = steps.map((step) => ({ taskText: `task ${length}`, history: steps.slice(0, step - 1).map(String), outcomes: [], overallAccepted: 1, overallJudged: 2 }));
    const features = states.map((state) => featurizer.featurize(state));
    const guessFeatures = states.map((state, index) => featurizer.featurize({ ...state, guess: `guess ${index}` }));
    core.addSegments([{ steps, features, breakStep: length, ...(hazard ? { guessFeatures } : {}) }]);
    core.train();
  }
  return { model, trainer: core.exportState(), statistics: { accepted: 5, judged: 8 } };
}

describe('predictor state files', () => {
  it('round-trips every number exactly', () => {
    const snapshot = trainedSnapshot();
    const loaded = parsePredictorState(serializePredictorState(snapshot), 'state.json', model);
    expect([...loaded.trainer.weights]).toEqual([...snapshot.trainer.weights]);
    expect([...loaded.trainer.optimizer.firstMoment]).toEqual([...snapshot.trainer.optimizer.firstMoment]);
    expect([...loaded.trainer.optimizer.secondMoment]).toEqual([...snapshot.trainer.optimizer.secondMoment]);
    expect(loaded.trainer.optimizer.step).toBe(snapshot.trainer.optimizer.step);
    expect(loaded.trainer.randomState).toBe(snapshot.trainer.randomState);
    expect(loaded.trainer.trainings).toBe(3);
    expect(loaded.statistics).toEqual({ accepted: 5, judged: 8 });
    expect(loaded.trainer.segments.map((segment) => [segment.steps, segment.breakStep])).toEqual(
      snapshot.trainer.segments.map((segment) => [segment.steps, segment.breakStep]),
    );
    expect([...loaded.trainer.segments[2]!.features[3]!.values]).toEqual([...snapshot.trainer.segments[2]!.features[3]!.values]);
    // A core resumed from the loaded state trains exactly like the original.
    const settings = { dimension: featurizer.dimension, tau: 0.7, lambda: 0.95, bootstrap: 'next' as const, learningRate: 0.1, epochs: 2, batchSize: 2, bufferCapacity: 100, sampleSteps: 8, seed: 3 };
    const original = new TrainerCore(settings, snapshot.trainer);
    const resumed = new TrainerCore(settings, loaded.trainer);
    original.train();
    resumed.train();
    expect([...resumed.snapshotWeights().value]).toEqual([...original.snapshotWeights().value]);
  });

  it('round-trips the hazard heads and the guess features of the economic policy, and resumes them exactly', () => {
    const snapshot = trainedSnapshot(true);
    const hazard = snapshot.trainer.hazard!;
    expect(hazard.weights.acceptance.some((weight) => weight !== 0)).toBe(true);
    const loaded = parsePredictorState(serializePredictorState(snapshot), 'state.json', model);
    for (const head of ['survival', 'acceptance'] as const) {
      expect([...loaded.trainer.hazard!.weights[head]]).toEqual([...hazard.weights[head]]);
      expect([...loaded.trainer.hazard!.squaredGradients[head]]).toEqual([...hazard.squaredGradients[head]]);
    }
    expect([...loaded.trainer.segments[2]!.guessFeatures![1]!.indices]).toEqual([...snapshot.trainer.segments[2]!.guessFeatures![1]!.indices]);
    // Trained on one more segment, a resumed core's heads match the original's bit for bit.
    const original = new TrainerCore({ ...coreSettings, hazard: true }, snapshot.trainer);
    const resumed = new TrainerCore({ ...coreSettings, hazard: true }, loaded.trainer);
    for (const core of [original, resumed]) {
      core.addSegments([{ ...snapshot.trainer.segments[0]!, breakStep: 3 }]);
      core.train();
    }
    expect([...resumed.snapshotWeights().hazard!.survival]).toEqual([...original.snapshotWeights().hazard!.survival]);
    // A core that does not train the heads keeps them as loaded, and exports them again.
    const keeper = new TrainerCore(coreSettings, loaded.trainer);
    keeper.addSegments([{ ...snapshot.trainer.segments[0]!, breakStep: 3 }]);
    keeper.train();
    expect([...keeper.exportState().hazard!.weights.acceptance]).toEqual([...hazard.weights.acceptance]);
    const damaged = JSON.parse(serializePredictorState(snapshot)) as { trainer: { hazard: { survival: string } } };
    damaged.trainer.hazard.survival = 'AAAA';
    expect(() => parsePredictorState(JSON.stringify(damaged), 'state.json', model)).toThrow(/trainer\.hazard\.survival holds/);
  });

  it("keeps the record of A's confidence, and rejects one of another shape", () => {
    const confidence = { right: Array.from({ length: 20 }, (_, bin) => (bin >= 15 ? bin : 0)), wrong: Array.from({ length: 20 }, (_, bin) => (bin < 5 ? 2 : 0)) };
    const snapshot = { ...trainedSnapshot(), confidence };
    expect(parsePredictorState(serializePredictorState(snapshot), 'state.json', model).confidence).toEqual(confidence);
    expect(parsePredictorState(serializePredictorState(trainedSnapshot()), 'state.json', model).confidence).toBeUndefined();
    const damaged = JSON.parse(serializePredictorState(snapshot)) as { confidence: { right: number[] } };
    damaged.confidence.right = damaged.confidence.right.slice(1);
    expect(() => parsePredictorState(JSON.stringify(damaged), 'state.json', model)).toThrow(/^state\.json: damaged predictor state: field confidence\.right: /);
  });

  it('keeps the acceptance gate’s weights, and rejects a damaged gate', () => {
    const gateWeights = Float64Array.from({ length: 16 }, (_, index) => index / 7 - 1);
    const snapshot = { ...trainedSnapshot(), gate: { weights: gateWeights, judged: 42 } };
    const loaded = parsePredictorState(serializePredictorState(snapshot), 'state.json', model);
    expect([...loaded.gate!.weights]).toEqual([...gateWeights]);
    expect(loaded.gate!.judged).toBe(42);
    const damaged = JSON.parse(serializePredictorState(snapshot)) as { gate: { weights: string } };
    damaged.gate.weights = Buffer.alloc(24).toString('base64');
    expect(() => parsePredictorState(JSON.stringify(damaged), 'state.json', model)).toThrow(/gate\.weights holds 3 numbers/);
  });

  it('rejects damaged, foreign and incompatible files with CorruptStateError', () => {
    const text = serializePredictorState(trainedSnapshot());
    const expectCorrupt = (content: string, message: RegExp): void => {
      let caught: unknown;
      try {
        parsePredictorState(content, 'state.json', model);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CorruptStateError);
      expect(DspError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    };
    expectCorrupt(text.slice(0, text.length / 2), /state\.json: not a predictor state: not valid JSON/);
    expectCorrupt('{"format":"something-else"}', /format "something-else", expected "dsp-predictor-state\/1"/);
    expectCorrupt('{}', /^state\.json: not a predictor state of a format this version reads: no "format" field, expected "dsp-predictor-state\/1"$/);
    const file = JSON.parse(text) as { trainer: { weights: string; segments: Array<{ steps: number[] }> } };
    expectCorrupt(
      JSON.stringify({ ...file, trainer: { ...file.trainer, weights: 'AAAA' } }),
      /^state\.json: damaged predictor state: trainer\.weights holds 3 bytes, expected \d+ numbers \(\d+ bytes\)$/,
    );
    expectCorrupt(JSON.stringify({ ...file, trainer: { ...file.trainer, trainings: 'many' } }), /^state\.json: damaged predictor state: field trainer\.trainings: .*expected number/);
    file.trainer.segments[0]!.steps = [3, 1];
    expectCorrupt(JSON.stringify(file), /segments\.0/);
    expect(() => parsePredictorState(text, 'state.json', linearModelDescription(model.dimension + 1))).toThrow(/incompatible predictor state/);
  });

  it('reads a state of featurizer version 3 as it is (version 4 only added a slot), and refuses version 2', () => {
    const text = serializePredictorState(trainedSnapshot());
    const withVersion = (version: number): string => {
      const file = JSON.parse(text) as { model: { featurizerVersion: number } };
      file.model.featurizerVersion = version;
      return JSON.stringify(file);
    };
    const current = parsePredictorState(text, 'state.json', model);
    const older = parsePredictorState(withVersion(3), 'state.json', model);
    expect(older.trainer.weights).toEqual(current.trainer.weights);
    expect(older.model.featurizerVersion).toBe(model.featurizerVersion);
    expect(() => parsePredictorState(withVersion(2), 'state.json', model)).toThrow(/featurizer version 2; this predictor has .* featurizer version 4/);
  });
});

describe('dsp policy with a state path', () => {
  const task = { id: 't', text: 'Given blurry image, return the caption' };
  const roundState: RoundState = { task, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 9 };

  /** Plays a few tasks whose guesses are all right for 5 steps. */
  function teach(policy: ReturnType<typeof createDspPolicy>): void {
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

  it('saves on close and resumes from the file', async () => {
    const path = join(folder, 'predictor.json');
    const first = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path, hashBits: 8 });
    expect(first.chooseK(roundState)).toBe(2);
    teach(first);
    const learnedK = first.chooseK(roundState);
    expect(learnedK).toBeGreaterThan(2);
    await first.close();

    const second = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'worker', statePath: path, hashBits: 8 });
    try {
      second.taskStarted(task);
      expect(second.trained).toBe(true);
      expect(second.chooseK(roundState)).toBe(learnedK);
      expect(second.estimateValue(roundState)).toBe(first.estimateValue(roundState));
    } finally {
      await second.close();
    }
    expect(parsePredictorState(readFileSync(path, 'utf8'), path, linearModelDescription(new Featurizer({ hashBits: 8 }).dimension)).trainer.trainings).toBeGreaterThan(0);
  });

  it('keeps a learned gate across a run that does not use it, and refuses a gate of another size', async () => {
    const path = join(folder, 'gated.json');
    const description = linearModelDescription(new Featurizer({ hashBits: 8 }).dimension);
    const gated = createDspPolicy({ name: 'dsp:gate=0.5', options: { gate: 0.5 } }, { trainer: 'in-process', statePath: path, hashBits: 8 });
    teach(gated);
    await gated.close();
    const learned = parsePredictorState(readFileSync(path, 'utf8'), path, description).gate!;
    expect(learned.judged).toBe(30);

    const plain = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path, hashBits: 8 });
    teach(plain);
    await plain.close();
    const kept = parsePredictorState(readFileSync(path, 'utf8'), path, description).gate!;
    expect(kept.judged).toBe(30);
    expect([...kept.weights]).toEqual([...learned.weights]);

    const fresh = join(folder, 'no-gate.json');
    const never = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: fresh, hashBits: 8 });
    teach(never);
    await never.close();
    expect(parsePredictorState(readFileSync(fresh, 'utf8'), fresh, description).gate).toBeUndefined();

    const foreign = JSON.parse(readFileSync(path, 'utf8')) as { gate: { weights: string } };
    foreign.gate.weights = Buffer.alloc(8 * 16).toString('base64');
    writeFileSync(path, JSON.stringify(foreign));
    const before = readFileSync(path, 'utf8');
    expect(() => createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path, hashBits: 8 })).toThrow(
      /acceptance gate has 16 weights, this version uses 16384/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses a corrupt file and leaves it untouched', () => {
    const path = join(folder, 'predictor.json');
    writeFileSync(path, '{"format": "dsp-predictor-state/1", "model": ');
    expect(() => createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path })).toThrow(CorruptStateError);
    expect(readFileSync(path, 'utf8')).toBe('{"format": "dsp-predictor-state/1", "model": ');
  });

  it('refuses a state saved with another feature space', async () => {
    const path = join(folder, 'predictor.json');
    const small = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path, hashBits: 6 });
    await small.close();
    const before = readFileSync(path, 'utf8');
    expect(() => createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'in-process', statePath: path, hashBits: 8 })).toThrow(
      /incompatible predictor state: saved for a linear model with 96 weights/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
