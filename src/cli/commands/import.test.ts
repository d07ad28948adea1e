import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../main.js';
import { isInvalidInputError } from '../../core/errors.js';
import { captureIo } from '../../../test/fixtures/cli/captured-io.js';
import { loadTraces } from '../../traces/format.js';

const fixtures = resolve(import.meta.dirname, '../../../test/fixtures/importers');

/** Runs `dsp import ...` in-process and returns what it printed. */
async function runImport(...args: string[]): Promise<string> {
  const captured = captureIo();
  await buildProgram(captured.io).parseAsync(['node', 'dsp', 'import', ...args]);
  return captured.stdout();
}

describe('dsp import', () => {
  const directory = mkdtempSync(join(tmpdir(), 'dsp-import-'));
  const measured = join(directory, 'react.jsonl');

  it('dsp-logs prints the runs imported and the runs skipped with their reasons, and writes the traces', async () => {
    const printed = await runImport('dsp-logs', join(fixtures, 'dsp-logs'), '--out', measured);
    expect(printed).toMatch(/^skipped 4 run\(s\):\n {2}other\/task-4: .*target_datapoint4\.log: line 17: expected/m);
    expect(printed).toContain('  other/task-5: ');
    expect(printed).toContain(`imported 3 run(s): 3 tasks, 12 steps, A accepted 9/12 guesses (75.0%) -> ${measured}\n`);
    expect(loadTraces(measured).map((trace) => trace.id)).toEqual([
      'openagi-react/bs_2_ep_1/task-3',
      'openagi-react/other/task-8',
      'openagi-react/other/task-9',
    ]);
  });

  it('dsp-dataset fits the timing to the given traces and infers the target from the file name', async () => {
    const out = join(directory, 'cot.jsonl');
    const dataset = join(directory, 'dataset_value_func_cot_mini.json');
    // A copy under a name the command recognises as a CoT dataset.
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(fixtures, 'datasets', 'value-func.json'), dataset);
    const printed = await runImport('dsp-dataset', dataset, '--timing-from', measured, '--out', out);
    expect(printed).toContain('skipped 1 run(s):\n  run-3 (record 5, line 58): ');
    expect(printed).toContain('truncated (kept with terminal: false) 1 run(s):\n  openagi-cot/run-4: ');
    expect(printed).toContain(`imported 3 run(s): 3 tasks, 8 steps, A accepted 5/8 guesses (62.5%) -> ${out}\n`);
    const traces = loadTraces(out);
    expect(traces.every((trace) => trace.suite === 'openagi-cot' && trace.timing === 'modelled')).toBe(true);
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(4);
  });

  it('refuses a blank suite or model name, naming the option, before it prints or writes anything', async () => {
    const dataset = join(directory, 'dataset_value_func_cot_mini.json');
    for (const [option, args] of [
      ['--suite', ['dsp-logs', join(fixtures, 'dsp-logs'), '--suite', '']],
      ['--approx-model', ['dsp-dataset', dataset, '--timing-from', measured, '--approx-model', '']],
      ['--target-model', ['dsp-dataset', dataset, '--timing-from', measured, '--target-model', ' ']],
    ] as const) {
      const captured = captureIo();
      const out = join(directory, `blank${option}.jsonl`);
      await expect(buildProgram(captured.io).parseAsync(['node', 'dsp', 'import', ...args, '--out', out])).rejects.toThrow(
        new RegExp(`^${option}: expected a name, got "\\s*"$`),
      );
      expect(captured.stdout()).toBe('');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('dsp-dataset reads a task list with CRLF line ends as one with LF, and refuses an empty one', async () => {
    const dataset = join(directory, 'dataset_value_func_cot_tasks.json');
    copyFileSync(join(fixtures, 'datasets', 'value-func.json'), dataset);
    const tasks = ['Given grayscale image, how to return the regular image step by step?', 'Given noisy image, how to return the regular image step by step?'];
    const ids: string[][] = [];
    for (const [name, text] of [
      ['lf.txt', `${tasks.join('\n')}\n`],
      ['crlf.txt', `${tasks.join('\r\n')}\r\n`],
    ] as const) {
      writeFileSync(join(directory, name), text);
      const out = join(directory, `named-${name}.jsonl`);
      await runImport('dsp-dataset', dataset, '--timing-from', measured, '--task-list', join(directory, name), '--out', out);
      ids.push(loadTraces(out).map((trace) => trace.id));
    }
    expect(ids[0]).toEqual(['openagi-cot/run-1', 'openagi-cot/task-1', 'openagi-cot/run-4']);
    expect(ids[1]).toEqual(ids[0]);
    writeFileSync(join(directory, 'blank.txt'), '\n\n');
    await expect(
      runImport('dsp-dataset', dataset, '--timing-from', measured, '--task-list', join(directory, 'blank.txt'), '--out', join(directory, 'none.jsonl')),
    ).rejects.toThrow(`${join(directory, 'blank.txt')}: the task list has no tasks (expected one task per line, line 0 first)`);
  });

  it('dsp-dataset asks for the target when the file name does not tell', async () => {
    let error: unknown;
    try {
      await runImport('dsp-dataset', join(fixtures, 'datasets', 'value-func.json'), '--timing-from', measured, '--out', join(directory, 'x.jsonl'));
    } catch (caught) {
      error = caught;
    }
    expect(isInvalidInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/value-func\.json: cannot tell the target agent from the file name; pass --suite and --target-calls-per-step/);
  });

  it('dsp-dataset refuses timing traces that hold no measured trace', async () => {
    const modelled = join(directory, 'cot.jsonl');
    await expect(
      runImport('dsp-dataset', join(fixtures, 'datasets', 'value-func.json'), '--suite', 'openagi-cot', '--timing-from', modelled, '--out', join(directory, 'y.jsonl')),
    ).rejects.toThrow(/cot\.jsonl: holds no measured trace/);
  });
});
