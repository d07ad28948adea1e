import { describe, expect, it } from 'vitest';
import { Featurizer } from '../maths/features.js';
import type { Segment } from '../maths/segment.js';
import type { TrainerSettings } from './trainer-core.js';
import { InProcessTrainer } from './in-process-trainer.js';
import type { TrainerFault } from './trainer.js';
import { WorkerTrainer } from './worker-trainer.js';

const featurizer = new Featurizer({ hashBits: 8 });
const settings: TrainerSettings = {
  dimension: featurizer.dimension,
  tau: 0.5,
  lambda: 1,
  bootstrap: 'next',
  learningRate: 0.1,
  epochs: 3,
  batchSize: 4,
  bufferCapacity: 500,
  sampleSteps: 64,
  seed: 7,
};

/** A segment of `length` states of one task, breaking at its last step. */
function segment(length: number, text = 'Given noisy image, return the caption'): Segment {
  const steps = Array.from({ length }, (_, index) => index + 1);
  const features = steps.map((step) =>
    featurizer.featurize({
      taskText: text,
      history: Array.from({ length: step - 1 }, (_, index) => `"tool ${index}"`),
      outcomes: Array.from({ length: step - 1 }, () => 'accepted' as const),
      overallAccepted: 0,
      overallJudged: 0,
    }),
  );
  return { steps, features, breakStep: length };
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function faultyTrainer(fault: TrainerFault, deterministic: boolean) {
  const errors: Error[] = [];
  const trainer = new WorkerTrainer({ settings, deterministic, fault, onError: (error) => errors.push(error), synchronizeTimeoutMs: 20_000 });
  return { trainer, errors };
}

describe('WorkerTrainer', () => {
  it('reports a job that throws, keeps the last good weights and goes on training (deterministic)', async () => {
    const { trainer, errors } = faultyTrainer({ job: 2, kind: 'throw' }, true);
    try {
      trainer.submit([segment(4)]);
      trainer.synchronize();
      const good = trainer.currentWeights();
      expect(good).toBeDefined();
      const goodCopy = Float64Array.from(good!.value);

      trainer.submit([segment(5)]);
      trainer.synchronize();
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(/job 2 failed: injected trainer fault/);
      expect(trainer.stats).toMatchObject({ jobsSubmitted: 2, jobsCompleted: 2, trainings: 1, errors: 1 });
      // Planning goes on with the last good snapshot, untouched.
      expect(trainer.currentWeights()).toBe(good);
      expect([...trainer.currentWeights()!.value]).toEqual([...goodCopy]);

      trainer.submit([segment(3)]);
      trainer.synchronize();
      expect(trainer.stats.trainings).toBe(2);
      expect(trainer.currentWeights()).not.toBe(good);
    } finally {
      await trainer.close();
    }
  });

  it('matches the in-process trainer bit for bit, the failed job rolled back in both', async () => {
    const fault: TrainerFault = { job: 2, kind: 'throw' };
    const { trainer } = faultyTrainer(fault, true);
    const local = new InProcessTrainer({ settings, fault, onError: () => undefined });
    try {
      for (const length of [4, 6, 2, 5]) {
        trainer.submit([segment(length)]);
        local.submit([segment(length)]);
      }
      trainer.synchronize();
      expect([...trainer.currentWeights()!.value]).toEqual([...local.currentWeights()!.value]);
      expect(local.stats.errors).toBe(1);
    } finally {
      await trainer.close();
    }
  });

  it('reports a thread that dies once, never hangs, and closes cleanly', async () => {
    const { trainer, errors } = faultyTrainer({ job: 2, kind: 'exit' }, true);
    trainer.submit([segment(4)]);
    trainer.synchronize();
    const good = trainer.currentWeights();
    expect(good).toBeDefined();
    trainer.submit([segment(4)]);
    trainer.synchronize();
    trainer.submit([segment(4)]);
    trainer.synchronize();
    await trainer.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/exited/);
    expect(trainer.currentWeights()).toBe(good);
  });

  it('takes up weights in the background in live mode, without synchronize', async () => {
    const { trainer, errors } = faultyTrainer({ job: 1, kind: 'throw' }, false);
    try {
      trainer.submit([segment(4)]);
      trainer.submit([segment(4)]);
      expect(trainer.currentWeights()).toBeUndefined();
      await waitUntil(() => trainer.stats.jobsCompleted === 2);
      expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/job 1 failed/)]);
      // The weights of the good job arrive by themselves (no synchronize), in a message of their own that may come
      // a moment after the job count: wait for them, within the same bound.
      await waitUntil(() => trainer.currentWeights() !== undefined);
      const state = await trainer.exportState();
      expect(state.segments).toHaveLength(2);
      expect(state.trainings).toBe(1);
    } finally {
      await trainer.close();
    }
  });
});
