import { describe, expect, it } from 'vitest';
import type { Action, RoundRecord, TaskInput, TaskResult } from '../../core/types.js';
import type { RoundState } from '../../core/policy.js';
import { DspPolicy } from '../policy/dsp-policy.js';
import { dspDefaults } from '../policy/dsp-settings.js';
import { readRound } from './labels.js';
import { segmentLabels, type Segment } from './segment.js';
import type { Trainer, TrainerStats } from '../training/trainer.js';

/** A trainer that only records the segments it is given. */
function recordingTrainer(): Trainer & { jobs: Segment[][] } {
  const stats: TrainerStats = { jobsSubmitted: 0, jobsCompleted: 0, trainings: 0, errors: 0 };
  const jobs: Segment[][] = [];
  return {
    kind: 'in-process',
    stats,
    jobs,
    submit: (segments) => {
      jobs.push([...segments]);
      stats.jobsSubmitted += 1;
    },
    currentWeights: () => undefined,
    synchronize: () => undefined,
    exportState: () => Promise.reject(new Error('not needed')),
    close: () => Promise.resolve(),
  };
}

function round(fields: Omit<RoundRecord, 'startMs' | 'endMs'>): RoundRecord {
  return { ...fields, startMs: 0, endMs: 0 };
}

/** Drives a policy through hand-built rounds the way the engine does. */
function driver(task: TaskInput) {
  const trainer = recordingTrainer();
  const policy = new DspPolicy('dsp', { ...dspDefaults }, { createTrainer: () => trainer });
  const committed: Action[] = [];
  const rounds: RoundRecord[] = [];
  policy.taskStarted(task);
  return {
    trainer,
    policy,
    play(record: RoundRecord, committedActions: Action[]): number {
      const state: RoundState = {
        task,
        committed: [...committed],
        roundIndex: rounds.length,
        previousRounds: rounds,
        kMax: 8,
        remainingSteps: 50 - committed.length,
      };
      const k = policy.chooseK(state);
      rounds.push(record);
      policy.observeRound(record, state);
      committed.push(...committedActions);
      return k;
    },
    end(): void {
      const result = { taskId: task.id, plan: [...committed], endReason: 'max-steps', records: [], rounds } as unknown as TaskResult;
      policy.taskEnded(result);
    },
  };
}

const task: TaskInput = { id: 't', text: 'Given blurry image, how to return the regular image step by step?' };

describe('readRound', () => {
  it('reads every round end', () => {
    const base = { index: 0, startStep: 4, k: 3, startMs: 0, endMs: 0 };
    expect(readRound({ ...base, guesses: ['a', 'b', 'c'], acceptedCount: 1, committedCount: 2, end: 'mismatch' })).toEqual({
      labelledGuesses: 2,
      breakStep: 5,
      outcomes: ['accepted', 'rejected'],
    });
    expect(readRound({ ...base, guesses: ['a', 'b', 'c'], acceptedCount: 3, committedCount: 3, end: 'exhausted' })).toEqual({
      labelledGuesses: 3,
      breakStep: undefined,
      outcomes: ['accepted', 'accepted', 'accepted'],
    });
    // T answered step 5 before A guessed it: a break at 5 with no example there.
    expect(readRound({ ...base, guesses: ['a'], acceptedCount: 1, committedCount: 2, end: 'no-guess' })).toEqual({
      labelledGuesses: 1,
      breakStep: 5,
      outcomes: ['accepted', 'no-guess'],
    });
    // A guessed the terminal action right: the plan's end is the break.
    expect(readRound({ ...base, guesses: ['a', 'END'], acceptedCount: 2, committedCount: 2, end: 'terminal' })).toEqual({
      labelledGuesses: 2,
      breakStep: 5,
      outcomes: ['accepted', 'accepted'],
    });
    // T ended the plan where A guessed otherwise.
    expect(readRound({ ...base, guesses: ['x'], acceptedCount: 0, committedCount: 1, end: 'terminal' })).toEqual({
      labelledGuesses: 1,
      breakStep: 4,
      outcomes: ['rejected'],
    });
    expect(readRound({ ...base, k: 0, guesses: [], acceptedCount: 0, committedCount: 1, end: 'sequential' })).toEqual({
      labelledGuesses: 0,
      breakStep: 4,
      outcomes: ['no-guess'],
    });
  });
});

describe('DSP labels from rounds', () => {
  it('keeps a segment open across fully accepted rounds and drops stale guesses after the break', () => {
    const run = driver(task);
    run.play(round({ index: 0, startStep: 1, k: 2, guesses: ['a1', 'a2'], acceptedCount: 2, committedCount: 2, end: 'exhausted' }), ['a1', 'a2']);
    run.play(round({ index: 1, startStep: 3, k: 2, guesses: ['a3', 'a4'], acceptedCount: 2, committedCount: 2, end: 'exhausted' }), ['a3', 'a4']);
    expect(run.trainer.jobs).toEqual([]);
    // Step 6 is the break; the guess for step 7 was made on a wrong prefix: stale.
    run.play(
      round({ index: 2, startStep: 5, k: 3, guesses: ['a5', 'wrong', 'stale'], acceptedCount: 1, committedCount: 2, end: 'mismatch' }),
      ['a5', 't6'],
    );
    expect(run.trainer.jobs).toHaveLength(1);
    const segment = run.trainer.jobs[0]![0]!;
    expect(segment.steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(segment.breakStep).toBe(6);
    expect(segmentLabels(segment)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(segment.features).toHaveLength(6);
  });

  it('labels a no-guess break without an example at the unguessed step, and a terminal break', () => {
    const run = driver(task);
    run.play(round({ index: 0, startStep: 1, k: 3, guesses: ['a1'], acceptedCount: 1, committedCount: 2, end: 'no-guess' }), ['a1', 't2']);
    run.play(round({ index: 1, startStep: 3, k: 2, guesses: [], acceptedCount: 0, committedCount: 1, end: 'no-guess' }), ['t3']);
    run.play(round({ index: 2, startStep: 4, k: 2, guesses: ['END'], acceptedCount: 1, committedCount: 1, end: 'terminal' }), ['END']);
    const segments = run.trainer.jobs.map((job) => job[0]!);
    // The second round labelled nothing, so it submitted nothing.
    expect(segments.map((segment) => [segment.steps, segment.breakStep])).toEqual([
      [[1], 2],
      [[4], 4],
    ]);
    expect(segmentLabels(segments[0]!)).toEqual([2]);
    expect(segmentLabels(segments[1]!)).toEqual([1]);
  });

  it('closes an open segment at the plan end when the step limit cuts the plan', () => {
    const run = driver(task);
    run.play(round({ index: 0, startStep: 1, k: 3, guesses: ['a1', 'a2', 'a3'], acceptedCount: 3, committedCount: 3, end: 'exhausted' }), ['a1', 'a2', 'a3']);
    expect(run.trainer.jobs).toEqual([]);
    run.end();
    expect(run.trainer.jobs.map((job) => segmentLabels(job[0]!))).toEqual([[3, 2, 1]]);
  });

  it('starts every task with an empty segment', () => {
    const run = driver(task);
    run.play(round({ index: 0, startStep: 1, k: 2, guesses: ['a1', 'a2'], acceptedCount: 2, committedCount: 2, end: 'exhausted' }), ['a1', 'a2']);
    // The task failed without ending: its open segment must not leak into the next task.
    run.policy.taskStarted({ id: 'u', text: 'another task' });
    const state: RoundState = { task: { id: 'u', text: 'another task' }, committed: [], roundIndex: 0, previousRounds: [], kMax: 8, remainingSteps: 9 };
    run.policy.chooseK(state);
    run.policy.observeRound(round({ index: 0, startStep: 1, k: 2, guesses: ['x'], acceptedCount: 0, committedCount: 1, end: 'mismatch' }), state);
    expect(run.trainer.jobs.map((job) => [job[0]!.steps, job[0]!.breakStep])).toEqual([[[1], 1]]);
  });
});
