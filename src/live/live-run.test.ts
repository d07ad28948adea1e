/**
 * Live runs against the real stack (provider, HTTP, streaming, cancellation) on 127.0.0.1: `dsp serve` replaying
 * the fixture traces, behind a proxy that injects faults. In process through `runLiveSuite` (to read the ledger),
 * and as a `dsp run` child process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDsp } from '../../test/fixtures/cli/spawn-dsp.js';
import { captureIo, runDsp } from '../../test/fixtures/cli/captured-io.js';
import { startFaultProxy, type ChatBody, type Fault, type FaultProxy } from '../../test/fixtures/serve/fault-proxy.js';
import { isTargetCallError, type TargetCallError } from '../core/errors.js';
import { seededRandom } from '../core/rng.js';
import type { CallRecord } from '../core/types.js';
import { taskForText } from '../envs/openagi/tasks.js';
import type { PriceTable } from '../ledger/prices.js';
import { parsePolicySpec } from '../policies/registry.js';
import { type ReplayServer, startReplayServer } from '../server/replay-server.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { isModelCallError } from '../agents/errors.js';
import { isBudgetExceededError } from './budget.js';
import { runLiveSuite, type LiveSuiteOptions } from './live-suite.js';
import { servedModelArgs, servedPrices } from '../../test/fixtures/serve/served-run.js';

const fixturePath = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const traces: Trace[] = loadTraces(fixturePath);
const recordedPlans = traces.map((trace) => trace.steps.map((step) => step.target.action));
const directory = mkdtempSync(join(tmpdir(), 'dsp-live-'));

/**
 * The faults of the first attempt of a request: ~10 % 429 with retry-after-ms, ~5 % 500, ~5 % resets, ~3 % hangs
 * of A's requests, and a hang of T's first request at step 2 of task-3, so that one call on the committed path
 * times out (each such hang costs a whole call timeout).
 */
const transientFaults = (draw: number, body: ChatBody): Fault => {
  const prompt = body.lastMessage;
  if (body.model === 'target' && prompt.includes('Call: react-thought') && prompt.includes('Step: 2') && prompt.includes('Task: Given blurry grayscale image,')) {
    return 'hang';
  }
  if (draw < 0.1) return 'rate-limit';
  if (draw < 0.15) return 'server-error';
  if (draw < 0.2) return 'reset';
  return draw < 0.23 && body.model === 'approx' ? 'hang' : 'pass';
};

function liveOptions(url: string, overrides: Partial<LiveSuiteOptions> = {}): LiveSuiteOptions {
  return {
    suite: 'openagi-mini',
    tasks: traces.map((trace) => taskForText(trace.task, trace.id)),
    approx: { model: `openai-compatible:approx@${url}`, strategy: 'direct' },
    target: { model: `openai-compatible:target@${url}`, strategy: 'react' },
    policy: parsePolicySpec('fixed:4'),
    env: {},
    random: seededRandom(11),
    ...overrides,
  };
}

describe('a live run through a proxy that fails first attempts', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    proxy = await startFaultProxy({ upstream: server.url, firstAttempt: transientFaults, retryAfterMs: 15 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('finishes every task with the recorded plan, the failed attempts in the ledger', async () => {
    const outcome = await runLiveSuite(liveOptions(proxy.url, { retry: { retries: 3, initialDelayMs: 20 }, callTimeoutMs: 1000 }));
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    const faults = proxy.stats().faults;
    expect(faults['rate-limit']).toBeGreaterThan(0);
    expect(faults['server-error']).toBeGreaterThan(0);
    expect(faults.reset).toBeGreaterThan(0);
    expect(faults.hang).toBeGreaterThan(0);

    const records: CallRecord[] = outcome.results.flatMap((result) => result.records);
    const attempts = records.filter((record) => record.status === 'failed');
    expect(attempts.length).toBeGreaterThan(0);
    for (const attempt of attempts) {
      // Each failed attempt names the call it belongs to, which is a call of the same task, role and step.
      const call = records.find((record) => record.taskId === attempt.taskId && record.id === attempt.attemptOf);
      expect(call).toMatchObject({ role: attempt.role, step: attempt.step, round: attempt.round });
      expect(attempt.endMs).toBeGreaterThanOrEqual(attempt.startMs);
      expect(attempt.error).toMatch(/HTTP 429|HTTP 500|connect|closed|terminated|socket|no complete reply within 1000 ms/i);
    }
    expect(attempts.some((attempt) => attempt.error?.endsWith('no complete reply within 1000 ms'))).toBe(true);
    // Committed-path requests were refused too, and retried: their call was committed after its failed attempts.
    const committedRetried = attempts.filter(
      (attempt) => records.find((record) => record.taskId === attempt.taskId && record.id === attempt.attemptOf)?.status === 'committed',
    );
    expect(committedRetried.length).toBeGreaterThan(0);
  });
});

describe('dsp run through the fault proxy, in a process', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    proxy = await startFaultProxy({ upstream: server.url, firstAttempt: transientFaults, retryAfterMs: 15 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('finishes every task with the recorded plans, and says how many attempts it retried', async () => {
    const recordPath = join(directory, 'faults.jsonl');
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      fixturePath,
      ...servedModelArgs(proxy.url),
      '--policy',
      'fixed:4',
      '--retries',
      '3',
      '--call-timeout-ms',
      '5000',
      '--record',
      recordPath,
    ]);
    try {
      expect(await dsp.exited, dsp.stderr()).toBe(0);
      expect(dsp.stdout()).toContain('Summary: 4 of 4 tasks, policy fixed:4');
      expect(dsp.stdout()).toMatch(/retried {8}\d+ failed attempts? \(in the ledger with status failed/);
      const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
      expect(recorded.map((trace) => trace.steps.map((step) => step.target.action))).toEqual(recordedPlans);
      const retriedCalls = recorded.flatMap((trace) => trace.steps.flatMap((step) => [step.target, step.approx])).filter(
        (call) => typeof call?.failedAttempts === 'number',
      );
      expect(retriedCalls.length).toBeGreaterThan(0);
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});

describe('a live run whose provider breaks off reply streams', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    // T's first attempts: a stream cut between events, one that carries an error event, one cut inside an event.
    const streamFaults = (draw: number, body: ChatBody): Fault => {
      if (body.model !== 'target' || draw >= 0.6) return 'pass';
      return draw < 0.2 ? 'stream-cut' : draw < 0.4 ? 'stream-error' : 'stream-truncated';
    };
    proxy = await startFaultProxy({ upstream: server.url, firstAttempt: streamFaults });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('retries them as transient failures, each with the provider\'s message, and finishes every task', async () => {
    const outcome = await runLiveSuite(liveOptions(proxy.url, { retry: { retries: 2, initialDelayMs: 10 } }));
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    const faults = proxy.stats().faults;
    expect(faults['stream-cut']).toBeGreaterThan(0);
    expect(faults['stream-error']).toBeGreaterThan(0);
    expect(faults['stream-truncated']).toBeGreaterThan(0);
    const attempts = outcome.results.flatMap((result) => result.records).filter((record) => record.status === 'failed');
    expect(attempts).toHaveLength(faults['stream-cut'] + faults['stream-error'] + faults['stream-truncated']);
    const errors = attempts.map((attempt) => attempt.error ?? '');
    expect(errors.filter((error) => error.endsWith('Response stream ended without a finish reason.'))).toHaveLength(faults['stream-cut']);
    expect(errors.filter((error) => error.endsWith('The server had an error while processing your request. (server_error)'))).toHaveLength(faults['stream-error']);
    expect(errors.filter((error) => error.includes('JSON parsing failed'))).toHaveLength(faults['stream-truncated']);
  });
});

/**
 * Within a describe block: a replay server behind a proxy that refuses every request for `model` with 401 (its
 * message echoing the key) and lets the others through. Returns the proxy, once started.
 */
function refusingProxy(model: 'target' | 'approx'): () => FaultProxy {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    proxy = await startFaultProxy({ upstream: server.url, always: (body) => (body.model === model ? 'unauthorized' : undefined) });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });
  return () => proxy;
}

describe('a live run whose provider refuses the key', () => {
  const key = 'sk-test-SECRET123';
  // Every request of T is refused; A's go through.
  const proxyOf = refusingProxy('target');

  it('stops at the first refusal, without retrying it: the tasks after it do not run', async () => {
    const before = proxyOf().stats().faults.unauthorized;
    const outcome = await runLiveSuite(liveOptions(proxyOf().url, { env: { DSP_OPENAI_COMPATIBLE_API_KEY: key }, retry: { retries: 2, initialDelayMs: 10 } }));
    expect(proxyOf().stats().faults.unauthorized - before).toBe(1);
    expect(outcome.results).toEqual([]);
    expect(outcome.failures.map((failure) => failure.task.id)).toEqual(['task-11']);
    expect(outcome.stoppedBy).toBe(outcome.failures[0]!.error);
    expect(outcome.interrupted).toBe(false);
    const cause = (outcome.failures[0]!.error as TargetCallError).cause;
    expect(isModelCallError(cause) && cause.statusCode).toBe(401);
  });

  it('makes dsp run say so in its summary, exit with 1, and never show the key', async () => {
    const recordPath = join(directory, 'refused.jsonl');
    const dsp = spawnDsp(['run', '--tasks-from', fixturePath, ...servedModelArgs(proxyOf().url), '--policy', 'fixed:4', '--record', recordPath], {
      DSP_OPENAI_COMPATIBLE_API_KEY: key,
    });
    try {
      expect(await dsp.exited).toBe(1);
      expect(dsp.stdout()).toContain(
        'Summary (stopped: the provider refused the key or its access to the model, so every task would fail; 3 not run): 0 of 4 tasks finished, 1 failed, policy fixed:4',
      );
      const failures = dsp.stderr().split('\n').filter((line) => line.startsWith('dsp: task '));
      expect(failures).toEqual([
        'dsp: task task-11 failed at step 1: call to model target failed (HTTP 401): Incorrect API key provided: Bearer [redacted DSP_OPENAI_COMPATIBLE_API_KEY]',
      ]);
      expect(dsp.stdout() + dsp.stderr()).not.toContain('SECRET123');
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});

describe('a live run whose provider refuses the key of A alone', () => {
  // Every request of A is refused; T's go through.
  const proxyOf = refusingProxy('approx');

  it('asks A once: after its refusal T plans alone, every task finishes with the recorded plan', async () => {
    const before = proxyOf().stats().faults.unauthorized;
    const outcome = await runLiveSuite(liveOptions(proxyOf().url, { retry: { retries: 2, initialDelayMs: 10 } }));
    expect(proxyOf().stats().faults.unauthorized - before).toBe(1);
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    expect(outcome.approxRefused?.taskId).toBe('task-11');
    expect(outcome.approxRefused?.error.statusCode).toBe(401);
    const approxCalls = outcome.results.flatMap((result) => result.records).filter((record) => record.role === 'approx');
    expect(approxCalls.map((record) => [record.taskId, record.step, record.error !== undefined])).toEqual([['task-11', 1, true]]);
    // Every round after the refusal ran with k = 0.
    expect(outcome.results.flatMap((result) => result.rounds).slice(1).every((round) => round.k === 0)).toBe(true);
  });

  it('makes dsp run warn once and say so in its summary', async () => {
    const captured = captureIo({ DSP_OPENAI_COMPATIBLE_API_KEY: 'sk-test-A-REFUSED' });
    const result = await runDsp(['run', '--tasks-from', fixturePath, ...servedModelArgs(proxyOf().url), '--policy', 'fixed:4'], captured);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Summary: 4 of 4 tasks, policy fixed:4');
    expect(result.stdout).toContain(
      '  A refused      the provider refused the approximation model (HTTP 401) in task-11, so A was not asked again: the rest of the run planned with the target alone (same plans, at its pace)\n',
    );
    expect(result.stderr.split('\n').filter((line) => line.startsWith('warning: '))).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain('A-REFUSED');
  });
});

describe('live runs against a server that allows two requests in flight', () => {
  let server: ReplayServer;
  const proxies: FaultProxy[] = [];
  /** A fresh proxy (fresh counters) that refuses with 429 any request beyond `maxInFlight`. */
  const cappedProxy = async (maxInFlight: number): Promise<FaultProxy> => {
    const proxy = await startFaultProxy({ upstream: server.url, maxInFlight, retryAfterMs: 15 });
    proxies.push(proxy);
    return proxy;
  };
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    await server.close();
  });

  it('with --max-concurrency 2, never has more than two in flight, and speculation finishes what T alone finishes', async () => {
    for (const policy of ['sequential', 'fixed:4']) {
      const proxy = await cappedProxy(2);
      const outcome = await runLiveSuite(liveOptions(proxy.url, { policy: parsePolicySpec(policy), limits: { maxConcurrency: 2 } }));
      expect(outcome.failures, policy).toEqual([]);
      expect(outcome.results.map((result) => result.plan), policy).toEqual(recordedPlans);
      const stats = proxy.stats();
      expect(stats.overCap, policy).toBe(0);
      expect(stats.maxInFlight, policy).toBeLessThanOrEqual(2);
      if (policy === 'fixed:4') {
        // It did speculate, within the one slot not kept for the committed path.
        expect(outcome.results.some((result) => result.records.some((record) => record.status === 'accepted'))).toBe(true);
        expect(stats.maxInFlight).toBe(2);
      }
    }
  });

  it('without a limit, speculation meets the cap but every task still finishes', async () => {
    const proxy = await cappedProxy(2);
    const outcome = await runLiveSuite(liveOptions(proxy.url, { retry: { initialDelayMs: 20 } }));
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    expect(proxy.stats().overCap).toBeGreaterThan(0);
  });

  it('runs tasks in parallel within the limit, and reports them in suite order', async () => {
    const proxy = await cappedProxy(3);
    const started: string[] = [];
    const outcome = await runLiveSuite(
      liveOptions(proxy.url, {
        parallel: 2,
        limits: { maxConcurrency: 3 },
        policy: parsePolicySpec('additive'),
        onTaskStarted: ({ task }) => started.push(task.id),
      }),
    );
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    expect(started).toHaveLength(4);
    const stats = proxy.stats();
    expect(stats.overCap).toBe(0);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    // Two tasks overlapped in time.
    const spans = outcome.results.map((result) => [result.rounds[0]!.startMs, result.rounds[result.rounds.length - 1]!.endMs] as const);
    expect(spans.some(([start], index) => spans.some(([otherStart, otherEnd], other) => other !== index && otherStart < start && start < otherEnd))).toBe(true);
  });

  it('refuses to run the dsp policy on several tasks at once', async () => {
    await expect(runLiveSuite(liveOptions('http://127.0.0.1:9/v1', { parallel: 2, policy: parsePolicySpec('dsp') }))).rejects.toThrow(
      'policy: the dsp policy learns from one task after another: run it with one task at a time (parallel 1)',
    );
  });
});

describe('dsp run --max-concurrency, in a process', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    proxy = await startFaultProxy({ upstream: server.url, maxInFlight: 2, retryAfterMs: 15 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('never exceeds the limit at the server and finishes every task', async () => {
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      fixturePath,
      ...servedModelArgs(proxy.url),
      '--policy',
      'fixed:4',
      '--max-concurrency',
      '2',
      // A limit the run never reaches: it shows the tokens line of the summary.
      '--tpm',
      '1000000',
    ]);
    try {
      expect(await dsp.exited, dsp.stderr()).toBe(0);
      expect(dsp.stdout()).toContain('Summary: 4 of 4 tasks, policy fixed:4');
      expect(proxy.stats().overCap).toBe(0);
      expect(proxy.stats().maxInFlight).toBeLessThanOrEqual(2);
      expect(dsp.stdout()).toMatch(
        /^ {2}requests {7}peak [12] in flight \(limit 2\); 0 refusals with 429; \d+ speculative skipped or cut(; \d+ promoted to the committed path)?$/m,
      );
      expect(dsp.stdout()).toMatch(/^ {2}tokens {9}peak \d+ in a minute \(limit 1000000\); \d+ used beyond their estimates$/m);
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});

/** The most tokens the requests that arrived within any `windowMs` carried. */
function busiestWindow(log: ReadonlyArray<{ atMs: number; tokens: number }>, windowMs: number): number {
  let most = 0;
  for (const entry of log) {
    const inWindow = log.filter((other) => other.atMs >= entry.atMs && other.atMs - entry.atMs < windowMs);
    most = Math.max(most, inWindow.reduce((sum, other) => sum + other.tokens, 0));
  }
  return most;
}

describe('live runs under a tokens-per-minute limit', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    proxy = await startFaultProxy({ upstream: server.url });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('keeps the tokens the server sees in any window within the limit (plus what replies used beyond their estimates)', async () => {
    // A 300 ms window stands for the minute.
    const limit = 3000;
    const windowMs = 300;
    const outcome = await runLiveSuite(liveOptions(proxy.url, { limits: { tokensPerMinute: limit, rateWindowMs: windowMs } }));
    expect(outcome.failures).toEqual([]);
    expect(outcome.results.map((result) => result.plan)).toEqual(recordedPlans);
    expect(outcome.results.some((result) => result.records.some((record) => record.status === 'accepted'))).toBe(true);
    const log = proxy.tokenLog();
    const total = log.reduce((sum, entry) => sum + entry.tokens, 0);
    const { tokenOverrun, peakWindowTokens } = outcome.requests;
    // The run needed many windows' worth of tokens.
    expect(total).toBeGreaterThan(4 * limit);
    // Requests arrive at the proxy a little after the limiter counts them: a window one millisecond shorter keeps
    // that drift from counting a request that had left the limiter's window.
    expect(busiestWindow(log, windowMs - 1)).toBeLessThanOrEqual(limit + tokenOverrun);
    expect(peakWindowTokens).toBeLessThanOrEqual(limit + tokenOverrun);
  });
});

describe('live runs with a budget', () => {
  // gpt-4.1-mini's and gpt-4.1's list prices for the replayed models: a step of T costs about $0.0026.
  const priceTable: PriceTable = servedPrices;
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });
  const ledgerCost = (records: readonly CallRecord[]): number => records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);

  it('stops the run within its budget, every stopped task with its ledger', async () => {
    const budgetUsd = 0.02;
    const outcome = await runLiveSuite(liveOptions(server.url, { priceTable, budget: { run: { usd: budgetUsd } } }));
    expect(outcome.results.length).toBeGreaterThan(0);
    expect(outcome.failures.length).toBeGreaterThan(0);
    outcome.results.forEach((result) => expect(result.plan).toEqual(recordedPlans[traces.findIndex((trace) => trace.task === taskText(result.taskId))]));
    for (const failure of outcome.failures) {
      expect(isTargetCallError(failure.error)).toBe(true);
      const cause = (failure.error as TargetCallError).cause;
      expect(isBudgetExceededError(cause) && cause.scope).toBe('run');
      expect(failure.records).toBeDefined();
    }
    // Everything spent is in the ledger, and it stays within the budget plus what requests cost beyond their
    // estimates (the stated bound).
    const spent = ledgerCost([...outcome.results.flatMap((result) => result.records), ...outcome.failures.flatMap((failure) => failure.records!)]);
    expect(spent).toBeCloseTo(outcome.budget!.run!.spent.usd, 9);
    expect(spent).toBeLessThanOrEqual(budgetUsd + outcome.budget!.run!.overrun.usd + 1e-12);
  });

  it('cuts speculation before the committed path, and stops a task only when T itself no longer fits', async () => {
    const budgetUsd = 0.012;
    const outcome = await runLiveSuite(liveOptions(server.url, { priceTable, budget: { task: { usd: budgetUsd } } }));
    const tasks = outcome.budget!.tasks;
    // Under fixed:4 every round asks for k = 4: a round with k = 0 is speculation cut by the budget, and every such
    // round still committed T's step.
    const rounds = outcome.results.flatMap((result) => result.rounds);
    expect(rounds.some((round) => round.k === 0)).toBe(true);
    expect(rounds.filter((round) => round.k === 0).every((round) => round.committedCount >= 1)).toBe(true);
    for (const result of outcome.results) {
      expect(result.plan).toEqual(recordedPlans[traces.findIndex((trace) => trace.task === taskText(result.taskId))]);
      expect(result.metrics.costUsd).toBeLessThanOrEqual(budgetUsd + tasks[result.taskId]!.overrun.usd + 1e-12);
    }
    // task-15 needs seven steps of T, about $0.020 alone: it is stopped by its budget, within the bound.
    expect(outcome.failures.map((failure) => failure.task.id)).toEqual(['task-15']);
    const stopped = outcome.failures[0]!;
    const cause = (stopped.error as TargetCallError).cause;
    expect(isBudgetExceededError(cause) && cause.scope).toBe('task');
    expect(ledgerCost(stopped.records!)).toBeLessThanOrEqual(budgetUsd + tasks['task-15']!.overrun.usd + 1e-12);
    // It committed steps after its speculation was cut.
    expect(stopped.step).toBeGreaterThan(1);
  });
});

/** The text of a fixture task by its id (`task-11` …). */
function taskText(taskId: string): string {
  return traces.find((trace) => taskForText(trace.task, trace.id).id === taskId)?.task ?? '';
}

describe('dsp run --budget-usd, in a process', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reports the tasks its budget stopped, the others finished, and exits with 1', async () => {
    const pricesPath = join(directory, 'prices.json');
    writeFileSync(
      pricesPath,
      JSON.stringify(servedPrices),
    );
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      fixturePath,
      ...servedModelArgs(server.url),
      '--policy',
      'fixed:4',
      '--prices',
      pricesPath,
      '--budget-usd',
      '0.02',
    ]);
    try {
      expect(await dsp.exited).toBe(1);
      const stdout = dsp.stdout();
      expect(stdout).toMatch(/^Summary: [12] of 4 tasks finished, [23] failed, policy fixed:4$/m);
      expect(stdout).toMatch(/^ {2}budget {9}\$0\.02000 per run: [23] tasks stopped by it; \$0\.0\d+ spent in all \(stopped tasks included\)$/m);
      expect(dsp.stderr()).toMatch(/^dsp: task task-106 failed at step 1: the run's budget of \$0\.0200 would be exceeded: \$0\.0\d+ spent or in flight/m);
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});

describe('a live run whose provider reads prompts from its cache', () => {
  // The target's recorded steps with two thirds of their prompt read from the cache.
  const cachedTraces: Trace[] = traces.map((trace) => ({
    ...trace,
    steps: trace.steps.map((step) => ({ ...step, target: { ...step.target, cachedInputTokens: Math.round((step.target.inputTokens * 2) / 3) } })),
  }));
  const priceTable: PriceTable = {
    name: 'cached',
    models: {
      approx: { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6, cachedInputUsdPerMTok: 0.1 },
      target: { inputUsdPerMTok: 2, outputUsdPerMTok: 8, cachedInputUsdPerMTok: 0.5 },
    },
  };
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({ traces: cachedTraces, speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('records the cached tokens, prices them at the cached rate, and records them in traces', async () => {
    const recordPath = join(directory, 'cached.jsonl');
    const outcome = await runLiveSuite(liveOptions(server.url, { priceTable, recordPath, tasks: [taskForText(traces[0]!.task, traces[0]!.id)] }));
    const result = outcome.results[0]!;
    const committed = result.records.filter((record) => record.role === 'target' && record.status === 'committed');
    // Step 1 of task-11: 900 tokens in (600 cached), 100 out, over the two calls of react:
    // 300 × $2 + 600 × $0.50 + 100 × $8 per million = $0.0017 instead of $0.0026 at list price.
    expect(committed[0]!.usage).toEqual({ inputTokens: 900, outputTokens: 100, cachedInputTokens: 600 });
    expect(committed[0]!.costUsd).toBeCloseTo(0.0017, 12);
    const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
    expect(recorded[0]!.steps.map((step) => step.target.cachedInputTokens)).toEqual(cachedTraces[0]!.steps.map((step) => step.target.cachedInputTokens));
    expect(committed.reduce((sum, record) => sum + (record.usage.cachedInputTokens ?? 0), 0)).toBe(600 + 627);
  });
});

describe('a task whose target always fails', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    // Every request of T for task-3 gets a 500, first attempt or not.
    proxy = await startFaultProxy({
      upstream: server.url,
      always: (body) => (body.model === 'target' && body.lastMessage.includes('Task: Given blurry grayscale image,') ? 'server-error' : undefined),
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('is reported with its retries in its ledger, and the other tasks finish', async () => {
    const outcome = await runLiveSuite(liveOptions(proxy.url, { retry: { retries: 2, initialDelayMs: 10 } }));
    expect(outcome.results.map((result) => result.taskId)).toEqual(['task-11', 'task-15', 'task-106']);
    expect(outcome.results.map((result) => result.plan)).toEqual([recordedPlans[0], recordedPlans[2], recordedPlans[3]]);
    expect(outcome.failures).toHaveLength(1);
    const failure = outcome.failures[0]!;
    expect(failure.task.id).toBe('task-3');
    expect(failure.step).toBe(1);
    const error = failure.error as TargetCallError;
    expect(isModelCallError(error.cause) && error.cause.statusCode).toBe(500);
    // T1's two retries are failed attempts of the call that failed the task.
    const failed = failure.records!.filter((record) => record.status === 'failed');
    const call = failed.find((record) => record.attemptOf === undefined)!;
    expect(call).toMatchObject({ role: 'target', step: 1 });
    expect(failed.filter((record) => record.attemptOf === call.id)).toHaveLength(2);
  });

  it('makes dsp run report it and exit with 1', async () => {
    const dsp = spawnDsp([
      'run',
      '--tasks-from',
      fixturePath,
      ...servedModelArgs(proxy.url),
      '--policy',
      'fixed:4',
      '--retries',
      '1',
    ]);
    try {
      expect(await dsp.exited).toBe(1);
      expect(dsp.stdout()).toContain('Summary: 3 of 4 tasks finished, 1 failed, policy fixed:4');
      expect(dsp.stderr()).toMatch(/^dsp: task task-3 failed at step 1: call to model target failed \(HTTP 500\): internal error$/m);
      expect(dsp.stderr()).toContain('dsp: 1 of 4 tasks failed');
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });
});
