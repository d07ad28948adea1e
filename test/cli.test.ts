/**
 * The `dsp` command line as a user runs it: the compiled CLI in a child process (`npm test` builds first).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeTraces } from '../src/traces/format.js';
import { generateSyntheticTraces } from '../src/traces/synthetic.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'dsp.js');

async function dsp(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return dspIn(process.cwd(), ...args);
}

/** Runs `dsp ARGS…` in the folder `cwd`. */
async function dspIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
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

/** The example command lines in a help text (`  $ dsp …`, continued by a trailing backslash), as argument lists. */
function examplesIn(help: string): string[][] {
  const section = help.slice(help.indexOf('\nExamples'));
  const joined = section.replace(/ \\\n\s*/g, ' ');
  return [...joined.matchAll(/^ {2}\$ dsp (.*)$/gm)].map((match) => match[1]!.replace(/ &$/, '').split(/\s+/));
}

describe('output to a pipe', () => {
  it('ends quietly with 0 when the reader stops reading (dsp suites | head -1), without an EPIPE crash', async () => {
    for (const args of [['suites'], ['--help'], ['bench', '--suite', 'synthetic', '--policies', 'fixed:2', '--format', 'csv']]) {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The reading end is closed before dsp writes anything: its first write meets a closed pipe.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
      expect({ args, code, stderr: stderr.replace(/^progress: .*\n/gm, '') }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});

describe('the examples of every help', () => {
  const commands = ['', 'bench', 'suites', 'import', 'import dsp-logs', 'import dsp-dataset', 'run', 'serve', 'report', 'sweep', 'eval-predictor'];
  /** Examples that need what a test has not: an API key, or the DSP authors' files. */
  const needsMore = (args: string[]): boolean =>
    args.some((arg) => arg.startsWith('openai:')) || ['import', 'eval-predictor'].includes(args[0]!) || args.includes('react.jsonl');

  it('run as written in the package folder, those that need no key and no outside files', async () => {
    // A folder like an installed package's: its data, and room for the files the examples write.
    const folder = mkdtempSync(join(tmpdir(), 'dsp-examples-'));
    symlinkSync(join(root, 'data'), join(folder, 'data'), 'dir');
    const examples: string[][] = [];
    for (const command of commands) {
      const help = await dsp(...command.split(' ').filter((word) => word !== ''), '--help');
      expect(help.code).toBe(0);
      examples.push(...examplesIn(help.stdout));
    }
    const runnable = [...new Map(examples.map((args) => [args.join(' '), args])).values()].filter(
      (args) => !needsMore(args) && !['serve', 'run'].includes(args[0]!),
    );
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    for (const args of runnable) {
      const result = await dspIn(folder, ...args);
      expect(result.code, `dsp ${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(result.stdout).not.toBe('');
    }
    expect(existsSync(join(folder, 'report.html'))).toBe(true);
    expect(examples.filter(needsMore).length).toBeGreaterThan(0);
  }, 180_000);

  it("serve and run: dsp run's keyless example against dsp serve's, on a free port", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-examples-'));
    symlinkSync(join(root, 'data'), join(folder, 'data'), 'dir');
    const [serveArgs, runArgs] = examplesIn((await dsp('run', '--help')).stdout);
    expect(serveArgs!.slice(0, 2)).toEqual(['serve', '--traces']);
    expect(runArgs![0]).toBe('run');
    const server = spawn(process.execPath, [cli, ...serveArgs!.map((arg) => (arg === '8787' ? '0' : arg))], { cwd: folder });
    try {
      let printed = '';
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          printed += chunk;
          const found = /OpenAI-compatible API: (\S+)/.exec(printed);
          if (found !== null) resolve(found[1]!);
        });
        server.on('exit', (code) => reject(new Error(`dsp serve exited with ${code}`)));
      });
      const result = await dspIn(folder, ...runArgs!.map((arg) => arg.replace('http://127.0.0.1:8787/v1', url)));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Summary: 4 of 4 tasks, policy fixed:3');
    } finally {
      server.kill('SIGKILL');
    }
  }, 120_000);
});
