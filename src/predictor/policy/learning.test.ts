import { describe, expect, it } from 'vitest';
import { replaySuite } from '../../suite/replay-suite.js';
import type { Trace } from '../../traces/schema.js';
import { createDspPolicy, type DspRuntimeOptions } from '../create-dsp-policy.js';

const tools = ['Image Deblurring', 'Image Denoising', 'Colorization', 'Image Captioning', 'Machine Translation', 'Object Detection'];

/** A suite where A is right for the first `rightSteps` steps of every task and wrong afterwards. */
function suite(rightSteps: number, tasks: number): Trace[] {
  return Array.from({ length: tasks }, (_, taskIndex) => {
    const length = rightSteps + 3 + (taskIndex % 3);
    const steps = Array.from({ length }, (_, stepIndex) => {
      const action = stepIndex === length - 1 ? 'TERMINATE' : tools[(taskIndex + stepIndex) % tools.length]!;
      const guess = stepIndex < rightSteps ? action : 'Text Summarization';
      return {
        target: { action, latencyMs: 5000 + 37 * ((taskIndex * 7 + stepIndex) % 11), inputTokens: 900, outputTokens: 100 },
        approx: { action: guess, latencyMs: 800 + 13 * ((taskIndex + stepIndex) % 5), inputTokens: 400, outputTokens: 10 },
      };
    });
    return {
      format: 'dsp-trace/1',
      id: `learn/task-${taskIndex}`,
      suite: 'learn',
      task: `Given a ${['noisy', 'blurry', 'dark'][taskIndex % 3]} picture, return the caption step by step`,
      timing: 'synthetic',
      models: { approx: 'gpt-4.1-mini', target: 'gpt-4.1' },
      steps,
    } satisfies Trace;
  });
}

async function firstRoundKs(traces: Trace[], runtime: DspRuntimeOptions, spec = 'dsp'): Promise<number[]> {
  const run = await replaySuite({
    traces,
    policy: { kind: 'dsp', name: spec, options: {} },
    buildPolicy: (policySpec) => createDspPolicy(policySpec as { name: string; options: Record<string, number> }, runtime),
  });
  return run.results.map((result) => result.rounds[0]!.k);
}

describe('DSP learning', () => {
  it.each([3, 5])('learns k = m + 1 at the start of a task when A is right for the first m = %i steps', async (rightSteps) => {
    const ks = await firstRoundKs(suite(rightSteps, 40), { trainer: 'in-process' });
    // Cold start first: k = 2 until the first training.
    expect(ks[0]).toBe(2);
    const late = ks.slice(-10);
    expect(late.every((k) => k === rightSteps + 1)).toBe(true);
  });

  it('gives the same ks with the worker in deterministic mode as in process, run after run', async () => {
    const traces = suite(3, 12);
    const inProcess = await firstRoundKs(traces, { trainer: 'in-process' });
    const worker = await firstRoundKs(traces, { trainer: 'worker', deterministic: true });
    const again = await firstRoundKs(traces, { trainer: 'worker', deterministic: true });
    expect(worker).toEqual(inProcess);
    expect(again).toEqual(worker);
    // It did learn something (else the comparison would be trivial).
    expect(new Set(inProcess).size).toBeGreaterThan(1);
  });

  it('with kmin = 0 learns to skip A where A is always wrong, at the same latency and a lower cost than k = 1', async () => {
    const traces = suite(0, 30);
    const run = (options: Record<string, number>) =>
      replaySuite({
        traces,
        policy: { kind: 'dsp', name: 'dsp', options },
        buildPolicy: (policySpec) => createDspPolicy(policySpec as { name: string; options: Record<string, number> }, { trainer: 'in-process' }),
      });
    const skipping = await run({ beta: -1, kmin: 0 });
    const paper = await run({ beta: -1 });
    const ks = (results: typeof paper.results) => results.flatMap((result) => result.rounds.map((round) => round.k));
    // Cold start 2 + β = 1 (a guess per step, so there is something to learn), then k = 0 once trained.
    expect(skipping.results[0]!.rounds[0]!.k).toBe(1);
    expect(new Set(ks(skipping.results.slice(-10)))).toEqual(new Set([0]));
    expect(new Set(ks(paper.results.slice(-10)))).toEqual(new Set([1]));
    expect(skipping.lossless && paper.lossless).toBe(true);
    expect(skipping.metrics.latencyMs).toBeGreaterThan(0);
    expect(skipping.metrics.latencyMs).toBe(paper.metrics.latencyMs);
    expect(skipping.metrics.costUsd).toBeLessThan(paper.metrics.costUsd!);
  });

  it('with kmin = 0 and explore > 0 finds out that A got better, where without it the policy stays at k = 0', async () => {
    // 15 tasks where A is always wrong teach k = 0; then 30 where A is right for its first 5 steps.
    const early = suite(0, 15);
    const late = suite(5, 30).map((trace) => ({ ...trace, id: `${trace.id}-later` }));
    const run = (options: Record<string, number>) =>
      replaySuite({
        traces: [...early, ...late],
        policy: { kind: 'dsp', name: 'dsp', options },
        buildPolicy: (policySpec) => createDspPolicy(policySpec as { name: string; options: Record<string, number> }, { trainer: 'in-process' }),
      });
    const firstKs = (results: Awaited<ReturnType<typeof run>>['results']) => results.map((result) => result.rounds[0]!.k);
    const stuck = await run({ beta: -1, kmin: 0 });
    const exploring = await run({ beta: -1, kmin: 0, explore: 0.2 });
    // Both learned to skip A in the early tasks.
    expect(firstKs(stuck.results.slice(10, 15))).toEqual([0, 0, 0, 0, 0]);
    expect(firstKs(exploring.results.slice(10, 15)).filter((k) => k === 0).length).toBeGreaterThan(0);
    // Without exploring, nothing is ever learned again; with it, the last tasks speculate.
    expect(new Set(stuck.results.slice(-10).flatMap((result) => result.rounds.map((round) => round.k)))).toEqual(new Set([0]));
    const lateKs = firstKs(exploring.results.slice(-10));
    expect(lateKs.every((k) => k >= 3)).toBe(true);
    expect(exploring.metrics.latencyMs).toBeLessThan(stuck.metrics.latencyMs);
    expect(exploring.lossless && stuck.lossless).toBe(true);
  });
});
