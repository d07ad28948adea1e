/**
 * Every list option of `dsp` takes its items with commas, as separate words and by repeating the option, in any
 * mix, accumulated in the order given; and the policies a replay runs never name a k above `--k-max`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import { writeTraces } from '../traces/format.js';
import { generateSyntheticTraces } from '../traces/synthetic.js';
import { startServeCommand } from './commands/serve.js';

const directory = mkdtempSync(join(tmpdir(), 'dsp-lists-'));
const tracesA = join(directory, 'a.jsonl');
const tracesB = join(directory, 'b.jsonl');
writeTraces(tracesA, generateSyntheticTraces({ tasks: 3, seed: 1, suite: 'alpha' }));
writeTraces(tracesB, generateSyntheticTraces({ tasks: 2, seed: 2, suite: 'beta' }));

interface SummaryJson {
  suite: string;
  rows: Array<{ policy: string }>;
}

/** `dsp bench ARGS… --format json --quiet`: the suites and policies it ran (the combined summary left out). */
async function benchRan(...args: string[]): Promise<{ suites: string[]; policies: string[] }> {
  const result = await runDsp(['bench', ...args, '--format', 'json', '--quiet']);
  expect(result.stderr).toBe('');
  const parsed = JSON.parse(result.stdout) as SummaryJson | SummaryJson[];
  const summaries = (Array.isArray(parsed) ? parsed : [parsed]).filter((summary) => summary.suite !== 'all');
  return { suites: summaries.map((summary) => summary.suite), policies: summaries[0]!.rows.map((row) => row.policy) };
}

describe('a list option', () => {
  it('--suite: commas, words and repeats alike (--suite a,b failed before)', async () => {
    const expected = { suites: ['synthetic', 'openagi-react'], policies: ['fixed:2'] };
    for (const form of [['synthetic,openagi-react'], ['synthetic', 'openagi-react'], ['synthetic', '--suite', 'openagi-react']]) {
      expect(await benchRan('--suite', ...form, '--policies', 'fixed:2')).toEqual(expected);
    }
  });

  it('--suite: an environment name stands for every suite of it, and a suite named twice runs once', async () => {
    expect((await benchRan('--suite', 'openagi', '--policies', 'fixed:2')).suites).toEqual(['openagi-react', 'openagi-cot', 'openagi-mad']);
    expect((await benchRan('--suite', 'synthetic,synthetic', '--policies', 'fixed:2')).suites).toEqual(['synthetic']);
  });

  it('--traces: commas, words and repeats alike, and a folder for its .jsonl files by name', async () => {
    for (const form of [[`${tracesB},${tracesA}`], [tracesB, tracesA], [tracesB, '--traces', tracesA]]) {
      expect((await benchRan('--traces', ...form, '--policies', 'fixed:2')).suites).toEqual(['beta', 'alpha']);
    }
    const folder = join(directory, 'folder');
    mkdirSync(join(folder, 'nested.jsonl'), { recursive: true });
    writeTraces(join(folder, 'z.jsonl'), generateSyntheticTraces({ tasks: 2, seed: 3, suite: 'zeta' }));
    writeTraces(join(folder, 'm.jsonl'), generateSyntheticTraces({ tasks: 2, seed: 4, suite: 'mu' }));
    writeFileSync(join(folder, 'notes.txt'), 'not traces');
    expect((await benchRan('--traces', folder, '--policies', 'fixed:2')).suites).toEqual(['mu', 'zeta']);

    const empty = join(directory, 'empty');
    mkdirSync(empty);
    expect(await runDsp(['bench', '--traces', empty, '--quiet'])).toMatchObject({
      code: 2,
      stderr: `dsp: ${empty}: a folder with no .jsonl file (expected dsp-trace/1 files, *.jsonl)\n`,
    });
  });

  it('--traces: a file named twice is read once, and a trace in two files of one suite is refused', async () => {
    const tasksOf = async (...traces: string[]): Promise<number> => {
      const result = await runDsp(['bench', '--traces', ...traces, '--policies', 'fixed:2', '--format', 'json', '--quiet']);
      return (JSON.parse(result.stdout) as { tasks: number }).tasks;
    };
    expect(await tasksOf(tracesA)).toBe(3);
    expect(await tasksOf(tracesA, tracesA)).toBe(3);
    expect(await tasksOf(tracesA, join(directory, '.', 'a.jsonl'))).toBe(3);
    const copy = join(directory, 'copy-of-a.jsonl');
    copyFileSync(tracesA, copy);
    const refused = await runDsp(['bench', '--traces', tracesA, copy, '--policies', 'fixed:2', '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(`^dsp: ${copy}: trace id "alpha/[^"]+" of suite "alpha" is also in ${tracesA}; expected each trace once in a suite\n$`),
    );
  });

  it('--policies: repeats accumulate, words too, and a dsp spec keeps its commas', async () => {
    const expected = ['fixed:2', 'dsp:tau=0.7,beta=1', 'oracle'];
    for (const form of [
      ['--policies', 'fixed:2,dsp:tau=0.7,beta=1,oracle'],
      ['--policies', 'fixed:2', '--policies', 'dsp:tau=0.7,beta=1', '--policies', 'oracle'],
      ['--policies', 'fixed:2', 'dsp:tau=0.7,beta=1', 'oracle'],
      ['--policies', 'fixed:2', 'dsp:tau=0.7', 'beta=1', 'oracle', '--policies', 'fixed:2'],
    ]) {
      expect((await benchRan('--traces', tracesA, ...form)).policies).toEqual(expected);
    }
  });

  it('sweep --tau, --beta, --fixed and --also: commas, words and repeats alike', async () => {
    const points = async (...args: string[]): Promise<string[]> => {
      // No economic points (`--value ''`): this test is about the list options of the τ/β grid.
      const result = await runDsp(['sweep', '--traces', tracesA, '--value', '', ...args, '--format', 'json', '--quiet']);
      expect(result.stderr).toBe('');
      return (JSON.parse(result.stdout) as { points: Array<{ policy: string }> }).points.map((point) => point.policy);
    };
    const expected = await points('--tau', '0.5,0.9', '--beta', '-1,0', '--kmin', '1', '--fixed', '1-2,4', '--also', 'additive,fixed:5');
    expect(expected).toEqual([
      'sequential',
      'fixed:1',
      'fixed:2',
      'fixed:4',
      'dsp:tau=0.5,beta=-1',
      'dsp:tau=0.5,beta=0',
      'dsp:tau=0.9,beta=-1',
      'dsp:tau=0.9,beta=0',
      'additive',
      'fixed:5',
      'oracle',
    ]);
    expect(await points('--tau', '0.5', '0.9', '--beta', '-1', '0', '--kmin', '1', '--fixed', '1-2', '4', '--also', 'additive', 'fixed:5')).toEqual(expected);
    expect(
      await points('--tau', '0.5', '--tau', '0.9', '--beta', '-1', '--beta', '0', '--kmin', '1', '--fixed', '1-2', '--fixed', '4', '--also', 'additive', '--also', 'fixed:5'),
    ).toEqual(expected);
    expect(await points('--tau', '', '--fixed', '', '--also', '')).toEqual(['sequential', 'oracle']);
  });

  it('serve --traces: several files, in any form', async () => {
    const captured = captureIo();
    const server = await startServeCommand({ traces: [`${tracesA},${tracesB}`], port: 0 }, captured.io.stdout);
    try {
      expect(captured.stdout()).toContain(`dsp serve: replaying 5 traces (5 tasks) from ${tracesA}, ${tracesB} at speed ×1\n`);
    } finally {
      await server.close();
    }
  });
});

describe('--k-max in a replay', () => {
  it('refuses a policy that names a larger k, rather than label a capped run with it', async () => {
    expect(await runDsp(['bench', '--traces', tracesA, '--policies', 'fixed:2,fixed:6', '--k-max', '3', '--quiet'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'dsp: --policies: fixed:6 asks for k = 6, above --k-max 3: it would run as fixed:3 under the name fixed:6; give fixed:3 or less, or raise --k-max to 6\n',
    });
    expect((await runDsp(['bench', '--traces', tracesA, '--policies', 'dsp:kmax=4', '--k-max', '3', '--quiet'])).stderr).toMatch(
      /^dsp: --policies: dsp:kmax=4 asks for kmax=4, above --k-max 3/,
    );
    expect((await runDsp(['sweep', '--traces', tracesA, '--fixed', '2-4', '--k-max', '3', '--quiet'])).stderr).toMatch(
      /^dsp: --fixed: fixed:4 asks for k = 4, above --k-max 3/,
    );
    expect((await runDsp(['sweep', '--traces', tracesA, '--also', 'fixed:7', '--k-max', '3', '--quiet'])).stderr).toMatch(
      /^dsp: --also: fixed:7 asks for k = 7, above --k-max 3/,
    );
  });

  it('runs what it names: k up to --k-max, policies that choose their own k capped, the default sweep grid cut', async () => {
    expect((await benchRan('--traces', tracesA, '--policies', 'fixed:3,dsp,additive,oracle', '--k-max', '3')).policies).toEqual([
      'fixed:3',
      'dsp',
      'additive',
      'oracle',
    ]);
    const sweep = await runDsp(['sweep', '--traces', tracesA, '--no-dsp', '--k-max', '3', '--format', 'json', '--quiet']);
    expect((JSON.parse(sweep.stdout) as { points: Array<{ policy: string }> }).points.map((point) => point.policy)).toEqual([
      'sequential',
      'fixed:1',
      'fixed:2',
      'fixed:3',
      'oracle',
    ]);
  });
});
