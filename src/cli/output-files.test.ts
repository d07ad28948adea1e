/**
 * Files are never lost: every command checks its outputs before any work (they can be written, none is an input or
 * another output), and the predictor state is locked while a run learns into it. The real CLI, in-process through
 * `main`, and in real processes where two runs meet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDsp } from '../../test/fixtures/cli/captured-io.js';
import { spawnDsp } from '../../test/fixtures/cli/spawn-dsp.js';
import { writeTraces } from '../traces/format.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';

const folder = mkdtempSync(join(tmpdir(), 'dsp-outputs-'));
const traces = join(folder, 'small.jsonl');
writeTraces(traces, generateSyntheticTraces({ tasks: 6, seed: 5, suite: 'small' }));
const tracesText = readFileSync(traces, 'utf8');
const bench = ['bench', '--traces', traces, '--policies', 'fixed:2,dsp', '--quiet'];

/** The state's learning so far: how many of A's guesses it has judged. */
function judged(statePath: string): number {
  return (JSON.parse(readFileSync(statePath, 'utf8')) as { statistics: { judged: number } }).statistics.judged;
}

describe('an output that is also an input', () => {
  it('is refused before any work, naming both options and the path, and the input is kept', async () => {
    const state = join(folder, 'same.json');
    expect((await runDsp([...bench, '--predictor-state', state])).code).toBe(0);
    const learned = readFileSync(state, 'utf8');

    const stateAndOut = await runDsp([...bench, '--predictor-state', state, '--out', state]);
    expect(stateAndOut).toEqual({
      code: 2,
      stdout: '',
      stderr: `dsp: --out: --out and --predictor-state both name ${state}: writing --out would destroy the --predictor-state it reads; give --out another path\n`,
    });
    expect(readFileSync(state, 'utf8')).toBe(learned);

    const tracesAndOut = await runDsp([...bench, '--out', traces]);
    expect(tracesAndOut.code).toBe(2);
    expect(tracesAndOut.stderr).toContain(`--out and --traces both name ${traces}`);
    expect(readFileSync(traces, 'utf8')).toBe(tracesText);

    const x = join(folder, 'x.json');
    const outAndReport = await runDsp([...bench, '--out', x, '--report', x]);
    expect(outAndReport.code).toBe(2);
    expect(outAndReport.stderr).toBe(`dsp: --out: --out and --report both name ${x}: one would overwrite the other; give --out another path\n`);
    expect(existsSync(x)).toBe(false);
  });

  it('is refused through a symbolic link too, and for dsp report and dsp import', async () => {
    const results = join(folder, 'r.json');
    expect((await runDsp([...bench, '--out', results])).code).toBe(0);
    const resultsText = readFileSync(results, 'utf8');
    const report = await runDsp(['report', results, '--out', results, '--quiet']);
    expect(report.code).toBe(2);
    expect(report.stderr).toContain(`--out and <results> both name ${results}`);
    expect(readFileSync(results, 'utf8')).toBe(resultsText);

    const link = join(folder, 'r-link.json');
    symlinkSync(results, link);
    const viaLink = await runDsp(['report', link, '--out', results, '--quiet']);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain(`--out and <results> name the same file (${results} and ${link} both lead to`);
    expect(readFileSync(results, 'utf8')).toBe(resultsText);

    const timing = join(folder, 'timing.jsonl');
    writeFileSync(timing, tracesText);
    const imported = await runDsp(['import', 'dsp-dataset', join(folder, 'none.json'), '--suite', 'openagi-cot', '--timing-from', timing, '--out', timing]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain(`--out and --timing-from both name ${timing}`);
    expect(readFileSync(timing, 'utf8')).toBe(tracesText);
  });
});

describe('an output location', () => {
  it('that cannot be written is refused before any work, naming the option and the path given', async () => {
    const missing = join(folder, 'missing');
    for (const [option, file] of [
      ['--out', join(missing, 'r.json')],
      ['--report', join(missing, 'r.html')],
      ['--predictor-state', join(missing, 'state.json')],
    ] as const) {
      const run = await runDsp([...bench, option, file]);
      expect(run).toEqual({ code: 2, stdout: '', stderr: `dsp: ${option}: cannot write ${file}: the folder ${missing} does not exist\n` });
    }
    const aFolder = join(folder, 'a-folder');
    mkdirSync(aFolder);
    expect(await runDsp([...bench, '--out', aFolder])).toEqual({
      code: 2,
      stdout: '',
      stderr: `dsp: --out: cannot write ${aFolder}: it is a folder; expected a file path\n`,
    });
    expect((await runDsp(['sweep', '--traces', traces, '--report', aFolder, '--quiet'])).stderr).toBe(
      `dsp: --report: cannot write ${aFolder}: it is a folder; expected a file path\n`,
    );

    const results = join(folder, 'for-report.json');
    expect((await runDsp([...bench, '--out', results])).code).toBe(0);
    expect((await runDsp(['report', results, '--out', join(missing, 'r.html')])).stderr).toBe(
      `dsp: --out: cannot write ${join(missing, 'r.html')}: the folder ${missing} does not exist\n`,
    );
    expect((await runDsp(['report', results, '--png', results])).stderr).toBe(`dsp: --png: cannot write ${results}: it is a file; expected a folder\n`);
    expect(existsSync(join(folder, 'for-report.html'))).toBe(false);
  });

  it('of dsp run is checked before any model is called', async () => {
    // No server listens there: a run that got as far as calling a model would fail its tasks, not exit with 2.
    const models = ['--approx', 'openai-compatible:a@http://127.0.0.1:9/v1', '--target', 'openai-compatible:t@http://127.0.0.1:9/v1'];
    const aFolder = join(folder, 'records');
    mkdirSync(aFolder);
    expect(await runDsp(['run', '--tasks', '1', ...models, '--record', aFolder])).toEqual({
      code: 2,
      stdout: '',
      stderr: `dsp: --record: cannot write ${aFolder}: it is a folder; expected a file path\n`,
    });
    const state = join(folder, 'nowhere', 'state.json');
    expect(await runDsp(['run', '--tasks', '1', ...models, '--policy', 'dsp', '--predictor-state', state])).toEqual({
      code: 2,
      stdout: '',
      stderr: `dsp: --predictor-state: cannot write ${state}: the folder ${join(folder, 'nowhere')} does not exist\n`,
    });
    const list = join(folder, 'tasks.txt');
    writeFileSync(list, 'Plan a picnic.\n');
    const recordOverList = await runDsp(['run', '--tasks-from', list, ...models, '--record', list]);
    expect(recordOverList.code).toBe(2);
    expect(recordOverList.stderr).toContain(`--record and --tasks-from both name ${list}`);
    expect(readFileSync(list, 'utf8')).toBe('Plan a picnic.\n');
  });
});

describe('the predictor state', () => {
  it('is locked while a run learns into it: a second run at the same time is refused, naming the first', async () => {
    // Long enough that the first run is still learning when it is paused.
    const many = join(folder, 'many.jsonl');
    writeTraces(many, generateSyntheticTraces({ tasks: 400, seed: 9, suite: 'many' }));
    const state = join(folder, 'cc.json');
    const args = ['bench', '--traces', many, '--policies', 'dsp', '--predictor-state', state];
    const first = spawnDsp(args);
    const second = { code: -1, stderr: '' };
    try {
      // Its first progress line comes after it has loaded the state; pause it there, learning half done.
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (!first.stderr().includes('progress:')) return;
          clearInterval(poll);
          first.child.kill('SIGSTOP');
          resolve();
        }, 5);
        void first.exited.then(() => {
          clearInterval(poll);
          reject(new Error(`the first run ended before it was paused: ${first.stderr()}`));
        });
      });
      const run = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'dsp.js'), ...args], { encoding: 'utf8' });
      second.code = run.status ?? -1;
      second.stderr = run.stderr;
    } finally {
      first.child.kill('SIGCONT');
    }
    expect(await first.exited).toBe(0);
    // Refused, not run: had it run, the first run's save would have replaced its learning.
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`dsp: ${state}: in use by another dsp process: pid ${first.child.pid} on ${hostname()}, started `);
    expect(second.stderr).toContain(`: dsp bench --traces ${many} --policies dsp --predictor-state ${state}. Two runs sharing it would lose`);
    expect(existsSync(`${state}.lock`)).toBe(false);

    // One after the other, each run's learning is kept.
    const afterFirst = judged(state);
    expect((await runDsp(['bench', '--traces', traces, '--policies', 'dsp', '--predictor-state', state, '--quiet'])).code).toBe(0);
    expect(judged(state)).toBeGreaterThan(afterFirst);
  });

  it('left locked by a run that is gone is taken over with a warning', async () => {
    const state = join(folder, 'stale.json');
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: gone, host: hostname(), startedAt: '2025-01-01T00:00:00.000Z', command: 'dsp bench' }));
    const run = await runDsp([...bench, '--predictor-state', state]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      `warning: ${state}: took over the lock left by pid ${gone} (started 2025-01-01T00:00:00.000Z: dsp bench), which is no longer running\n`,
    );
    expect(existsSync(`${state}.lock`)).toBe(false);
    expect(judged(state)).toBeGreaterThan(0);
  });
});
