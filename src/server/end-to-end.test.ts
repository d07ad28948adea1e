/**
 * End to end: the engine with live agents (AI SDK, openai-compatible provider, real HTTP) against `dsp serve`
 * replaying a small recorded suite. The committed plans must be the recorded ones, step for step, and the
 * server must see requests cancelled by the engine at breaks.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAiSdkAgent } from '../agents/ai-sdk.js';
import { preloadTokenCounters } from '../agents/tokenizer.js';
import { runCommandAction, type RunOptions } from '../cli/commands/run.js';
import type { CliIo } from '../cli/io.js';
import { RealClock } from '../core/clock.js';
import { runTask } from '../engine/run-task.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { taskForText } from '../envs/openagi/tasks.js';
import { fixedPolicy } from '../policies/basic.js';
import { createLanguageModel } from '../providers/providers.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { captureIo } from '../../test/fixtures/cli/captured-io.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const fixturePath = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const fixture = loadTraces(fixturePath);
const fakeKey = 'sk-dsp-fake-0123456789abcdefghijklmnop';
const directory = mkdtempSync(join(tmpdir(), 'dsp-e2e-'));

let server: ReplayServer;

beforeAll(async () => {
  // 20× faster than recorded: T steps take 100–150 ms, A guesses 15–25 ms.
  server = await startReplayServer({ traces: fixture, speed: 20 });
  // As dsp run does: building the tokenizer mid-run would stall the event loop for a second.
  await preloadTokenCounters(['approx', 'target']);
});

afterAll(async () => {
  await server.close();
});

function targetActions(trace: Trace): unknown[] {
  return trace.steps.map((step) => step.target.action);
}

/**
 * A run of task-3 that makes the call cancelled at its break last a minute. In task-3, A's second guess (Image Super
 * Resolution) is wrong; with k = 3 A makes it 30 ms into the round (served at ×20), long before T's step 1 ends at
 * 137.5 ms, and the engine sends T's step 3 on the prefix it makes, which it cancels when T's step 2 (Colorization)
 * breaks the round. Served from the recording alone that call would end 17.5 ms after the break (and task-106's,
 * after its unparsable guess, 45 ms after): on a loaded machine the replies were sometimes complete before the
 * cancels arrived, and the server counted nothing. This run shares the wrong prefix, so the server answers that call
 * from it, 60 s long: the cancel always lands mid-request. Its plan is never the true one, so every call on the true
 * prefix is still answered from the recording.
 */
function slowAfterWrongGuess(trace: Trace): Trace {
  const [first, second] = trace.steps;
  const wrongGuess = second!.approx!.action;
  return {
    ...trace,
    id: `${trace.id}/slow-after-wrong-guess`,
    steps: [first!, { target: { action: wrongGuess, latencyMs: 20 * 60_000, inputTokens: 940, outputTokens: 103 }, approx: second!.approx }],
  };
}

describe('live agents against dsp serve', () => {
  it("reproduces every task's recorded plan, and the server counts the requests cancelled at breaks", async () => {
    const task3 = fixture.find((trace) => trace.id === 'openagi-mini/task-3/run-1')!;
    // The recorded runs first: on a tie (any true prefix) the server answers from the first trace that shares it.
    const served = await startReplayServer({ traces: [...fixture, slowAfterWrongGuess(task3)], speed: 20 });
    try {
      const model = (name: string) => createLanguageModel(`openai-compatible:${name}@${served.url}`, { env: {} }).model;
      const approx = createAiSdkAgent({ model: model('approx'), actionSpace: openAgiActionSpace, strategy: 'direct', onUnparsable: 'mismatch' });
      const target = createAiSdkAgent({ model: model('target'), actionSpace: openAgiActionSpace, strategy: 'react' });
      for (const trace of fixture) {
        const result = await runTask({
          task: taskForText(trace.task, trace.id),
          approx,
          target,
          policy: fixedPolicy(3),
          clock: new RealClock(),
          actionsMatch: openAgiActionSpace.actionsMatch,
          isTerminal: openAgiActionSpace.isTerminal,
        });
        expect(result.plan).toEqual(targetActions(trace));
        expect(result.endReason).toBe('terminal');
        for (const record of result.records.filter((call) => call.status === 'cancelled')) {
          expect(record.usage.estimated).toBe(true);
        }
      }
      const stats = served.stats();
      expect(stats.aborted).toBeGreaterThan(0);
      expect(stats.byRole.target.aborted).toBeGreaterThan(0);
      expect(stats.offTrace).toBeGreaterThan(0);
    } finally {
      await served.close();
    }
  });
});

describe('dsp run against dsp serve', () => {
  let captured = captureIo();
  /** A fresh captured I/O with `env`; what the run prints is then in `printed()` and `lines()`. */
  const io = (env: Record<string, string>): CliIo => {
    captured = captureIo(env);
    return captured.io;
  };
  const printed = (): string => `${captured.stdout()}${captured.stderr()}`;
  const lines = (): string[] => printed().split('\n');
  const spying = (seenHeaders?: string[]) => ({
    fetch: ((input, init) => {
      seenHeaders?.push(new Headers(init?.headers).get('authorization') ?? '');
      return fetch(input, init);
    }) as typeof fetch,
  });
  const options = (overrides: Partial<RunOptions>): RunOptions => ({
    suite: 'openagi',
    tasksFrom: fixturePath,
    approx: `openai-compatible:approx@${server.url}`,
    target: `openai-compatible:target@${server.url}`,
    approxStrategy: 'direct',
    targetStrategy: 'react',
    policy: 'fixed:3',
    ...overrides,
  });

  it('records traces that reproduce the suite, with a real sequential baseline, and never shows the API key', async () => {
    const recordPath = join(directory, 'recorded.jsonl');
    const headers: string[] = [];
    const outcome = await runCommandAction(
      options({ record: recordPath, sequentialBaseline: true }),
      io({ DSP_OPENAI_COMPATIBLE_API_KEY: fakeKey }),
      spying(headers),
    );
    expect(outcome.results.map((result) => result.plan)).toEqual(fixture.map(targetActions));
    expect(outcome.baselines.map((result) => result.plan)).toEqual(fixture.map(targetActions));

    const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
    expect(recorded.map(targetActions)).toEqual(fixture.map(targetActions));
    // A's guesses on the true prefix are what the fixture recorded (an unparsable one included).
    expect(recorded.map((trace) => trace.steps.map((step) => step.approx?.action))).toEqual(
      fixture.map((trace) => trace.steps.map((step) => step.approx?.action)),
    );
    expect(recorded[0]!.timing).toBe('measured');
    expect(recorded[0]!.steps[0]!.target).toMatchObject({ inputTokens: expect.any(Number) as number, outputTokens: expect.any(Number) as number });

    const text = printed();
    expect(text).toMatch(/\[1\/4\] task-11 · 2 steps/);
    expect(text).toContain('warning: task-106 step 1: the approx reply had no parsable action');
    expect(text).toContain('Summary: 4 of 4 tasks, policy fixed:3');
    expect(text).toContain('same plan on 4 of 4 tasks');
    expect(text).toContain(`recorded       4 traces appended to ${recordPath}`);
    // The key was sent to the server, and appears nowhere in what the run printed or wrote.
    expect(headers).toContain(`Bearer ${fakeKey}`);
    expect(text).not.toContain(fakeKey);
    expect(readFileSync(recordPath, 'utf8')).not.toContain(fakeKey);
  });

  it('fails with clear messages on bad input', async () => {
    const failure = async (overrides: Partial<RunOptions>, env: Record<string, string> = {}): Promise<string> => {
      const error: unknown = await runCommandAction(options(overrides), io(env), spying()).then(
        () => new Error('expected a failure'),
        (caught: unknown) => caught,
      );
      return (error as Error).message;
    };
    expect(await failure({ target: 'acme:big-model' })).toContain(
      'unknown provider "acme" in "acme:big-model"; valid providers: openai, deepseek, anthropic, openai-compatible',
    );
    expect(await failure({ target: 'openai:gpt-4.1' }, { ANTHROPIC_API_KEY: fakeKey })).toBe(
      'missing API key for openai:gpt-4.1: set the environment variable OPENAI_API_KEY',
    );
    expect(await failure({ tasks: '1-2', tasksFrom: undefined, suite: 'travel' })).toContain('unknown suite "travel"');
    expect(await failure({ policy: 'oracle' })).toContain('the oracle policy needs the future of a recorded trace');
  });

  it('reports every task whose target cannot be reached, goes on to the next, and fails at the end', async () => {
    const error: unknown = await runCommandAction(
      options({ target: 'openai-compatible:target@http://127.0.0.1:1/v1' }),
      io({ DSP_OPENAI_COMPATIBLE_API_KEY: fakeKey }),
      spying(),
    ).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('4 of 4 tasks failed');
    const failures = lines().filter((line) => line.startsWith('dsp: task '));
    expect(failures.map((line) => /^dsp: task (\S+) failed at step 1: call to model target failed: Cannot connect to API/.exec(line)?.[1])).toEqual([
      'task-11',
      'task-3',
      'task-15',
      'task-106',
    ]);
    expect(printed()).toContain('Summary: 0 of 4 tasks finished, 4 failed, policy fixed:3');
    expect(printed()).not.toContain(fakeKey);
  });

  it('stops a task whose target reply names no action, saying so', async () => {
    const unparsablePath = join(directory, 'unparsable.jsonl');
    const trace: Trace = {
      ...fixture[0]!,
      id: 'unparsable/run-1',
      steps: [{ target: { action: { unparsed: 'Hard to say.' }, latencyMs: 100, inputTokens: 5, outputTokens: 3 } }],
    };
    writeFileSync(unparsablePath, `${JSON.stringify(trace)}\n`);
    const replay = await startReplayServer({ traces: [trace], speed: 20 });
    try {
      const error: unknown = await runCommandAction(
        options({
          tasksFrom: unparsablePath,
          approx: `openai-compatible:approx@${replay.url}`,
          target: `openai-compatible:target@${replay.url}`,
          policy: 'sequential',
        }),
        io({}),
      ).catch((caught: unknown) => caught);
      expect((error as Error).message).toBe('1 of 1 task failed');
      expect(lines()).toContain(
        'dsp: task task-11 failed at step 1: no parsable action in the reply (model target, step 1): ' +
          'no <tool>…</tool> tag and no bold **action name**; the reply was "Hard to say."',
      );
      expect(printed()).toContain('warning: task-11 step 1: the target reply had no parsable action');
      expect(printed()).toContain('Summary: 0 of 1 tasks finished, 1 failed, policy sequential');
    } finally {
      await replay.close();
    }
  });
});
