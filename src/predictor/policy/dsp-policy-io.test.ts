import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoundState } from '../../core/policy.js';
import { createDspPolicy, DspPolicy, inProcessTrainerFactory, MemoryStateStore, parseDspOptions } from '../index.js';

// Every function and class of node:fs and node:worker_threads, as the modules under test see them, records its use
// and then does the real thing.
const { touched, recording } = vi.hoisted(() => {
  const touched: string[] = [];
  const recording = (module: string, actual: Record<string, unknown>): Record<string, unknown> => {
    const wrapped: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(actual)) {
      if (typeof value !== 'function') {
        wrapped[name] = value;
      } else if (/^[A-Z]/.test(name) && value.prototype !== undefined) {
        const Actual = value as new (...args: unknown[]) => object;
        wrapped[name] = class extends Actual {
          constructor(...args: unknown[]) {
            touched.push(`${module}.${name}`);
            super(...args);
          }
        };
      } else {
        wrapped[name] = (...args: unknown[]) => {
          touched.push(`${module}.${name}`);
          return (value as (...args: unknown[]) => unknown)(...args);
        };
      }
    }
    return { ...wrapped, default: wrapped };
  };
  return { touched, recording };
});

vi.mock('node:fs', async (importOriginal) => recording('node:fs', await importOriginal<Record<string, unknown>>()));
vi.mock('node:worker_threads', async (importOriginal) => recording('node:worker_threads', await importOriginal<Record<string, unknown>>()));

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

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'dsp-policy-io-'));
  touched.length = 0;
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('the dsp policy does no I/O of its own', () => {
  it('with an in-memory store and the in-process trainer: builds, learns, saves and resumes without a file or a thread', async () => {
    const store = new MemoryStateStore();
    const options = { stateStore: store, createTrainer: inProcessTrainerFactory(), hashBits: 8 };
    const first = new DspPolicy('dsp', parseDspOptions({}), options);
    teach(first);
    const learnedK = first.chooseK(roundState);
    await first.close();
    const second = new DspPolicy('dsp', parseDspOptions({}), options);
    second.taskStarted(task);
    expect(second.chooseK(roundState)).toBe(learnedK);
    await second.close();

    expect(learnedK).toBeGreaterThan(2);
    expect(store.text).toBeDefined();
    expect(touched).toEqual([]);
  });

  it('createDspPolicy wires the real adapters: the state file and the worker thread (so the recording above is live)', async () => {
    const path = join(folder, 'predictor.json');
    const policy = createDspPolicy({ name: 'dsp', options: {} }, { trainer: 'worker', statePath: path, hashBits: 8 });
    expect(touched).toEqual(expect.arrayContaining(['node:fs.existsSync', 'node:worker_threads.Worker']));
    touched.length = 0;
    await policy.close();
    expect(touched).toEqual(expect.arrayContaining(['node:fs.openSync', 'node:fs.renameSync']));
  });
});
