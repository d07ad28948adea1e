/**
 * The real `dsp` program run in-process through `main` and `buildProgram`, with captured output: the exit code of
 * every kind of error, and what a command prints where.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import { ModelCallError, NoActionError } from '../agents/errors.js';
import { CorruptStateError, InvalidInputError, SpeculationCancelledError, TargetCallError } from '../core/errors.js';
import { MissingApiKeyError } from '../providers/providers.js';
import { ReplayLookupError } from '../server/replay-answers.js';
import { RunInterruptedError, TasksFailedError } from './commands/run.js';
import { InterruptedError } from './io.js';
import { buildProgram, exitCodeOf } from './main.js';

const directory = mkdtempSync(join(tmpdir(), 'dsp-main-'));
const unreachable = 'openai-compatible:m@http://127.0.0.1:1/v1';

describe('the exit code of an error', () => {
  it('is the one the error class carries: 2 bad input, 1 failure, 130 interrupted', () => {
    const codes = [
      new InvalidInputError('bad', { source: '--policies' }),
      new CorruptStateError('state.json', 'damaged'),
      new MissingApiKeyError({ provider: 'openai', variable: 'OPENAI_API_KEY', spec: 'openai:gpt-4.1' }),
      new RunInterruptedError(),
      new InterruptedError('SIGINT'),
      new TasksFailedError({ failed: 1, total: 2 }),
      new TargetCallError({ taskId: 't', step: 1, cause: new Error('down') }),
      new SpeculationCancelledError({ round: 0, lastCommittedStep: 0, why: 'round-ended' }),
      new ModelCallError({ model: 'm', message: 'HTTP 500' }),
      new NoActionError({ reply: 'hm', reason: 'no tag' }),
      new ReplayLookupError('no trace'),
      new Error('a bug'),
      'a string thrown',
    ].map((error) => [error instanceof Error ? error.name : typeof error, exitCodeOf(error)]);
    expect(codes).toEqual([
      ['InvalidInputError', 2],
      ['CorruptStateError', 2],
      ['MissingApiKeyError', 2],
      ['RunInterruptedError', 130],
      ['InterruptedError', 130],
      ['TasksFailedError', 1],
      ['TargetCallError', 1],
      ['SpeculationCancelledError', 1],
      ['ModelCallError', 1],
      ['NoActionError', 1],
      ['ReplayLookupError', 1],
      ['Error', 1],
      ['string', 1],
    ]);
  });

  it('is read from an error of another copy of the package, by its marker', () => {
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('dsp-agent.error')]: true, exitCode: 2 });
    expect(exitCodeOf(foreign)).toBe(2);
    expect(exitCodeOf(Object.assign(new Error('no marker'), { exitCode: 2 }))).toBe(1);
  });

  it('is 2 for a usage error and 0 after --help', () => {
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(2);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(0);
  });
});

describe('main', () => {
  it('ends on bad input with 2 and the message naming the option', async () => {
    const result = await runDsp(['bench', '--suite', 'synthetic', '--policies', 'fixed:2,greedy']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dsp: --policies: unknown policy "greedy"; valid policies: sequential, fixed:K, additive, oracle, dsp[:tau=…,beta=…,kmax=…,lambda=…]\n',
    });
    const unknownSuite = await runDsp(['bench', '--suite', 'nope', '--quiet']);
    expect(unknownSuite.code).toBe(2);
    expect(unknownSuite.stderr).toMatch(/^dsp: --suite: unknown suite "nope"; available: /);
    const badDsp = await runDsp(['sweep', '--suite', 'synthetic', '--also', 'dsp:bogus=1', '--quiet']);
    expect(badDsp.code).toBe(2);
    expect(badDsp.stderr).toMatch(/^dsp: --also: unknown dsp option "bogus"/);
    const badTasks = await runDsp(['run', '--tasks', '7-3', '--approx', unreachable, '--target', unreachable]);
    expect(badTasks).toMatchObject({ code: 2, stderr: 'dsp: --tasks: range "7-3" runs backwards\n' });
  });

  it('ends on a corrupt results file with 2', async () => {
    const corrupt = join(directory, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "dsp-results/1"');
    const result = await runDsp(['report', corrupt, '--quiet']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^dsp: ${corrupt}: not valid JSON`));
  });

  it('reads API keys from the I/O object only, and ends on a missing one with 2', async () => {
    const args = ['run', '--tasks', '1', '--approx', 'openai:gpt-4.1-mini', '--target', 'openai:gpt-4.1'];
    const result = await runDsp(args, captureIo({ DEEPSEEK_API_KEY: 'sk-unused' }));
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dsp: missing API key for openai:gpt-4.1-mini: set the environment variable OPENAI_API_KEY\n',
    });
  });

  it('ends on a failure with 1 (a task failed, its target unreachable), on an output it cannot write with 2 before any work', async () => {
    const unreached = await runDsp(['run', '--tasks', '11', '--approx', unreachable, '--target', unreachable, '--policy', 'sequential']);
    expect(unreached.code).toBe(1);
    expect(unreached.stderr).toMatch(/^dsp: task task-11 failed at step 1: call to model m failed: .*\ndsp: 1 of 1 task failed\n$/);

    const notAFolder = join(directory, 'file');
    writeFileSync(notAFolder, '');
    const unwritable = await runDsp(['bench', '--suite', 'synthetic', '--policies', 'fixed:2', '--quiet', '--out', join(notAFolder, 'r.json')]);
    expect(unwritable).toEqual({
      code: 2,
      stdout: '',
      stderr: `dsp: --out: cannot write ${join(notAFolder, 'r.json')}: ${notAFolder} is not a folder\n`,
    });
  });

  it('ends a stopped run with 130 after its summary', async () => {
    const captured = captureIo();
    captured.interrupt();
    const result = await runDsp(['run', '--tasks', '1-3', '--approx', unreachable, '--target', unreachable], captured);
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Summary (interrupted): 0 of 3 tasks, policy dsp');
    expect(result.stderr).toBe('dsp: the run was interrupted\n');
  });

  it('prints usage errors and help through the I/O object', async () => {
    const usage = await runDsp(['bench', '--format', 'xml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, csv.");
    const help = await runDsp(['sweep', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: dsp sweep \[options\]/);
    expect(help.stdout).toContain('--k-max <n>');
  });

  it('prints no API key, in a usage error or in the summary of a run that names it as a model', async () => {
    const key = 'sk-test-secret-1234';
    const usage = await runDsp(['bench', '--format', key], captureIo({ OPENAI_API_KEY: key }));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("argument '[redacted OPENAI_API_KEY]' is invalid");
    const keyAsModel = `openai-compatible:${key}@http://127.0.0.1:1/v1`;
    const run = await runDsp(
      ['run', '--tasks', '11', '--approx', keyAsModel, '--target', keyAsModel, '--policy', 'sequential'],
      captureIo({ DSP_OPENAI_COMPATIBLE_API_KEY: key }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('approx openai-compatible:[redacted DSP_OPENAI_COMPATIBLE_API_KEY]@http://127.0.0.1:1/v1');
    expect(`${run.stdout}${run.stderr}`).not.toContain(key);
  });

  it('prints the version of the package with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(await runDsp(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runDsp(['-V'])).stdout).toBe(`${version}\n`);
  });

  it("shows examples in every command's help (run by test/cli.test.ts)", async () => {
    const commandPaths = (command: Command, path: string[]): string[][] =>
      command.commands.flatMap((sub) => [[...path, sub.name()], ...commandPaths(sub, [...path, sub.name()])]);
    const paths = [[], ...commandPaths(buildProgram(captureIo().io), [])];
    expect(paths.map((path) => path.join(' '))).toEqual(
      expect.arrayContaining(['bench', 'suites', 'import', 'import dsp-logs', 'import dsp-dataset', 'run', 'serve', 'report', 'sweep', 'eval-predictor']),
    );
    for (const path of paths) {
      const help = await runDsp([...path, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout, `dsp ${path.join(' ')} --help`).toMatch(/\nExamples[^\n]*\n(?:[^\n]*\n)? {2}\$ dsp /);
    }
  });
});

describe('a command run in-process', () => {
  it('writes its results on stdout and its progress on stderr, both through the I/O object', async () => {
    const captured = captureIo();
    await buildProgram(captured.io).parseAsync(['node', 'dsp', 'bench', '--suite', 'synthetic', '--policies', 'fixed:2,oracle', '--format', 'csv']);
    const lines = captured.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^suite,priceTable,policy,tasks,latencySec/);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual([
      'synthetic,builtin-2025-10,fixed:2,60',
      'synthetic,builtin-2025-10,oracle,60',
    ]);
    // Not a terminal: plain progress lines, the last one at the end of the work.
    expect(captured.stderr().trimEnd().split('\n').at(-1)).toBe('progress: 120/120 synthetic oracle');
  });

  it('serves until the I/O signal aborts, then prints its counters', async () => {
    const captured = captureIo();
    const fixture = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
    const serving = buildProgram(captured.io).parseAsync(['node', 'dsp', 'serve', '--traces', fixture, '--port', '0']);
    const started = new Promise<void>((resolve) => {
      const check = (): void => void (captured.stdout().includes('/stats') ? resolve() : setTimeout(check, 10));
      check();
    });
    await Promise.race([started, serving]);
    const url = /OpenAI-compatible API: (\S+)/.exec(captured.stdout())![1]!;
    expect(((await (await fetch(`${url}/models`)).json()) as { data: unknown[] }).data).toHaveLength(2);
    captured.interrupt();
    await serving;
    expect(captured.stdout()).toMatch(/\ndsp serve: 0 requests, 0 completed, 0 aborted by the client, 0 failed, 0 off the recorded plan\n$/);
  });
});
