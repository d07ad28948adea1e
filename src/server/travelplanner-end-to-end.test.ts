/**
 * TravelPlanner with no key, end to end: the replay server on 127.0.0.1 answers the benchmark's ReAct prompts from
 * the example traces (data/examples/travelplanner-mini.jsonl, made from the embedded suite), and a live run plans
 * them with real HTTP, the AI SDK adapter and the environment's tools executed by the engine; the Planner calls the
 * target model with the benchmark's planner prompt, which the server answers with its placeholder plan. Then `dsp run
 * --env travelplanner --record` and `dsp bench` on the recording, through the CLI; and a planner that keeps failing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import type { TaskInput, TaskResult } from '../core/types.js';
import { isToolCallError, type ToolCallError } from '../core/errors.js';
import { notebookEntries, notebookText, parseTravelPlannerAction } from '../envs/travelplanner/index.js';
import { isPlannerPrompt, parsePlannerPrompt } from '../envs/travelplanner/planner-prompt.js';
import type { PriceTable } from '../ledger/prices.js';
import { maskedObservation } from '../envs/travelplanner/react-prompt.js';
import { travelPlannerLiveEnvironment } from '../live/live-environment.js';
import { runLiveSuite } from '../live/live-suite.js';
import { parsePolicySpec } from '../policies/registry.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';
import { placeholderPlan } from './travelplanner-answers.js';
import { servedPrices } from '../../test/fixtures/serve/served-run.js';

// Prices for the served models (`openai-compatible:approx` / `:target` are priced by their model ids).
const prices: PriceTable = servedPrices;

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
    priceTable: prices,
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

  it('calls the planner model once per task, after the confirmed Planner, with the notebook of committed writes only', () => {
    for (const run of [speculative, sequential]) {
      const plannerPrompts = run.prompts.filter(isPlannerPrompt).map((prompt) => ({ prompt, ...parsePlannerPrompt(prompt) }));
      expect(plannerPrompts).toHaveLength(tasks.length);
      for (const result of run.results) {
        const planner = parseTravelPlannerAction(result.plan.at(-1)!)!;
        expect(planner.tool).toBe('Planner');
        // The planner's prompt shows the query T passed and exactly the committed notebook.
        const sent = plannerPrompts.filter((prompt) => prompt.query === planner.argument);
        expect(sent, result.taskId).toHaveLength(1);
        expect(sent[0]!.notebook).toBe(notebookText(notebookEntries(result.state!)));
        // Its plan is the task's final answer: the terminal step's observation.
        expect(result.trajectory!.at(-1)).toEqual({ action: result.plan.at(-1), observation: placeholderPlan });
        const record = result.toolRecords!.find((candidate) => (candidate.action as string).startsWith('Planner['))!;
        expect(record).toMatchObject({ prefix: 'true', status: 'committed', model: 'openai-compatible:target' });
        // The server's placeholder tokens: characters ÷ 4, rounded up.
        expect(record.usage).toEqual({ inputTokens: Math.ceil(sent[0]!.prompt.length / 4), outputTokens: Math.ceil(placeholderPlan.length / 4) });
      }
    }
  });

  it("bills the planner's tokens in the task's cost and sequential cost", () => {
    for (const result of [...speculative.results, ...sequential.results]) {
      const record = result.toolRecords!.find((candidate) => (candidate.action as string).startsWith('Planner['))!;
      const plannerCost = (record.usage!.inputTokens! * 2 + record.usage!.outputTokens! * 8) / 1e6;
      expect(record.costUsd).toBeCloseTo(plannerCost, 12);
      const agentsCost = result.records.reduce((sum, call) => sum + call.costUsd!, 0);
      const committedTarget = result.records
        .filter((call) => call.role === 'target' && call.status === 'committed')
        .reduce((sum, call) => sum + call.costUsd!, 0);
      expect(result.metrics.costUsd).toBeCloseTo(agentsCost + plannerCost, 12);
      expect(result.metrics.sequentialCostUsd).toBeCloseTo(committedTarget + plannerCost, 12);
      expect(result.metrics.calls).toBe(result.records.length);
    }
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
    const pricesPath = join(recording, '..', 'prices.json');
    writeFileSync(pricesPath, JSON.stringify(servedPrices));
    const run = await runDsp(
      [
        'run', '--env', 'travelplanner', '--tasks-from', examplePath, '--policy', 'fixed:4', '--approx', model('approx'), '--target', model('target'),
        '--record', recording, '--prices', pricesPath,
      ],
      captureIo(),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Summary: 4 of 4 tasks, policy fixed:4');
    // The planner's calls: one per task, their tokens and cost, counted in the cost line.
    const plannerOutput = 4 * Math.ceil(placeholderPlan.length / 4);
    expect(run.stdout).toMatch(
      new RegExp(`tool models +4 executions called openai-compatible:target: \\d+ input \\+ ${plannerOutput} output tokens, \\$\\d+\\.\\d+ in all \\(counted in the cost above\\)`),
    );
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
      // The Planner's execution: the plan it wrote, and the planner call's model and tokens.
      expect(trace.steps.at(-1)!.target.tool).toMatchObject({
        effect: 'irreversible',
        observation: placeholderPlan,
        model: 'openai-compatible:target',
        outputTokens: Math.ceil(placeholderPlan.length / 4),
      });
    }
    const bench = await runDsp(
      ['bench', '--traces', recording, '--policies', 'sequential,fixed:4', '--max-steps', '30', '--format', 'json', '--quiet', '--prices', pricesPath],
      captureIo(),
    );
    expect(bench.code, bench.stderr).toBe(0);
    const rows = (JSON.parse(bench.stdout) as { rows: Array<{ policy: string; lossless: boolean; costUsd: number | null }> }).rows;
    expect(rows.map((row) => [row.policy, row.lossless])).toEqual([
      ['sequential', true],
      ['fixed:4', true],
    ]);
    // Replay bills the recorded planner calls: T alone costs its committed calls plus the planner's.
    const plannerUsd = recorded.reduce((sum, trace) => {
      const tool = trace.steps.at(-1)!.target.tool!;
      return sum + (tool.inputTokens! * 2 + tool.outputTokens! * 8) / 1e6;
    }, 0);
    const targetUsd = recorded.reduce(
      (sum, trace) => sum + trace.steps.reduce((steps, step) => steps + (step.target.inputTokens * 2 + step.target.outputTokens * 8) / 1e6, 0),
      0,
    );
    expect(rows[0]!.costUsd).toBeCloseTo((targetUsd + plannerUsd) / recorded.length, 9);
  }, 60_000);
});

describe('a planner model that keeps failing', () => {
  let server: ReplayServer;
  let down: Server;
  let downUrl: string;
  let downRequests = 0;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 100 });
    // Every request is refused with 503, a transient failure: retried by the rules, then the task fails.
    down = createServer((request, response) => {
      downRequests += 1;
      request.resume();
      response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'planner overloaded' } }));
    });
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    downUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await server.close();
    await new Promise<void>((resolve) => down.close(() => resolve()));
  });

  it('is retried, then fails its task with ToolCallError carrying the ledger, and the run goes on', async () => {
    const failedTasks: string[] = [];
    const outcome = await runLiveSuite({
      suite: 'travelplanner-react',
      tasks: tasks.slice(0, 2),
      approx: { model: `openai-compatible:approx@${server.url}`, strategy: 'direct' },
      target: { model: `openai-compatible:target@${server.url}`, strategy: 'react' },
      toolModel: { model: `openai-compatible:target@${downUrl}` },
      policy: parsePolicySpec('fixed:4'),
      environment: travelPlannerLiveEnvironment(),
      maxSteps: 30,
      priceTable: prices,
      retry: { retries: 1, initialDelayMs: 1 },
      env: {},
      onTaskFailed: (failure) => failedTasks.push(failure.task.id),
    });
    // Both tasks ran (the first failure did not stop the run) and both failed at their Planner step.
    expect(failedTasks).toEqual(tasks.slice(0, 2).map((task) => task.id));
    expect(outcome.results).toEqual([]);
    // One attempt and one retry per task.
    expect(downRequests).toBe(4);
    outcome.failures.forEach((failure, index) => {
      expect(isToolCallError(failure.error)).toBe(true);
      const error = failure.error as ToolCallError;
      expect(failure.step).toBe(traces[index]!.steps.length);
      expect(parseTravelPlannerAction(error.action)?.tool).toBe('Planner');
      expect(error.message).toContain('planner overloaded');
      // Everything spent is in the failure: the agents' calls and the planner's two failed attempts.
      expect(failure.records!.length).toBeGreaterThan(0);
      const planner = failure.toolRecords!.find((record) => record.action === error.action)!;
      expect(planner).toMatchObject({ prefix: 'true', failedAttempts: 2, model: 'openai-compatible:target' });
    });
  }, 60_000);
});
