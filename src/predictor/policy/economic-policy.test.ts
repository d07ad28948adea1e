import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteMetrics } from '../../ledger/metrics.js';
import { builtinPriceTable, type PriceTable } from '../../ledger/prices.js';
import type { TaskResult } from '../../core/types.js';
import type { KPolicy, RoundState } from '../../core/policy.js';
import { replaySuite } from '../../suite/replay-suite.js';
import { generateSyntheticTraces } from '../../traces/synthetic.js';
import { createDspPolicy, type DspRuntimeOptions } from '../create-dsp-policy.js';
import type { DspPolicy } from './dsp-policy.js';

const traces = generateSyntheticTraces({ seed: 3, tasks: 60, approxAccuracy: 0.7, accuracySpread: 0.25, minSteps: 4, maxSteps: 9 });
const models = traces[0]!.models;

/** The built-in prices with the target model's × `factor`. */
function targetPricesTimes(factor: number): PriceTable {
  const target = builtinPriceTable.models[models.target]!;
  return {
    name: `target ×${factor}`,
    models: {
      ...builtinPriceTable.models,
      [models.target]: { ...target, inputUsdPerMTok: target.inputUsdPerMTok * factor, outputUsdPerMTok: target.outputUsdPerMTok * factor },
    },
  };
}

/** The traces with A's confidence in each guess from `confidenceOf`: whether it is right, and where it is. */
function withConfidence(confidenceOf: (right: boolean, taskIndex: number, stepIndex: number) => number) {
  return traces.map((trace, taskIndex) => ({
    ...trace,
    steps: trace.steps.map((step, stepIndex) =>
      step.approx === undefined ? step : { ...step, approx: { ...step.approx, confidence: confidenceOf(step.approx.action === step.target.action, taskIndex, stepIndex) } },
    ),
  }));
}

/** Informative: 0.8–0.95 when A is right, 0.05–0.2 when wrong. */
const informativeConfidence = (right: boolean, task: number, step: number): number => (right ? 0.8 : 0.05) + ((task * 7 + step) % 4) * 0.05;

async function run(spec: string, priceTable: PriceTable, runtime: DspRuntimeOptions = { trainer: 'in-process' }, suite = traces) {
  const options = Object.fromEntries(
    spec
      .slice('dsp:'.length)
      .split(',')
      .map((part) => part.split('='))
      .map(([key, value]) => [key!, Number(value)]),
  );
  const result = await replaySuite({
    traces: suite,
    policy: { kind: 'dsp', name: spec, options },
    priceTable,
    buildPolicy: (policySpec) => createDspPolicy(policySpec as { name: string; options: Record<string, number> }, runtime),
  });
  const ks = result.results.flatMap((task) => task.rounds.map((round) => round.k));
  return { result, meanK: ks.reduce((sum, k) => sum + k, 0) / ks.length };
}

describe('the economic policy (dsp:value=…)', () => {
  it('is lossless, and with the target model’s prices × 5 chooses a smaller mean k with no setting changed', async () => {
    expect(builtinPriceTable.models[models.target]).toBeDefined();
    for (const value of [3, 30]) {
      const base = await run(`dsp:value=${value}`, builtinPriceTable);
      const dear = await run(`dsp:value=${value}`, targetPricesTimes(5));
      expect(base.result.lossless && dear.result.lossless).toBe(true);
      expect(dear.meanK).toBeLessThan(base.meanK);
    }
  });

  it('buys more speed for a higher value of time: faster and costlier', async () => {
    const low = await run('dsp:value=1', builtinPriceTable);
    const high = await run('dsp:value=300', builtinPriceTable);
    expect(high.meanK).toBeGreaterThan(low.meanK);
    expect(high.result.metrics.latencyMs).toBeLessThan(low.result.metrics.latencyMs);
    expect(high.result.metrics.costUsd).toBeGreaterThan(low.result.metrics.costUsd!);
  });

  it('gives the same rounds with the worker in deterministic mode as in process, run after run', async () => {
    const rounds = (outcome: Awaited<ReturnType<typeof run>>) => outcome.result.results.map((task) => task.rounds.map((round) => [round.k, round.stoppedAfter ?? -1]));
    const inProcess = await run('dsp:value=10', builtinPriceTable);
    const worker = await run('dsp:value=10', builtinPriceTable, { trainer: 'worker', deterministic: true });
    const again = await run('dsp:value=10', builtinPriceTable, { trainer: 'worker', deterministic: true });
    expect(rounds(worker)).toEqual(rounds(inProcess));
    expect(rounds(again)).toEqual(rounds(worker));
    // The per-guess rule did stop some rounds, and k varied: the comparison is not trivial.
    expect(inProcess.result.results.some((task) => task.rounds.some((round) => round.stoppedAfter !== undefined))).toBe(true);
    expect(new Set(rounds(inProcess).flat().map(([k]) => k)).size).toBeGreaterThan(2);
  });

  it("uses A's confidence in its guesses when the traces carry it: as fast, cheaper", async () => {
    // A says how sure it is: 0.9 when its guess is right, 0.2 when not (with a little noise).
    const confident = traces.map((trace, taskIndex) => ({
      ...trace,
      steps: trace.steps.map((step, stepIndex) =>
        step.approx === undefined
          ? step
          : { ...step, approx: { ...step.approx, confidence: (step.approx.action === step.target.action ? 0.9 : 0.2) + ((taskIndex + stepIndex) % 3) * 0.03 } },
      ),
    }));
    const blind = await run('dsp:value=3', builtinPriceTable);
    const informed = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process' }, confident);
    expect(informed.result.lossless).toBe(true);
    expect(informed.result.results.some((task) => task.rounds.some((round) => round.guessConfidences !== undefined))).toBe(true);
    expect(blind.result.results.every((task) => task.rounds.every((round) => round.guessConfidences === undefined))).toBe(true);
    expect(informed.result.metrics.latencyMs).toBeLessThanOrEqual(blind.result.metrics.latencyMs * 1.01);
    expect(informed.result.metrics.wastedCostUsd!).toBeLessThan(blind.result.metrics.wastedCostUsd! * 0.6);
  });

  it("lets rounds run to the cap once A's confidence has proven informative, and not when it tells nothing", async () => {
    const informative = withConfidence(informativeConfidence);
    // Uninformative: the same spread whatever the guess.
    const noise = withConfidence((_right, task, step) => ((task * 7 + step * 3) % 19) / 19);
    /** Of the rounds with a guess in the last 30 tasks, the share that started at the cap (k = 8). */
    const atCap = (outcome: Awaited<ReturnType<typeof run>>) => {
      const ks = outcome.result.results.slice(-30).flatMap((task) => task.rounds.map((round) => round.k).filter((k) => k > 0));
      return ks.filter((k) => k === 8).length / ks.length;
    };
    const blind = await run('dsp:value=3', builtinPriceTable);
    const told = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process' }, informative);
    const noisy = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process' }, noise);
    expect(told.result.lossless && noisy.result.lossless).toBe(true);
    expect(atCap(blind)).toBeLessThan(0.2);
    expect(atCap(noisy)).toBeLessThan(0.2);
    expect(atCap(told)).toBeGreaterThan(0.9);
    // Every round still stops at the first doubtful guess: as fast as without the confidence, and less waste.
    expect(told.result.metrics.latencyMs).toBeLessThanOrEqual(blind.result.metrics.latencyMs);
    expect(told.result.metrics.wastedCostUsd!).toBeLessThan(blind.result.metrics.wastedCostUsd!);
  });

  it("lets rounds run to the cap once the acceptance head, reading A's confidence with the features, has proven informative", async () => {
    // A's confidence tells nothing (the same spread whatever the guess), but every wrong guess names a tool T never
    // calls: the guess tells right from wrong, and the head, which reads both, learns it.
    const tellable = withConfidence((_right, task, step) => ((task * 7 + step * 3) % 19) / 19).map((trace) => ({
      ...trace,
      steps: trace.steps.map((step) =>
        step.approx === undefined || step.approx.action === step.target.action ? step : { ...step, approx: { ...step.approx, action: 'Unheard Of Tool' } },
      ),
    }));
    /** Of the rounds with a guess in the last 30 tasks, the share that started at the cap (k = 8). */
    const atCap = (outcome: Awaited<ReturnType<typeof run>>) => {
      const ks = outcome.result.results.slice(-30).flatMap((task) => task.rounds.map((round) => round.k).filter((k) => k > 0));
      return ks.filter((k) => k === 8).length / ks.length;
    };
    // The same tell without a confidence of A's: the head's reading is not counted, k stays the survival head's.
    const unsure = tellable.map((trace) => ({ ...trace, steps: trace.steps.map((step) => (step.approx === undefined ? step : { ...step, approx: { ...step.approx, confidence: undefined } })) }));
    const told = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process' }, tellable);
    const without = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process' }, unsure);
    const fixed = await replaySuite({ traces: tellable, policy: { kind: 'fixed', name: 'fixed:8', k: 8 }, priceTable: builtinPriceTable });
    expect(told.result.lossless).toBe(true);
    expect(atCap(without)).toBeLessThan(0.2);
    expect(atCap(told)).toBeGreaterThan(0.9);
    // Started at the cap, rounds still stop at the first doubtful guess. On the last 30 tasks: faster than without the
    // confidence (the same calls), with much less waste than fixed:8.
    const lastTasks = (results: readonly TaskResult[]) => suiteMetrics(results.slice(-30));
    expect(lastTasks(told.result.results).latencyMs).toBeLessThan(lastTasks(without.result.results).latencyMs);
    expect(lastTasks(told.result.results).wastedCostUsd!).toBeLessThan(lastTasks(fixed.results).wastedCostUsd! * 0.5);
  });

  it("remembers across runs, through the saved state, that A's confidence proved informative", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsp-confidence-'));
    try {
      const informative = withConfidence(informativeConfidence);
      const path = join(folder, 'state.json');
      await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process', statePath: path }, informative.slice(0, 30));
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { confidence?: { right: number[]; wrong: number[] } };
      expect(saved.confidence!.right.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(20);
      // The same learned state without the record: the record must be rebuilt from scratch before rounds trust A.
      const strippedPath = join(folder, 'stripped.json');
      writeFileSync(strippedPath, JSON.stringify({ ...saved, confidence: undefined }));
      /**
       * Of the rounds with a guess in tasks 2–4 after the saved ones, the share that started at the cap (k = 8). The
       * first task is a cold start either way: the calls' costs are not saved, since prices may differ between runs.
       */
      const earlyAtCap = (outcome: Awaited<ReturnType<typeof run>>) => {
        const ks = outcome.result.results.slice(1, 4).flatMap((task) => task.rounds.map((round) => round.k).filter((k) => k > 0));
        return ks.filter((k) => k === 8).length / ks.length;
      };
      const later = informative.slice(30, 40);
      const resumed = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process', statePath: path }, later);
      const forgetful = await run('dsp:value=3', builtinPriceTable, { trainer: 'in-process', statePath: strippedPath }, later);
      expect(resumed.result.lossless).toBe(true);
      expect(earlyAtCap(resumed)).toBeGreaterThan(0.8);
      expect(earlyAtCap(forgetful)).toBeLessThan(0.5);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('forecasts P(guesses 1 … j accepted), falling with j, once trained', async () => {
    let policy: DspPolicy | undefined;
    let forecast: number[] | undefined;
    const spy = (built: DspPolicy): KPolicy => ({
      name: built.name,
      taskStarted: (task) => built.taskStarted(task),
      chooseK: (state: RoundState) => {
        forecast = built.forecastSurvival(state, 4);
        return built.chooseK(state);
      },
      continueAfterGuess: (state, guesses) => built.continueAfterGuess(state, guesses),
      observeRound: (round, state) => built.observeRound(round, state),
      taskEnded: (result) => built.taskEnded(result),
      close: () => built.close(),
    });
    await replaySuite({
      traces: traces.slice(0, 20),
      policy: { kind: 'dsp', name: 'dsp:value=10', options: { value: 10 } },
      buildPolicy: (policySpec) => spy((policy = createDspPolicy(policySpec as { name: string; options: Record<string, number> }, { trainer: 'in-process' }))),
    });
    expect(policy).toBeDefined();
    expect(forecast).toHaveLength(4);
    for (let j = 1; j < 4; j += 1) expect(forecast![j]!).toBeLessThan(forecast![j - 1]!);
    expect(forecast!.every((p) => p > 0 && p < 1)).toBe(true);
  });
});
