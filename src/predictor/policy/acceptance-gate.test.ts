import { describe, expect, it } from 'vitest';
import { AcceptanceGate, type GuessContext } from './acceptance-gate.js';

const context = (guess: string, history: string[] = ['Image Deblurring']): GuessContext => ({
  taskText: 'Given blurry grayscale image, how to return the regular image step by step?',
  history,
  guess,
  step: history.length + 1,
});

describe('acceptance gate', () => {
  it('learns which guesses T rejects and stops speculating past them once warmed up', () => {
    const gate = new AcceptanceGate({ threshold: 0.5, warmUp: 10 });
    // Before warm-up it never stops.
    expect(gate.shouldContinue([context('TERMINATE')])).toBe(true);
    for (let round = 0; round < 40; round += 1) {
      gate.learn(context('Colorization'), true);
      gate.learn(context('TERMINATE'), false);
    }
    expect(gate.probability(context('Colorization'))).toBeGreaterThan(0.8);
    expect(gate.probability(context('TERMINATE'))).toBeLessThan(0.2);
    expect(gate.shouldContinue([context('Colorization')])).toBe(true);
    expect(gate.shouldContinue([context('TERMINATE')])).toBe(false);
    // The next T call needs every unverified guess right: a likely guess after an unlikely one is still a stop.
    expect(gate.shouldContinue([context('TERMINATE'), context('Colorization', ['Image Deblurring', 'TERMINATE'])])).toBe(false);
  });

  it("reads A's confidence as a number: confidences it never saw are ranked by how sure A was", () => {
    const gate = new AcceptanceGate({ threshold: 0.5, warmUp: 10 });
    const sure = (confidence: number): GuessContext => ({ ...context('Colorization'), confidence });
    // The same guess in the same place, right when A was sure (0.8, 0.9) and wrong when not (0.1, 0.2).
    for (let round = 0; round < 40; round += 1) {
      gate.learn(sure(0.9), true);
      gate.learn(sure(0.1), false);
      gate.learn(sure(0.8), true);
      gate.learn(sure(0.2), false);
    }
    expect(gate.probability(sure(0.9))).toBeGreaterThan(0.8);
    expect(gate.probability(sure(0.1))).toBeLessThan(0.2);
    // 0.97 and 0.03 were never seen (other bins): the log-odds carry over, in order.
    expect(gate.probability(sure(0.97))).toBeGreaterThan(gate.probability(sure(0.9)));
    expect(gate.probability(sure(0.03))).toBeLessThan(gate.probability(sure(0.1)));
    expect(gate.probability(sure(0.7))).toBeGreaterThan(0.5);
    expect(gate.probability(sure(0.3))).toBeLessThan(0.5);
  });

  it('is off at threshold 0 and round-trips its state', () => {
    const off = new AcceptanceGate({ threshold: 0, warmUp: 0 });
    for (let index = 0; index < 50; index += 1) off.learn(context('X'), false);
    expect(off.shouldContinue([context('X')])).toBe(true);
    const copy = new AcceptanceGate({ threshold: 0.5, warmUp: 0 }, off.exportState());
    expect(copy.probability(context('X'))).toBe(off.probability(context('X')));
    expect(copy.shouldContinue([context('X')])).toBe(false);
  });
});
