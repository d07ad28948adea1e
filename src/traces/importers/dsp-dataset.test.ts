import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../../core/errors.js';
import { traceSchema, type Trace } from '../schema.js';
import { seededRandom } from '../../core/rng.js';
import { importDspDataset, modelFinalGuess, type DspDatasetImportOptions, type PlannedStep } from './dsp-dataset.js';
import { importDspLogs } from './dsp-logs.js';

const fixtures = resolve(import.meta.dirname, '../../../test/fixtures/importers');
const datasets = resolve(fixtures, 'datasets');
const timingFrom = importDspLogs(resolve(fixtures, 'dsp-logs')).traces;
const base: DspDatasetImportOptions = { timingFrom, seed: 7, suite: 'openagi-cot', targetCallsPerStep: 2 };

const plan = (trace: Trace): [unknown, unknown][] => trace.steps.map((step) => [step.target.action, step.approx?.action]);

function errorMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isInvalidInputError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('importDspDataset', () => {
  const result = importDspDataset(resolve(datasets, 'value-func.json'), base);

  it("rebuilds each run's committed plan and where A agreed", () => {
    expect(result.traces.map((trace) => trace.id)).toEqual(['openagi-cot/run-1', 'openagi-cot/run-2', 'openagi-cot/run-4']);
    expect(plan(result.traces[0]!)).toEqual([
      ['Image Deblurring', 'Image Deblurring'],
      ['Image Denoising', 'Image Super-Resolution'],
      ['Image Super-Resolution', 'TERMINATE'],
      // The last break ends the plan: T's terminal action, with a modelled guess of A (here: the terminal action).
      ['TERMINATE', 'TERMINATE'],
    ]);
    expect(result.traces[0]!.terminal).toBe(true);
  });

  it('takes accepted steps past the recorded T steps from the labels and A’s guesses', () => {
    expect(plan(result.traces[1]!)).toEqual([
      ['Image Denoising', 'Image Denoising'],
      ['Image Super-Resolution', 'Image Super-Resolution'],
      ['TERMINATE', 'TERMINATE'],
    ]);
  });

  it('truncates or skips runs the data cannot complete, saying why', () => {
    expect(result.skipped).toEqual([{ run: 'run-3 (record 5, line 58)', reason: "the labels call A's guess for step 1 accepted but no history records it" }]);
    expect(result.truncated).toHaveLength(1);
    expect(result.truncated[0]!.run).toBe('openagi-cot/run-4');
    expect(result.truncated[0]!.reason).toMatch(/step 2 accepted but no history records it; kept 1 step\(s\) of 4/);
    expect(result.traces[2]!.terminal).toBe(false);
    expect(plan(result.traces[2]!)).toEqual([['Image Denoising', 'Image Super-Resolution']]);
    expect(result.stats).toEqual({
      runs: 4,
      labelsChecked: 3,
      labelsDisagreeing: 0,
      historiesExtended: 0,
      historyConflicts: 0,
      // The two plans that end by the terminal action; the truncated one has no terminal step to guess.
      finalGuessesModelled: 2,
      finalGuessesTerminal: 2,
    });
  });

  it('writes valid modelled traces with the assumed models and task texts', () => {
    for (const trace of result.traces) {
      expect(traceSchema.safeParse(trace).success).toBe(true);
      expect(trace.timing).toBe('modelled');
      expect(trace.models).toEqual({ approx: 'gpt-4.1-mini', target: 'gpt-4.1-mini' });
    }
    expect(result.traces[1]!.task).toBe('Given noisy image, how to return the regular image step by step?');
  });

  it('names traces by their line in a task list', () => {
    const taskList = ['Given grayscale image, how to return the regular image step by step?', 'Given noisy image, how to return the regular image step by step?'];
    const named = importDspDataset(resolve(datasets, 'value-func.json'), { ...base, taskList });
    expect(named.traces.map((trace) => trace.id)).toEqual(['openagi-cot/run-1', 'openagi-cot/task-1', 'openagi-cot/run-4']);
  });

  it('draws the same figures for the same seed and different ones for another seed', () => {
    const again = importDspDataset(resolve(datasets, 'value-func.json'), base);
    expect(again.traces).toEqual(result.traces);
    const other = importDspDataset(resolve(datasets, 'value-func.json'), { ...base, seed: 8 });
    expect(other.traces.map(plan)).toEqual(result.traces.map(plan));
    expect(other.traces[0]!.steps[0]!.target.latencyMs).not.toBe(result.traces[0]!.steps[0]!.target.latencyMs);
  });

  it("scales the target's figures by its calls per step against the measured two", () => {
    const debate = importDspDataset(resolve(datasets, 'value-func.json'), { ...base, targetCallsPerStep: 5 });
    expect(debate.targetScale).toEqual({ latencyMs: 2.5, inputTokens: 2.5, outputTokens: 2.5 });
    debate.traces.forEach((trace, traceIndex) => {
      trace.steps.forEach((step, stepIndex) => {
        const unscaled = result.traces[traceIndex]!.steps[stepIndex]!;
        // Same draws, scaled before rounding: within rounding of 2.5 × the unscaled figure.
        expect(Math.abs(step.target.latencyMs - 2.5 * unscaled.target.latencyMs)).toBeLessThanOrEqual(1.5);
        expect(Math.abs(step.target.outputTokens - 2.5 * unscaled.target.outputTokens)).toBeLessThanOrEqual(1.5);
        expect(step.approx).toEqual(unscaled.approx);
      });
    });
    const cot = importDspDataset(resolve(datasets, 'value-func.json'), { ...base, targetCallsPerStep: 1, targetScale: { latencyMs: 1 } });
    expect(cot.targetScale).toEqual({ latencyMs: 1, inputTokens: 0.5, outputTokens: 0.5 });
  });

  it('fills guesses from the history of another dataset of the same runs', () => {
    const alone = importDspDataset(resolve(datasets, 'predict-k.json'), base);
    expect(alone.traces).toEqual([]);
    expect(alone.skipped[0]!.reason).toMatch(/step 1 accepted but no history records it/);
    const merged = importDspDataset(resolve(datasets, 'predict-k.json'), { ...base, historyFiles: [resolve(datasets, 'stepwise.json')] });
    expect(merged.stats.historiesExtended).toBe(1);
    expect(plan(merged.traces[0]!)).toEqual([
      ['Colorization', 'Colorization'],
      ['Image Super-Resolution', 'Image Super-Resolution'],
      ['TERMINATE', 'TERMINATE'],
    ]);
  });

  it("gives the terminal step, which the data never hold, a modelled guess of A, as a live A would make one", () => {
    // The rate measured on the timing traces: every fixture plan ending by TERMINATE had A guess it.
    expect(result.finalGuess).toEqual({ terminalRate: 1, runs: 2, terminalGuesses: 2 });
    // Rate 0: a wrong, non-terminal guess, so that a replay speculates past the plan's end as far as k allows.
    // Run 1's A guessed TERMINATE at step 3 (a wrong guess that would end the speculation): T's action there is
    // taken instead; run 2's A guessed step 2 right: its own guess is repeated.
    const wrong = importDspDataset(resolve(datasets, 'value-func.json'), { ...base, finalGuessTerminalRate: 0 });
    expect(wrong.traces.map((trace) => trace.steps[trace.steps.length - 1]!.approx?.action)).toEqual([
      'Image Super-Resolution',
      'Image Super-Resolution',
      // Run 4 is cut short (terminal: false): its last step keeps what the data say.
      'Image Super-Resolution',
    ]);
    expect(wrong.stats).toMatchObject({ finalGuessesModelled: 2, finalGuessesTerminal: 0 });
    // The guess has its own seeded stream: every timing figure is the same whatever it is; the modelled guess is
    // drawn from the timing model, after T's call of the same step, like every A call.
    wrong.traces.forEach((trace, traceIndex) => {
      trace.steps.forEach((step, stepIndex) => {
        const other = result.traces[traceIndex]!.steps[stepIndex]!;
        expect(step.target).toEqual(other.target);
        if (stepIndex < trace.steps.length - 1) expect(step.approx).toEqual(other.approx);
        else expect({ ...step.approx, action: undefined }).toEqual({ ...other.approx, action: undefined });
      });
    });
    const last = result.traces[0]!.steps[3]!.approx!;
    expect(last.latencyMs).toBeGreaterThan(0);
    expect(last.inputTokens).toBeGreaterThan(0);
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'value-func.json'), { ...base, finalGuessTerminalRate: 1.5 }))).toMatch(
      /finalGuessTerminalRate must be a probability between 0 and 1, got 1\.5/,
    );
  });

  it('draws a guess at the terminal step per run: the terminal action at the given rate, the same on every import', () => {
    const steps = (): PlannedStep[] => [
      { target: 'Colorization', approx: 'Image Denoising' },
      { target: 'TERMINATE', approx: undefined },
    ];
    const guesses = Array.from({ length: 2000 }, (_, index) => {
      const plan = steps();
      return modelFinalGuess(plan, 'TERMINATE', 0.84, seededRandom(index));
    });
    const terminal = guesses.filter((guess) => guess === 'TERMINATE').length;
    expect(terminal / guesses.length).toBeGreaterThan(0.8);
    expect(terminal / guesses.length).toBeLessThan(0.88);
    // A wrong guess repeats A's own previous guess.
    expect(new Set(guesses)).toEqual(new Set(['TERMINATE', 'Image Denoising']));
    expect(Array.from({ length: 2000 }, (_, index) => modelFinalGuess(steps(), 'TERMINATE', 0.84, seededRandom(index)))).toEqual(guesses);
    // A step that holds a guess keeps it; a plan of one step has no earlier tool to repeat and gets none.
    const guessed: PlannedStep[] = [{ target: 'a', approx: 'a' }, { target: 'TERMINATE', approx: 'b' }];
    expect(modelFinalGuess(guessed, 'TERMINATE', 1, seededRandom(1))).toBeUndefined();
    expect(guessed[1]!.approx).toBe('b');
    expect(modelFinalGuess([{ target: 'TERMINATE', approx: undefined }], 'TERMINATE', 1, seededRandom(1))).toBeUndefined();
  });

  it('rejects malformed datasets naming the file, the line and what was expected', () => {
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'bad-label.json'), base))).toMatch(
      /bad-label\.json: line 11 \(record 2\): field trajectory\[0\]\.k: .*expected \{"trajectory": \[\{"state": string, "reward": 0 or 1, "k": integer >= 0\}/,
    );
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'bad-history.json'), base))).toMatch(
      /bad-history\.json: line 2 \(record 1\), state line 3: expected "Previous history:", "Approximation Step N: ACTION".*found "Approx Step 1: Image Deblurring"/,
    );
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'stepwise.json'), base))).toMatch(/stepwise\.json: this is a stepwise dataset/);
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'missing.json'), base))).toMatch(/missing\.json: no such file/);
  });

  it('refuses to fit a timing model without measured traces', () => {
    const modelled = result.traces;
    expect(errorMessage(() => importDspDataset(resolve(datasets, 'value-func.json'), { ...base, timingFrom: modelled }))).toMatch(
      /0 measured approximation call\(s\); at least 5 are needed/,
    );
  });
});
