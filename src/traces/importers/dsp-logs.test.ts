import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInvalidInputError } from '../../core/errors.js';
import { traceSchema } from '../schema.js';
import { importDspLogs } from './dsp-logs.js';

const fixtures = resolve(import.meta.dirname, '../../../test/fixtures/importers/dsp-logs');
const goodRun = join(fixtures, 'logs/react/dyn_k/bs_2_ep_1');

/** A scratch copy of the good run, to break one file at a time. */
function copyOfGoodRun(): string {
  const directory = mkdtempSync(join(tmpdir(), 'dsp-logs-'));
  cpSync(goodRun, join(directory, 'run'), { recursive: true });
  return join(directory, 'run');
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('importDspLogs', () => {
  const result = importDspLogs(fixtures);

  it('imports each run folder × task id as a measured trace, in folder then task order', () => {
    expect(result.traces.map((trace) => trace.id)).toEqual([
      'openagi-react/bs_2_ep_1/task-3',
      'openagi-react/other/task-8',
      'openagi-react/other/task-9',
    ]);
    for (const trace of result.traces) {
      expect(traceSchema.safeParse(trace).success).toBe(true);
      expect(trace.timing).toBe('measured');
      expect(trace.suite).toBe('openagi-react');
      expect(trace.models).toEqual({ approx: 'gpt-4-turbo', target: 'gpt-4-turbo' });
      expect(trace.task).toBe('Given blurry image, how to return the regular image step by step?');
    }
  });

  it("records T's committed steps from their last completed record and A's guesses on the true prefix", () => {
    const trace = result.traces[0]!;
    expect(trace.terminal).toBe(true);
    expect(trace.steps).toEqual([
      {
        target: { action: 'Image Deblurring', latencyMs: 6120, inputTokens: 880, outputTokens: 110 },
        approx: { action: 'Image Deblurring', latencyMs: 1500, inputTokens: 364, outputTokens: 10 },
      },
      {
        target: { action: 'Image Denoising', latencyMs: 7010, inputTokens: 910, outputTokens: 120 },
        approx: { action: 'Image Super-Resolution', latencyMs: 1200, inputTokens: 379, outputTokens: 10 },
      },
      {
        // Not the speculative step-3 record of round 1 (Colorization, 5.0 s) nor A's guess on the wrong prefix.
        target: { action: 'Image Super-Resolution', latencyMs: 4500, inputTokens: 1000, outputTokens: 200 },
        approx: { action: 'Image Super-Resolution', latencyMs: 1610, inputTokens: 409, outputTokens: 10 },
      },
      {
        // Step 4 was recorded twice in its round: the last completed record counts.
        target: { action: 'TERMINATE', latencyMs: 3300, inputTokens: 1020, outputTokens: 60 },
        approx: { action: 'TERMINATE', latencyMs: 1000, inputTokens: 418, outputTokens: 9 },
      },
    ]);
  });

  it('tolerates a last line cut short, and marks a plan that does not end with TERMINATE as not terminal', () => {
    const cutShort = result.traces.find((trace) => trace.id.endsWith('other/task-8'))!;
    expect(cutShort.steps).toEqual(result.traces[0]!.steps);
    const noTerminal = result.traces.find((trace) => trace.id.endsWith('other/task-9'))!;
    expect(noTerminal.terminal).toBe(false);
    expect(noTerminal.steps.at(-1)?.target.action).toBe('Image Captioning');
  });

  it('skips broken runs with a reason naming the file, the line and what was expected', () => {
    const reasons = Object.fromEntries(result.skipped.map((run) => [run.run, run.reason]));
    expect(Object.keys(reasons)).toEqual(['other/task-4', 'other/task-5', 'other/task-6', 'other/task-7']);
    expect(reasons['other/task-4']).toMatch(/target_datapoint4\.log: line 17: expected "Intermediate Target Step N - ACTION -gen N -prompt N", found .*-gen many/);
    expect(reasons['other/task-5']).toMatch(/simulation_datapoint5\.log: no such file/);
    expect(reasons['other/task-6']).toMatch(/simulation_datapoint6\.log: line 11: expected the final plan to equal the target log's committed plan/);
    expect(reasons['other/task-7']).toMatch(/approximation_datapoint7\.log: line 6: expected a line starting with a timestamp/);
  });

  it('skips a run whose approximation log disagrees with the simulation story', () => {
    const run = copyOfGoodRun();
    edit(join(run, 'simulation_datapoint3.log'), 'correcting what the approximation agent thinks which is Image Super-Resolution.', 'correcting what the approximation agent thinks which is Colorization.');
    const { traces, skipped } = importDspLogs(run);
    expect(traces).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/simulation_datapoint3\.log: line 5: expected A's guess for step 2 to be "Image Super-Resolution"/);
  });

  it('skips a run whose summary totals are not the sums of the committed records', () => {
    const run = copyOfGoodRun();
    edit(join(run, 'simulation_datapoint3.log'), 'total target token generation: 490', 'total target token generation: 480');
    expect(importDspLogs(run).skipped[0]?.reason).toMatch(/line 14: expected the total to be the sum over the committed steps' records \(490\)/);
  });

  it('skips a run whose round commits a step beyond its break', () => {
    const run = copyOfGoodRun();
    edit(join(run, 'target_datapoint3.log'), "sas tasks: ['Image Deblurring', 'Image Super-Resolution', 'Image Colorization']", "sas tasks: ['Image Colorization', 'Image Super-Resolution', 'Image Colorization']");
    expect(importDspLogs(run).skipped[0]?.reason).toMatch(/target_datapoint3\.log: line 23: round 1 commits step 1 beyond its break/);
  });

  it('names the run folder itself when pointed at it', () => {
    expect(importDspLogs(goodRun).traces.map((trace) => trace.id)).toEqual(['openagi-react/bs_2_ep_1/task-3']);
  });

  it('fails as a whole only when there is nothing to import', () => {
    const empty = mkdtempSync(join(tmpdir(), 'dsp-logs-empty-'));
    for (const dir of [empty, join(empty, 'missing')]) {
      let error: unknown;
      try {
        importDspLogs(dir);
      } catch (caught) {
        error = caught;
      }
      expect(isInvalidInputError(error)).toBe(true);
    }
  });
});
