import { describe, expect, it } from 'vitest';
import { generateSyntheticTraces } from './synthetic.js';

describe('synthetic generator', () => {
  it('is a pure function of its seed and parameters', () => {
    expect(generateSyntheticTraces({ seed: 9, tasks: 4 })).toEqual(generateSyntheticTraces({ seed: 9, tasks: 4 }));
    expect(generateSyntheticTraces({ seed: 9, tasks: 4 })).not.toEqual(generateSyntheticTraces({ seed: 10, tasks: 4 }));
  });

  it('honours accuracy, lengths and latency parameters', () => {
    const perfect = generateSyntheticTraces({ tasks: 20, approxAccuracy: 1, accuracySpread: 0, minSteps: 4, maxSteps: 4 });
    for (const trace of perfect) {
      expect(trace.steps).toHaveLength(4);
      expect(trace.steps.every((step) => step.approx?.action === step.target.action)).toBe(true);
      expect(trace.steps.at(-1)?.target.action).toBe('TERMINATE');
    }
    const hopeless = generateSyntheticTraces({ tasks: 20, approxAccuracy: 0, accuracySpread: 0, targetLatencyMs: 100 });
    expect(hopeless.flatMap((trace) => trace.steps).every((step) => step.approx?.action !== step.target.action)).toBe(true);
    const latencies = hopeless.flatMap((trace) => trace.steps.map((step) => step.target.latencyMs)).sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeGreaterThan(60);
    expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(160);
  });
});
