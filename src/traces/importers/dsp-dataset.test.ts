import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../../core/errors.js';
import { traceSchema, type Trace } from '../schema.js';
import { importDspDataset, type DspDatasetImportOptions } from './dsp-dataset.js';
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
      // The last break ends the plan: T's terminal action, no recorded guess.
      ['TERMINATE', undefined],
    ]);
    expect(result.traces[0]!.terminal).toBe(true);
  });

  it('takes accepted steps past the recorded T steps from the labels and A’s guesses', () => {
    expect(plan(result.traces[1]!)).toEqual([
      ['Image Denoising', 'Image Denoising'],
      ['Image Super-Resolution', 'Image Super-Resolution'],
      ['TERMINATE', undefined],
    ]);
  });

  it('truncates or skips runs the data cannot complete, saying why', () => {
    expect(result.skipped).toEqual([{ run: 'run-3 (record 5, line 58)', reason: "the labels call A's guess for step 1 accepted but no history records it" }]);
    expect(result.truncated).toHaveLength(1);
    expect(result.truncated[0]!.run).toBe('openagi-cot/run-4');
    expect(result.truncated[0]!.reason).toMatch(/step 2 accepted but no history records it; kept 1 step\(s\) of 4/);
    expect(result.traces[2]!.terminal).toBe(false);
    expect(plan(result.traces[2]!)).toEqual([['Image Denoising', 'Image Super-Resolution']]);
    expect(result.stats).toEqual({ runs: 4, labelsChecked: 3, labelsDisagreeing: 0, historiesExtended: 0, historyConflicts: 0 });
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
      ['TERMINATE', undefined],
    ]);
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
