/**
 * One price rule for live runs and replays: `dsp run --record` names models `provider:model`, and a price table
 * prices a run and the replay of its recording the same. A live run against the replay server on loopback, with a
 * `--prices` file naming the served models (one bare, one provider-qualified key taking precedence over a bare one),
 * is compared with `dsp bench --traces` of its recording under the same file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../src/ledger/format.js';
import { qualifyingProviders } from '../src/ledger/prices.js';
import { providerNames } from '../src/providers/providers.js';
import { type ReplayServer, startReplayServer } from '../src/server/replay-server.js';
import type { BenchSummary } from '../src/suite/bench.js';
import { loadTraces, parseTraces } from '../src/traces/format.js';
import { spawnDsp } from './fixtures/cli/spawn-dsp.js';
import { servedModelArgs } from './fixtures/serve/served-run.js';

const fixturePath = join(import.meta.dirname, 'fixtures', 'serve', 'openagi-mini.jsonl');
const directory = mkdtempSync(join(tmpdir(), 'dsp-run-prices-'));

/** Prices of the served models: A by its bare id, T by a provider-qualified key that must win over its bare id. */
const pricesPath = join(directory, 'served-prices.json');
const prices = {
  name: 'served-models',
  models: {
    approx: { inputUsdPerMTok: 1, outputUsdPerMTok: 4 },
    target: { inputUsdPerMTok: 1000, outputUsdPerMTok: 1000 },
    'openai-compatible:target': { inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
  },
};

/** Runs `dsp run` live on the served traces and returns its stdout and the recording's path. */
async function liveRun(server: ReplayServer, policy: string): Promise<{ stdout: string; recordPath: string }> {
  const recordPath = join(directory, `${policy.replace(':', '-')}.jsonl`);
  const dsp = spawnDsp([
    'run',
    '--tasks-from',
    fixturePath,
    ...servedModelArgs(server.url),
    '--policy',
    policy,
    '--prices',
    pricesPath,
    '--record',
    recordPath,
  ]);
  try {
    expect(await dsp.exited, dsp.stderr()).toBe(0);
    return { stdout: dsp.stdout(), recordPath };
  } finally {
    dsp.child.kill('SIGKILL');
  }
}

/** `dsp bench` of a recording under the same prices, as JSON. */
async function replay(recordPath: string, policies: string): Promise<BenchSummary> {
  const dsp = spawnDsp(['bench', '--traces', recordPath, '--policies', policies, '--prices', pricesPath, '--format', 'json', '--quiet']);
  expect(await dsp.exited, dsp.stderr()).toBe(0);
  return JSON.parse(dsp.stdout()) as BenchSummary;
}

/** The costs of `dsp run`'s summary line: `cost $X per task (sequential $Y, …`. */
function summaryCosts(stdout: string): { cost: string; sequential: string } {
  const match = /^ {2}cost +(\S+) per task \(sequential (\S+),/m.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return { cost: match![1]!, sequential: match![2]! };
}

describe('the providers a price lookup knows', () => {
  it('are those of model specs, so every name dsp run records is priced by its model id', () => {
    expect([...qualifyingProviders].sort()).toEqual([...providerNames].sort());
  });
});

describe('a live run and the replay of its recording, under one price table', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    writeFileSync(pricesPath, JSON.stringify(prices));
    server = await startReplayServer({ traces: loadTraces(fixturePath), speed: 20 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('records provider-qualified model names, and prices T alone the same live and in replay', async () => {
    const { stdout, recordPath } = await liveRun(server, 'sequential');
    const recorded = parseTraces(readFileSync(recordPath, 'utf8'), recordPath);
    expect(recorded[0]!.models).toEqual({ approx: 'openai-compatible:approx', target: 'openai-compatible:target' });
    expect(stdout).not.toContain('unpriced');
    const live = summaryCosts(stdout);
    const [row] = (await replay(recordPath, 'sequential')).rows;
    expect(row!.unpricedCalls).toBe(0);
    expect(row!.costUsd).toBeGreaterThan(0);
    expect(`$${formatUsd(row!.costUsd)}`).toBe(live.cost);
    expect(`$${formatUsd(row!.sequentialCostUsd)}`).toBe(live.sequential);
  }, 60_000);

  it('prices both agents of a speculative run, and its committed steps the same live and in replay', async () => {
    const { stdout, recordPath } = await liveRun(server, 'fixed:2');
    expect(stdout).not.toContain('unpriced');
    const live = summaryCosts(stdout);
    const summary = await replay(recordPath, 'sequential,fixed:2');
    for (const row of summary.rows) {
      expect(row.unpricedCalls, row.policy).toBe(0);
      // The committed T calls are the recorded ones: the same calls, the same prices, the same cost.
      expect(`$${formatUsd(row.sequentialCostUsd)}`, row.policy).toBe(live.sequential);
    }
    const speculative = summary.rows.find((row) => row.policy === 'fixed:2')!;
    expect(speculative.costUsd).toBeGreaterThan(speculative.sequentialCostUsd!);
  }, 60_000);
});
