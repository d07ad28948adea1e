/**
 * A's confidence through the live stack, on 127.0.0.1: `dsp serve` replays traces whose guesses carry a confidence
 * and answers it as token log-probabilities; live agents ask for them (`approxConfidence`, `logprobs`), turn them back
 * into a confidence, hand it to the policy and record it. Through `@ai-sdk/openai-compatible` (what `dsp run` uses
 * for local servers) and `@ai-sdk/openai`'s chat model, streamed and not, for OpenAGI and TravelPlanner agents.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import { canonicalAction } from '../core/actions.js';
import type { KPolicy } from '../core/policy.js';
import type { Action, RoundRecord, TaskResult } from '../core/types.js';
import { callLanguageModel, createAiSdkAgent, createModelCaller } from '../agents/ai-sdk.js';
import { openAgiActionSpace } from '../envs/openagi/actions.js';
import { taskForText } from '../envs/openagi/tasks.js';
import { createTravelPlannerAgent } from '../envs/travelplanner/react-agent.js';
import { parsePolicySpec } from '../policies/registry.js';
import { createLanguageModel } from '../providers/providers.js';
import { type ReplayServer, startReplayServer } from '../server/replay-server.js';
import { runSuite } from '../suite/run-suite.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { runLiveSuite, type LiveSuiteOptions } from './live-suite.js';
import { servedModelArgs } from '../../test/fixtures/serve/served-run.js';

const fixturePath = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const plainTraces: Trace[] = loadTraces(fixturePath);

/** The confidence served for a step of a trace: high and distinct where T took A's guess, low where not. */
function servedConfidence(trace: Trace, stepIndex: number): number {
  const step = trace.steps[stepIndex]!;
  const right = canonicalAction(step.approx!.action) === canonicalAction(step.target.action);
  return right ? 0.93 - 0.01 * stepIndex : 0.21 + 0.01 * stepIndex;
}

const confidentTraces: Trace[] = plainTraces.map((trace) => ({
  ...trace,
  steps: trace.steps.map((step, index) => (step.approx === undefined ? step : { ...step, approx: { ...step.approx, confidence: servedConfidence(trace, index) } })),
}));
const tasks = plainTraces.map((trace) => taskForText(trace.task, trace.id));
const directory = mkdtempSync(join(tmpdir(), 'dsp-confidence-'));

/** The served confidence of the step a recorded or live guess is for; undefined for a guess served as unparsable. */
function expectedConfidence(taskText: string, step: number): number | undefined {
  const trace = confidentTraces.find((candidate) => candidate.task === taskText)!;
  const index = Math.min(step, trace.steps.length) - 1;
  const approx = trace.steps[index]!.approx!;
  return typeof approx.action === 'object' ? undefined : approx.confidence;
}

/** A fetch that keeps every request body it sends. */
function bodyKeepingFetch(bodies: Array<Record<string, unknown>>): typeof fetch {
  return (input, init) => {
    if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body) as Record<string, unknown>);
    return fetch(input, init);
  };
}

function liveOptions(url: string, overrides: Partial<LiveSuiteOptions>): LiveSuiteOptions {
  return {
    suite: 'openagi-mini',
    tasks,
    approx: { model: `openai-compatible:approx@${url}`, strategy: 'direct' },
    target: { model: `openai-compatible:target@${url}`, strategy: 'react' },
    policy: parsePolicySpec('fixed:3'),
    env: {},
    ...overrides,
  };
}

describe('a live run with approxConfidence against dsp serve on traces with confidence', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces: confidentTraces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('records the served confidences, and hands them to the policy with each guess', async () => {
    const recordPath = join(directory, 'confident.jsonl');
    const rounds: Array<{ taskText: string; round: RoundRecord }> = [];
    const bodies: Array<Record<string, unknown>> = [];
    const outcome = await runLiveSuite(
      liveOptions(server.url, {
        approxConfidence: true,
        recordPath,
        fetch: bodyKeepingFetch(bodies),
        onRound: (round, position) => rounds.push({ taskText: position.task.text, round }),
      }),
    );
    expect(outcome.failures).toEqual([]);
    // Only A asks: T's requests are as they were.
    expect(bodies.filter((body) => body.model === 'approx').every((body) => body.logprobs === true)).toBe(true);
    expect(bodies.filter((body) => body.model === 'target').some((body) => 'logprobs' in body)).toBe(false);

    const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
    expect(recorded).toHaveLength(4);
    let checked = 0;
    for (const trace of recorded) {
      trace.steps.forEach((step, index) => {
        if (step.approx === undefined) return;
        const expected = expectedConfidence(trace.task, index + 1);
        if (expected === undefined) {
          expect(step.approx).not.toHaveProperty('confidence');
        } else {
          expect(step.approx.confidence).toBeCloseTo(expected, 6);
          checked += 1;
        }
      });
    }
    expect(checked).toBeGreaterThanOrEqual(10);

    // The engine handed each guess's confidence to the policy (and kept it with the round): the step's served one.
    const guessed = rounds.filter(({ round }) => round.guesses.length > 0);
    expect(guessed.length).toBeGreaterThan(0);
    for (const { taskText, round } of guessed) {
      expect(round.guessConfidences).toHaveLength(round.guesses.length);
      round.guessConfidences!.forEach((confidence, index) => {
        const expected = expectedConfidence(taskText, round.startStep + index);
        if (expected === undefined) expect(confidence).toBeNull();
        else expect(confidence).toBeCloseTo(expected, 9);
      });
    }
  });

  it('without the option asks nothing and records no confidence: the run is as it was', async () => {
    const recordPath = join(directory, 'plain.jsonl');
    const rounds: RoundRecord[] = [];
    const bodies: Array<Record<string, unknown>> = [];
    const outcome = await runLiveSuite(liveOptions(server.url, { recordPath, fetch: bodyKeepingFetch(bodies), onRound: (round) => rounds.push(round) }));
    expect(outcome.failures).toEqual([]);
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.some((body) => 'logprobs' in body || 'top_logprobs' in body)).toBe(false);
    expect(rounds.some((round) => round.guessConfidences !== undefined)).toBe(false);
    expect(readFileSync(recordPath, 'utf8')).not.toContain('confidence');
    expect(outcome.results.flatMap((result) => result.records).some((record) => record.confidence !== undefined)).toBe(false);
  });

  it("lets a policy's decisions follow A's confidence: a round stops after a doubtful guess only when A gave one", async () => {
    /** Speculates 4 steps, and stops a round after a guess A gave less than 0.5 for. */
    const doubting = (seen: Array<number | undefined>): KPolicy => ({
      name: 'doubting',
      chooseK: () => 4,
      continueAfterGuess: (_state, _guesses, confidences) => {
        const last = confidences?.[confidences.length - 1];
        seen.push(last);
        return last === undefined || last >= 0.5;
      },
    });
    const plan = async (logprobs: boolean): Promise<{ results: TaskResult[]; seen: Array<number | undefined> }> => {
      const seen: Array<number | undefined> = [];
      const model = (role: 'approx' | 'target') => createLanguageModel(`openai-compatible:${role}@${server.url}`, { env: {} }).model;
      const outcome = await runSuite({
        tasks,
        policy: doubting(seen),
        approx: createAiSdkAgent({ model: model('approx'), actionSpace: openAgiActionSpace, strategy: 'direct', onUnparsable: 'mismatch', logprobs }),
        target: createAiSdkAgent({ model: model('target'), actionSpace: openAgiActionSpace, strategy: 'react' }),
        actionsMatch: openAgiActionSpace.actionsMatch,
        isTerminal: openAgiActionSpace.isTerminal,
      });
      expect(outcome.failures).toEqual([]);
      return { results: outcome.results, seen };
    };
    const withConfidence = await plan(true);
    const without = await plan(false);
    const stoppedRounds = (results: TaskResult[]) => results.flatMap((result) => result.rounds.filter((round) => round.stoppedAfter !== undefined));

    expect(without.seen.length).toBeGreaterThan(0);
    expect(without.seen.every((confidence) => confidence === undefined)).toBe(true);
    expect(stoppedRounds(without.results)).toEqual([]);

    expect(withConfidence.seen.some((confidence) => confidence !== undefined && confidence < 0.5)).toBe(true);
    const stopped = stoppedRounds(withConfidence.results);
    expect(stopped.length).toBeGreaterThan(0);
    for (const round of stopped) expect(round.guessConfidences![round.stoppedAfter! - 1]).toBeLessThan(0.5);
    // Both plans are the recorded ones: confidence changes how far a round speculates, never what is committed.
    const plans = (results: TaskResult[]): Action[][] => results.map((result) => result.plan);
    expect(plans(withConfidence.results)).toEqual(plans(without.results));
  });

  it('gets the same confidence through @ai-sdk/openai chat completions and @ai-sdk/openai-compatible, streamed and not', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const openai = createOpenAI({ baseURL: server.url, apiKey: 'not-a-key', fetch: bodyKeepingFetch(bodies) });
    const compatible = createLanguageModel(`openai-compatible:approx@${server.url}`, { env: {} }).model;
    const trace = confidentTraces[1]!;
    const prompt = { kind: 'direct' as const, task: trace.task, prefix: [trace.steps[0]!.target.action] };
    for (const [model, streaming] of [[openai.chat('approx'), true], [openai.chat('approx'), false], [compatible, true], [compatible, false]] as const) {
      const agent = createAiSdkAgent({ model, actionSpace: openAgiActionSpace, strategy: 'direct', logprobs: true, streaming });
      const result = await agent(
        { task: { id: 'task-3', text: prompt.task }, prefix: prompt.prefix, step: 2, speculative: false },
        { signal: new AbortController().signal, reportPartialUsage: () => undefined },
      );
      expect(result.action).toBe(trace.steps[1]!.approx!.action);
      expect(result.confidence).toBeCloseTo(servedConfidence(trace, 1), 9);
    }
    // The openai provider asks for one alternative per token (its chat model's `logprobs: 1`).
    expect(bodies).toHaveLength(2);
    expect(bodies.every((body) => body.logprobs === true && body.top_logprobs === 1)).toBe(true);
  });

  it('gives TravelPlanner agents their confidence in the action line', async () => {
    const travelTraces = loadTraces(join(import.meta.dirname, '..', '..', 'data', 'examples', 'travelplanner-mini.jsonl'));
    const withConfidence = travelTraces.map((trace) => ({
      ...trace,
      steps: trace.steps.map((step, index) => (step.approx === undefined ? step : { ...step, approx: { ...step.approx, confidence: 0.4 + 0.05 * index } })),
    }));
    const travelServer = await startReplayServer({ traces: withConfidence, speed: 50 });
    try {
      const model = createLanguageModel(`openai-compatible:approx@${travelServer.url}`, { env: {} }).model;
      const trace = withConfidence[0]!;
      const agent = createTravelPlannerAgent({ strategy: 'direct', callModel: createModelCaller(model, { logprobs: true }) });
      const result = await agent(
        { task: { id: 't', text: trace.task }, prefix: [], step: 1, speculative: false },
        { signal: new AbortController().signal, reportPartialUsage: () => undefined },
      );
      expect(result.action).toBe(trace.steps[0]!.approx!.action);
      expect(result.confidence).toBeCloseTo(0.4, 9);
    } finally {
      await travelServer.close();
    }
  });
});

describe('a reply without log-probabilities', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces: plainTraces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives no confidence and no error: the server answers none for traces without confidence', async () => {
    const model = createLanguageModel(`openai-compatible:approx@${server.url}`, { env: {} }).model;
    const reply = await callLanguageModel({
      model,
      prompt: `Call: direct\nTask: ${plainTraces[0]!.task}\nPlan so far: (empty)\nStep: 1\n\nAnswer.`,
      logprobs: true,
    });
    expect(reply.text).toBe('<tool>Image Deblurring</tool>');
    expect(reply).not.toHaveProperty('logprobs');
  });

  it('answers a request that asks for logprobs byte for byte as one that does not, streamed and not', async () => {
    const ask = async (stream: boolean, logprobs: boolean): Promise<string> => {
      const response = await fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'approx',
          stream,
          ...(logprobs ? { logprobs: true, top_logprobs: 2 } : {}),
          messages: [{ role: 'user', content: `Call: cot\nTask: ${plainTraces[2]!.task}\nPlan so far: (empty)\nStep: 1\n\nThink.` }],
        }),
      });
      expect(response.status).toBe(200);
      // Ids and creation times differ from request to request.
      return (await response.text()).replace(/chatcmpl-replay-\d+/g, 'ID').replace(/"created":\d+/g, '"created":0');
    };
    for (const stream of [false, true]) expect(await ask(stream, true)).toBe(await ask(stream, false));
  });

  it('dsp run --approx-confidence says no guess came with a confidence, and records none', async () => {
    const recordPath = join(directory, 'no-logprobs.jsonl');
    const run = await runDsp(
      [
        'run',
        '--tasks-from',
        fixturePath,
        ...servedModelArgs(server.url),
        '--policy',
        'fixed:2',
        '--approx-confidence',
        '--record',
        recordPath,
      ],
      captureIo(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/A confidence {3}none of \d+ guesses came with A's confidence: its provider returned no log-probabilities/);
    expect(readFileSync(recordPath, 'utf8')).not.toContain('confidence');
  });
});
