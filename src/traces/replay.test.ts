import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/virtual-clock.js';
import type { Action } from '../core/types.js';
import { replaySetup, stepsToBreak } from './replay.js';
import type { Trace } from './schema.js';

/** A trace of T's actions and A's guesses (undefined: no guess recorded). */
function traceOf(steps: Array<[target: Action, guess: Action | undefined]>, terminal?: boolean): Trace {
  const call = (action: Action) => ({ action, latencyMs: 10, inputTokens: 1, outputTokens: 1 });
  return {
    format: 'dsp-trace/1',
    id: 't',
    suite: 's',
    task: 'task',
    timing: 'synthetic',
    models: { approx: 'a', target: 't' },
    ...(terminal === undefined ? {} : { terminal }),
    steps: steps.map(([target, guess]) => (guess === undefined ? { target: call(target) } : { target: call(target), approx: call(guess) })),
  };
}

describe('stepsToBreak', () => {
  const trace = traceOf([
    ['a', 'a'],
    ['b', 'x'],
    ['c', 'c'],
    ['d', undefined],
    ['e', 'e'],
    ['END', 'END'],
  ]);

  it('counts the steps up to and including the next mismatch, missing guess or terminal step', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((committed) => stepsToBreak(trace, committed))).toEqual([2, 1, 2, 1, 2, 1, 1]);
  });

  it('runs to the end of a trace cut by a step limit, whose last action is not terminal', () => {
    const cut = traceOf(
      [
        ['a', 'a'],
        ['b', 'b'],
      ],
      false,
    );
    expect(stepsToBreak(cut, 0)).toBe(3);
    // The same steps ending by a terminal action: the last step is the break.
    const ended = traceOf(cut.steps.map((step) => [step.target.action, step.approx?.action]));
    expect(stepsToBreak(ended, 0)).toBe(2);
  });

  it('decides matches with the given matcher, as replaySetup does', () => {
    const loose = (guess: Action, target: Action): boolean =>
      typeof guess === 'string' && typeof target === 'string' && guess.toLowerCase() === target.toLowerCase();
    const cased = traceOf([
      ['a', 'A'],
      ['END', 'END'],
    ]);
    expect(stepsToBreak(cased, 0)).toBe(1);
    expect(stepsToBreak(cased, 0, loose)).toBe(2);
    const setup = replaySetup(cased, new VirtualClock(), loose);
    expect([0, 1, 2].map(setup.stepsToBreak)).toEqual([0, 1, 2].map((committed) => stepsToBreak(cased, committed, loose)));
  });
});
