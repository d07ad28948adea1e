/**
 * The `dsp` command line as a user runs it: the compiled CLI in a child process (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeTraces } from '../src/traces/format.js';
import { generateSyntheticTraces } from '../src/traces/synthetic.js';

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

const directory = mkdtempSync(join(tmpdir(), 'dsp-cli-'));
const tracesPath = join(directory, 'small.jsonl');
writeTraces(tracesPath, generateSyntheticTraces({ tasks: 8, seed: 5, suite: 'small' }));

describe('dsp bench', () => {
  it('prints one JSON object with the fixed field names, ratios to fixed:2 and lossless rows', async () => {
    const result = await dsp('bench', '--traces', tracesPath, '--format', 'json', '--quiet');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { suite: string; tasks: number; priceTable: string; rows: Array<Record<string, unknown>> };
    expect(summary.suite).toBe('small');
    expect(summary.tasks).toBe(8);
    expect(summary.priceTable).toBe('builtin-2025-10');
    expect(summary.rows.map((row) => row.policy)).toEqual(['sequential', 'fixed:2', 'fixed:4', 'fixed:6', 'additive', 'dsp', 'dsp:tau=0.9,beta=2', 'oracle']);
    for (const row of summary.rows) {
      expect(Object.keys(row).sort()).toEqual(
        [
          'policy', 'tasks', 'latencySec', 'sequentialLatencySec', 'speedup', 'meanTaskSpeedup', 'costUsd',
          'sequentialCostUsd', 'wastedCostUsd', 'peakConcurrency', 'meanConcurrency', 'meanK', 'unpricedCalls',
          'lossless', 'latencyRatio', 'costRatio', 'wastedCostRatio',
        ].sort(),
      );
      expect(row.lossless).toBe(true);
    }
    expect(summary.rows[1]!.latencyRatio).toBe(1);
    const withoutBase = JSON.parse((await dsp('bench', '--traces', tracesPath, '--format', 'json', '--policies', 'fixed:4', '--quiet')).stdout) as typeof summary;
    expect(withoutBase.rows[0]!.latencyRatio).toBeNull();
  });

  it('is deterministic: the same command prints the same figures', async () => {
    const first = await dsp('bench', '--traces', tracesPath, '--format', 'csv', '--quiet');
    const second = await dsp('bench', '--traces', tracesPath, '--format', 'csv', '--quiet');
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout.split('\n')[0]).toMatch(/^suite,priceTable,policy,tasks,latencySec/);
  });

  it('says which suite it ran when given none', async () => {
    const result = await dsp('bench', '--suite', 'synthetic', '--policies', 'fixed:2', '--quiet');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('suite synthetic: 60 tasks, timing synthetic');
    expect(result.stdout).toContain('not real agent data');
  });
});
