import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/rng.js';
import type { Trace } from '../schema.js';
import { fitFinalGuess, fitLine, fitLogNormal, fitTimingModel, sampleCall } from './timing-model.js';

function measuredTrace(id: string, timing: Trace['timing'] = 'measured'): Trace {
  return {
    format: 'dsp-trace/1',
    id,
    suite: 's',
    task: 't',
    timing,
    models: { approx: 'a', target: 't' },
    steps: [1, 2, 3].map((step) => ({
      target: { action: 'x', latencyMs: 1000 * step, inputTokens: 900 + 40 * (step - 1), outputTokens: 200 },
      approx: { action: 'x', latencyMs: 100 * step, inputTokens: 300 + 20 * (step - 1), outputTokens: 10 },
    })),
  };
}

describe('timing model', () => {
  it('fits a log-normal by the moments of the logs', () => {
    const fit = fitLogNormal([100, 10000]);
    expect(fit.median).toBeCloseTo(1000, 6);
    expect(fit.sigma).toBeCloseTo(Math.log(100) * Math.SQRT1_2, 6);
    expect(fit.mean).toBe(5050);
    expect(fit.count).toBe(2);
  });

  it('fits a line exactly through points on a line', () => {
    const fit = fitLine([
      [0, 10],
      [1, 13],
      [2, 16],
    ]);
    expect(fit.intercept).toBeCloseTo(10, 9);
    expect(fit.slope).toBeCloseTo(3, 9);
    expect(fit.residualSd).toBeCloseTo(0, 9);
  });

  it('fits each role to the measured traces only, with prompts growing per step', () => {
    const model = fitTimingModel([measuredTrace('a'), measuredTrace('b'), measuredTrace('c', 'synthetic')]);
    expect(model.traces).toBe(2);
    expect(model.fittedOn).toEqual(['a/t']);
    expect(model.target.inputTokens.intercept).toBeCloseTo(900, 6);
    expect(model.target.inputTokens.slope).toBeCloseTo(40, 6);
    expect(model.approx.inputTokens.slope).toBeCloseTo(20, 6);
    expect(model.approx.outputTokens.median).toBeCloseTo(10, 6);
    expect(model.target.latencyMs.median).toBeCloseTo(Math.cbrt(1000 * 2000 * 3000), 6);
  });

  it('samples whole, positive, scaled figures and is reproducible from a seed', () => {
    const model = fitTimingModel([measuredTrace('a'), measuredTrace('b')]);
    const first = sampleCall(model.target, 4, seededRandom(3));
    expect(sampleCall(model.target, 4, seededRandom(3))).toEqual(first);
    // A zero residual makes the prompt exactly the fitted line at step 4.
    expect(first.inputTokens).toBe(1020);
    expect(first.outputTokens).toBe(200);
    const doubled = sampleCall(model.target, 4, seededRandom(3), { latencyMs: 2, inputTokens: 2, outputTokens: 2 });
    expect(doubled.inputTokens).toBe(2040);
    expect(Math.abs(doubled.latencyMs - 2 * first.latencyMs)).toBeLessThanOrEqual(1);
    for (const value of Object.values(first)) expect(Number.isInteger(value) && value >= 1).toBe(true);
  });

  it('refuses to fit without enough measured calls', () => {
    expect(() => fitTimingModel([measuredTrace('a', 'modelled')])).toThrow(/at least 5 are needed/);
  });

  it("fits how often A guesses a plan's terminal step right, on measured plans that ended by it and record the guess", () => {
    const endingWith = (id: string, guess: string | undefined, extra: Partial<Trace> = {}): Trace => {
      const trace = { ...measuredTrace(id), ...extra };
      const last = trace.steps[2]!;
      const target = { ...last.target, action: 'END' };
      trace.steps = [...trace.steps.slice(0, 2), guess === undefined ? { target } : { target, approx: { ...last.approx!, action: guess } }];
      return trace;
    };
    const traces = [
      endingWith('a', 'END'),
      endingWith('b', 'END'),
      endingWith('c', 'x'),
      endingWith('d', undefined),
      endingWith('e', 'END', { terminal: false }),
      endingWith('f', 'END', { timing: 'modelled' }),
    ];
    expect(fitFinalGuess(traces)).toEqual({ terminalRate: 2 / 3, runs: 3, terminalGuesses: 2 });
    expect(() => fitFinalGuess(traces.slice(3))).toThrow(/no measured trace ending by a terminal action records A's guess at that step/);
  });
});
