/**
 * TravelPlanner with no key, end to end: the replay server on 127.0.0.1 answers the benchmark's ReAct prompts from
 * the example traces (data/examples/travelplanner-mini.jsonl, made from the embedded suite), and a live run plans
 * them with real HTTP, the AI SDK adapter and the environment's tools executed by the engine. Then `dsp run --env
 * travelplanner --record` and `dsp bench` on the recording, through the CLI.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import type { TaskInput, TaskResult } from '../core/types.js';
import { notebookEntries, parseTravelPlannerAction } from '../envs/travelplanner/index.js';
import { maskedObservation } from '../envs/travelplanner/react-prompt.js';
import { travelPlannerLiveEnvironment } from '../live/live-environment.js';
import { runLiveSuite } from '../live/live-suite.js';
import { parsePolicySpec } from '../policies/registry.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const examplePath = join(import.meta.dirname, '..', '..', 'data', 'examples', 'travelplanner-mini.jsonl');
const traces = loadTraces(examplePath);
const tasks: TaskInput[] = traces.map((trace) => ({ id: trace.id, text: trace.task }));

/** A live run of the example against the server, keeping every prompt the server was sent. */
async function planLive(server: ReplayServer, policy: string): Promise<{ results: TaskResult[]; prompts: string[] }> {
  const prompts: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const body = JSON.parse(init?.body as string) as { messages: Array<{ role: string; content: unknown }> };
    const user = body.messages.find((message) => message.role === 'user')!;
    prompts.push(typeof user.content === 'string' ? user.content : JSON.stringify(user.content));
    return fetch(input, init);
  };
  const outcome = await runLiveSuite({
    suite: 'travelplanner-react',
    tasks,
    approx: { model: `openai-compatible:approx@${server.url}`, strategy: 'direct' },
    target: { model: `openai-compatible:target@${server.url}`, strategy: 'react' },
    policy: parsePolicySpec(policy),
    environment: travelPlannerLiveEnvironment(),
    maxSteps: 30,
    env: {},
    fetch: recordingFetch,
  });
  expect(outcome.failures).toEqual([]);
  return { results: outcome.results, prompts };
}

describe('TravelPlanner live against dsp serve, with no key', () => {
  let server: ReplayServer;
  let speculative: { results: TaskResult[]; prompts: string[] };
  let sequential: { results: TaskResult[]; prompts: string[] };
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 100 });
    speculative = await planLive(server, 'fixed:4');
    sequential = await planLive(server, 'sequential');
  }, 60_000);
  afterAll(async () => {
    await server.close();
  });

  it('reproduces every recorded trajectory, under speculation and sequentially', () => {
    for (const run of [speculative, sequential]) {
      expect(run.results.map((result) => result.plan)).toEqual(traces.map((trace) => trace.steps.map((step) => step.target.action)));
      expect(run.results.every((result) => result.endReason === 'terminal')).toBe(true);
    }
    // The same observations and the same final notebook, step for step, as T alone.
    expect(speculative.results.map((result) => result.trajectory)).toEqual(sequential.results.map((result) => result.trajectory));
    expect(speculative.results.map((result) => [...result.state!])).toEqual(sequential.results.map((result) => [...result.state!]));
    // Speculation did happen: guesses were confirmed in rounds of several steps.
    expect(speculative.results.some((result) => result.rounds.some((round) => round.acceptedCount >= 2))).toBe(true);
  });

  it("executes the sandbox's tools for real: their observations are in the prompts the server received", () => {
    for (const result of speculative.results) {
      const steps = result.trajectory!;
      // Each step's observation is shown in full to the next step's calls.
      steps.slice(0, -1).forEach((step, index) => {
        const shown = `\nAction ${index + 1}: ${step.action as string}\nObservation ${index + 1}: ${String(step.observation)}\nThought ${index + 2}:`;
        expect(speculative.prompts.some((prompt) => prompt.includes(shown)), `${result.taskId} step ${index + 1}`).toBe(true);
      });
    }
    const accommodation = speculative.results[0]!.trajectory!.find((step) => (step.action as string).startsWith('AccommodationSearch['))!;
    // A table of the shipped database, as pandas prints it.
    expect(String(accommodation.observation)).toMatch(/^NAME +price +room type/);
    // Only the latest data stays visible, as in the benchmark.
    expect(speculative.prompts.some((prompt) => prompt.includes(maskedObservation))).toBe(true);
  });

  it('writes no NotebookWrite of a discarded branch into the final notebook, and runs each Planner once, confirmed', () => {
    let discardedWrites = 0;
    for (const result of speculative.results) {
      const committedWrites = result.plan
        .map((action) => parseTravelPlannerAction(action))
        .filter((parsed) => parsed?.tool === 'NotebookWrite')
        .map((parsed) => parsed!.argument);
      expect(notebookEntries(result.state!).map((entry) => entry.description)).toEqual(committedWrites);
      const records = result.toolRecords!;
      discardedWrites += records.filter((record) => record.effect === 'sandboxed' && record.status !== 'committed').length;
      const planners = records.filter((record) => (record.action as string).startsWith('Planner['));
      expect(planners.map((record) => [record.prefix, record.status])).toEqual([['true', 'committed']]);
    }
    // Wrong NotebookWrite guesses were written on forks and dropped: the isolation was exercised.
    expect(discardedWrites).toBeGreaterThan(0);
  });
});

describe('dsp run --env travelplanner --record, then dsp bench on the recording', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 100 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('records tool steps (effect, latency, observation) that bench replays losslessly', async () => {
    const recording = join(mkdtempSync(join(tmpdir(), 'dsp-travelplanner-')), 'rec.jsonl');
    const model = (role: string): string => `openai-compatible:${role}@${server.url}`;
    const run = await runDsp(
      ['run', '--env', 'travelplanner', '--tasks-from', examplePath, '--policy', 'fixed:4', '--approx', model('approx'), '--target', model('target'), '--record', recording],
      captureIo(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Summary: 4 of 4 tasks, policy fixed:4');
    const recorded = parseTraces(readFileSync(recording, 'utf8'), recording);
    expect(recorded.map((trace) => trace.steps.map((step) => step.target.action))).toEqual(
      traces.map((trace) => trace.steps.map((step) => step.target.action)),
    );
    for (const trace of recorded) {
      expect(trace.suite).toBe('travelplanner');
      for (const step of trace.steps) {
        expect(step.target.tool?.latencyMs, step.target.action as string).toBeGreaterThanOrEqual(0);
        expect(typeof step.target.tool?.observation).toBe('string');
      }
      expect(trace.steps.at(-1)!.target.tool!.effect).toBe('irreversible');
    }
    const bench = await runDsp(['bench', '--traces', recording, '--policies', 'sequential,fixed:4', '--max-steps', '30', '--format', 'json', '--quiet'], captureIo());
    expect(bench.code, bench.stderr).toBe(0);
    const rows = (JSON.parse(bench.stdout) as { rows: Array<{ policy: string; lossless: boolean }> }).rows;
    expect(rows.map((row) => [row.policy, row.lossless])).toEqual([
      ['sequential', true],
      ['fixed:4', true],
    ]);
  }, 60_000);
});
