import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../core/types.js';
import { CallEconomics, economicK, stepGainUsd, type StepEconomics } from './economics.js';

function call(role: CallRecord['role'], status: CallRecord['status'], startMs: number, endMs: number, costUsd: number | undefined): CallRecord {
  return { id: 0, taskId: 't', role, step: 1, round: 0, prefix: 'true', startMs, endMs, status, usage: {}, costUsd };
}

describe('call economics from the ledger', () => {
  it('knows nothing before a finished T call and an A call', () => {
    const economics = new CallEconomics();
    expect(economics.estimate()).toBeUndefined();
    economics.observe({ records: [call('approx', 'accepted', 0, 1000, 0.001)] });
    expect(economics.estimate()).toBeUndefined();
  });

  it('averages A calls, wasted T calls and the seconds a speculative step saves', () => {
    const economics = new CallEconomics();
    economics.observe({
      records: [
        call('target', 'committed', 0, 10_000, 0.02),
        call('approx', 'accepted', 0, 1000, 0.001),
        call('approx', 'discarded', 1000, 3000, 0.003),
        call('target', 'committed', 1000, 9000, 0.02),
        // Cancelled A calls cost but have no latency of their own.
        call('approx', 'cancelled', 3000, 3500, 0.002),
        // An unpriced call counts for latency only.
        call('approx', 'accepted', 0, 1500, undefined),
      ],
    });
    // Fewer than three wasted T calls: a wasted one is taken to cost a finished one's 0.02.
    const early = economics.estimate()!;
    expect(early.approxCallUsd).toBeCloseTo(0.002, 12);
    expect(early.wastedTargetCallUsd).toBeCloseTo(0.02, 12);
    // T: (10 + 8) / 2 = 9 s; A: (1 + 2 + 1.5) / 3 = 1.5 s.
    expect(early.secondsSavedPerStep).toBeCloseTo(7.5, 12);
    economics.observe({
      records: [
        call('target', 'cancelled', 0, 4000, 0.006),
        call('target', 'cancelled', 0, 5000, 0.008),
        call('target', 'discarded', 0, 6000, 0.01),
      ],
    });
    expect(economics.estimate()!.wastedTargetCallUsd).toBeCloseTo(0.008, 12);
  });
});

describe('the economic rule', () => {
  // One step saves 7.2 s; a wasted step costs 0.009 + 0.001 = 0.01 $.
  const economics: StepEconomics = { approxCallUsd: 0.001, wastedTargetCallUsd: 0.009, secondsSavedPerStep: 7.2 };

  it('weighs the latency saved at the user’s value against the calls wasted', () => {
    // At 10 $/h, 7.2 s are worth 0.02 $: P · 0.02 − (1 − P) · 0.01.
    expect(stepGainUsd(0.5, economics, 10)).toBeCloseTo(0.005, 12);
    expect(stepGainUsd(1 / 3, economics, 10)).toBeCloseTo(0, 12);
    expect(stepGainUsd(0.2, economics, 10)).toBeCloseTo(-0.004, 12);
  });

  it('speculates while a further step pays, and less when calls cost more', () => {
    const survival = [0.9, 0.6, 0.4, 0.2, 0.1];
    // At 10 $/h a step pays while P > 1/3: the steps resting on guesses 1–3, so k = 4.
    expect(economicK(survival, economics, 10, 1)).toBe(4);
    // Target prices × 5: a wasted step costs 0.045 + 0.001; it pays while P > 0.046 / 0.066 ≈ 0.70: k = 2.
    expect(economicK(survival, { ...economics, wastedTargetCallUsd: 0.045 }, 10, 1)).toBe(2);
    // A higher value of time buys more steps; every step pays at 1000 $/h.
    expect(economicK(survival, economics, 1000, 1)).toBe(6);
    // At 1 $/h a step pays only while P > 0.01 / 0.012 ≈ 0.83.
    expect(economicK(survival, economics, 1, 1)).toBe(2);
    expect(economicK([0.8, 0.6], economics, 1, 1)).toBe(1);
    expect(economicK([0.8, 0.6], economics, 1, 0)).toBe(0);
  });

  it('sees calls served N times faster save N times fewer seconds, and makes the same choices with the value × N', () => {
    // A live run against `dsp serve --speed 25`: the same calls at the same prices, each taking 1/25 of its time.
    const observed = (speed: number): StepEconomics => {
      const economics = new CallEconomics();
      economics.observe({ records: [call('approx', 'accepted', 0, 1800 / speed, 0.001), call('target', 'accepted', 0, 9000 / speed, 0.009)] });
      return economics.estimate()!;
    };
    expect(observed(1).secondsSavedPerStep).toBeCloseTo(7.2, 12);
    expect(observed(25).secondsSavedPerStep).toBeCloseTo(0.288, 12);
    const survival = [0.9, 0.6, 0.4, 0.2, 0.1];
    expect(economicK(survival, observed(1), 10, 1)).toBe(4);
    expect(economicK(survival, observed(25), 10, 1)).toBe(1);
    expect(economicK(survival, observed(25), 10 * 25, 1)).toBe(4);
  });

  it('with kmin = 0 makes the first guess pay for its own A call', () => {
    // Step 2 alone gains 0.1 · 0.02 − 0.9 · 0.01 < 0: not worth A's first call.
    expect(economicK([0.1], economics, 10, 0)).toBe(0);
    // 0.5 · 0.02 − 0.5 · 0.01 = 0.005 > 0.001 (A's call): worth it.
    expect(economicK([0.5], economics, 10, 0)).toBe(2);
    // Gains 0.0005 then −0.007: the first step alone pays less than A's call, so k = 0 (k = 1 would never pay).
    expect(economicK([0.35, 0.1], economics, 10, 0)).toBe(0);
  });
});
