/**
 * The step limit of a replay (spec §6): a plan that ended by its terminal action is replayed under a live run's step
 * limit — the library's default, `maxSteps` of `replaySuite`/`runBench`, `--max-steps` of `dsp bench`/`dsp sweep` —
 * so k is not clamped to where the plan is going to end. Through the library and the compiled CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parsePolicySpec } from '../src/policies/registry.js';
import { runBench } from '../src/suite/bench.js';
import { replaySuite } from '../src/suite/replay-suite.js';
import { writeTraces } from '../src/traces/format.js';
import type { Trace } from '../src/traces/schema.js';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', 'bin', 'dsp.js');

async function dsp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Three steps; A is right at steps 1 and 2 and wrong (with a non-terminal guess) at the terminal step 3. */
function endTrace(terminal?: boolean): Trace {
  const call = (action: string, latencyMs: number) => ({ action, latencyMs, inputTokens: 100, outputTokens: 10 });
  return {
    format: 'dsp-trace/1',
    id: `end-${String(terminal)}`,
    suite: 'end',
    task: 'three steps, A wrong at the last',
    timing: 'synthetic',
    models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' },
    ...(terminal === undefined ? {} : { terminal }),
    steps: [
      { target: call('a', 10), approx: call('a', 2) },
      { target: call('b', 10), approx: call('b', 2) },
      { target: call('END', 10), approx: call('x', 2) },
    ],
  };
}

const kOf = (rounds: ReadonlyArray<{ k: number }>): number[] => rounds.map((round) => round.k);

describe('the step limit of a replay', () => {
  it('replaySuite and runBench take maxSteps; a terminal:false trace keeps its length whatever the limit', async () => {
    const traces = [endTrace(), endTrace(false)];
    const byDefault = await replaySuite({ traces, policy: parsePolicySpec('fixed:6') });
    // Terminal: k = 6 (50 steps allowed); cut: k = 3, its length.
    expect(byDefault.results.map((result) => kOf(result.rounds))).toEqual([[6], [3]]);
    const limited = await replaySuite({ traces, policy: parsePolicySpec('fixed:6'), maxSteps: 4 });
    expect(limited.results.map((result) => kOf(result.rounds))).toEqual([[4], [3]]);
    const [bench] = await runBench({ suites: [{ name: 'end', traces, source: 'test' }], policies: [parsePolicySpec('fixed:6')], maxSteps: 4 });
    expect(bench!.runs[0]!.results.map((result) => kOf(result.rounds))).toEqual([[4], [3]]);
    // Speculating past the end costs more and is no faster.
    expect(byDefault.metrics.costUsd!).toBeGreaterThan(limited.metrics.costUsd!);
    expect(byDefault.metrics.latencyMs).toBe(limited.metrics.latencyMs);
  });

  it('dsp bench and dsp sweep take --max-steps', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dsp-max-steps-')), 'end.jsonl');
    writeTraces(path, [endTrace()]);
    const bench = async (...extra: string[]): Promise<{ meanK: number; costUsd: number }> => {
      const result = await dsp('bench', '--traces', path, '--policies', 'fixed:6', '--format', 'json', '--quiet', ...extra);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { rows: Array<{ meanK: number; costUsd: number }> }).rows[0]!;
    };
    const byDefault = await bench();
    expect(byDefault.meanK).toBe(6);
    const three = await bench('--max-steps', '3');
    expect(three.meanK).toBe(3);
    expect(byDefault.costUsd).toBeGreaterThan(three.costUsd);
    // A limit below the plan's length cannot have produced it: the plan's length is used.
    expect((await bench('--max-steps', '1')).meanK).toBe(3);

    const sweep = await dsp('sweep', '--traces', path, '--no-dsp', '--fixed', '6', '--max-steps', '4', '--format', 'json', '--quiet');
    expect(sweep.code, sweep.stderr).toBe(0);
    const points = (JSON.parse(sweep.stdout) as { points: Array<{ policy: string; meanK: number }> }).points;
    expect(points.find((point) => point.policy === 'fixed:6')!.meanK).toBe(4);

    const zero = await dsp('bench', '--traces', path, '--max-steps', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-steps');
  });
});
