/**
 * Live runs against the real stack (provider, HTTP, streaming, cancellation) on 127.0.0.1: `dsp serve` replaying
 * the fixture traces, behind a proxy that injects faults. In process through `runLiveSuite` (to read the ledger),
 * and as a `dsp run` child process.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDsp } from '../../test/fixtures/cli/spawn-dsp.js';
import { startFaultProxy, type ChatBody, type Fault, type FaultProxy } from '../../test/fixtures/serve/fault-proxy.js';
import { seededRandom } from '../core/rng.js';
import type { CallRecord } from '../core/types.js';
import { taskForText } from '../envs/openagi/tasks.js';
import { parsePolicySpec } from '../policies/registry.js';
import { type ReplayServer, startReplayServer } from '../server/replay-server.js';
import { loadTraces, parseTraces } from '../traces/format.js';
import type { Trace } from '../traces/schema.js';
import { runLiveSuite, type LiveSuiteOptions } from './live-suite.js';

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
      '--approx',
      `openai-compatible:approx@${proxy.url}`,
      '--target',
      `openai-compatible:target@${proxy.url}`,
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
