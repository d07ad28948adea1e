/** The training-free k-policies of spec §3: sequential, fixed, additive and the replay-only oracle. */
import { InvalidInputError } from '../core/errors.js';
import type { KPolicy } from '../core/policy.js';

/** k = 0 always: T alone, one step after another. */
export function sequentialPolicy(): KPolicy {
  return { name: 'sequential', chooseK: () => 0 };
}

/** k = K every round (ISP); K a whole number ≥ 0 (fixed:0 runs as sequential does). */
export function fixedPolicy(k: number): KPolicy {
  if (!Number.isInteger(k) || k < 0) throw new InvalidInputError(`fixedPolicy takes a whole number k ≥ 0, got ${k}`);
  return { name: `fixed:${k}`, chooseK: () => k };
}

/**
 * Start at 2; after a round whose k guesses were all confirmed, k += 2; after any other round, k = max(1, k − 1).
 * The classic adaptive draft length of speculative decoding. Restarts at 2 for each task.
 */
export function additivePolicy(): KPolicy {
  let k = 2;
  return {
    name: 'additive',
    taskStarted: () => {
      k = 2;
    },
    chooseK: (state) => Math.min(k, state.kMax),
    observeRound: (round) => {
      k = round.end === 'exhausted' ? round.k + 2 : Math.max(1, round.k - 1);
    },
  };
}

/**
 * Replay only: k = the number of steps from the committed prefix up to and including the next break, read from
 * the recorded future by `stepsToBreak(committedLength)`. The speed of unlimited speculation with no guess wasted
 * past the break.
 */
export function oraclePolicy(stepsToBreak: (committedLength: number) => number): KPolicy {
  return { name: 'oracle', chooseK: (state) => stepsToBreak(state.committed.length) };
}
