import { describe, expect, it } from 'vitest';
import type { RoundState } from '../core/policy.js';
import type { RoundRecord, TaskInput, TaskResult } from '../core/types.js';
import { additivePolicy, fixedPolicy } from '../policies/basic.js';
import { gateSpeculation, policyPerTask } from './live-policies.js';

function stateOf(task: TaskInput, roundIndex = 0): RoundState {
  return { task, committed: [], roundIndex, previousRounds: [], kMax: 8, remainingSteps: 10 };
}

function roundOf(k: number, end: RoundRecord['end']): RoundRecord {
  return { index: 0, startStep: 1, k, guesses: [], acceptedCount: 0, committedCount: 1, end, startMs: 0, endMs: 1 };
}

describe('gateSpeculation', () => {
  it('answers k = 0 and stops rounds at the next guess while speculation has no room, keeping the name', () => {
    let allowed = true;
    const asked: number[] = [];
    const policy = gateSpeculation(
      { name: 'fixed:4', chooseK: (state) => (asked.push(state.roundIndex), 4), continueAfterGuess: () => true },
      () => allowed,
    );
    const task = { id: 't', text: 'x' };
    expect(policy.name).toBe('fixed:4');
    expect(policy.chooseK(stateOf(task, 0))).toBe(4);
    expect(policy.continueAfterGuess?.(stateOf(task), ['a'])).toBe(true);
    allowed = false;
    expect(policy.chooseK(stateOf(task, 1))).toBe(0);
    expect(policy.continueAfterGuess?.(stateOf(task), ['a'])).toBe(false);
    // The wrapped policy was still asked, so a learning policy keeps its view of the task.
    expect(asked).toEqual([0, 1]);
  });
});

describe('policyPerTask', () => {
  it('keeps one instance per task, so that tasks run at once do not share additive’s k', () => {
    const policy = policyPerTask(additivePolicy);
    const a = { id: 'a', text: 'a' };
    const b = { id: 'b', text: 'b' };
    policy.taskStarted?.(a);
    policy.taskStarted?.(b);
    expect(policy.name).toBe('additive');
    // Task a's round confirms every guess (k 2 → 4); task b's breaks (k stays at max(1, 2 − 1) = 1).
    policy.observeRound?.(roundOf(2, 'exhausted'), stateOf(a));
    policy.observeRound?.(roundOf(2, 'mismatch'), stateOf(b));
    expect(policy.chooseK(stateOf(a, 1))).toBe(4);
    expect(policy.chooseK(stateOf(b, 1))).toBe(1);
    policy.taskEnded?.({ taskId: 'a' } as TaskResult);
    // A task started again starts afresh.
    policy.taskStarted?.(a);
    expect(policy.chooseK(stateOf(a))).toBe(2);
    expect(policyPerTask(() => fixedPolicy(3)).continueAfterGuess?.(stateOf(a), ['g'])).toBe(true);
  });
});
