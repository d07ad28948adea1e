/**
 * Adam with lazy (sparse) updates: only the slots a minibatch touched move, with bias correction by the global
 * step count. The moment estimates are the optimiser state saved with the weights.
 */
import type { SparseGradient } from './model.js';

/** The optimiser's saved state. */
export interface AdamState {
  /** First-moment estimates, one per weight. */
  firstMoment: Float64Array;
  /** Second-moment estimates, one per weight. */
  secondMoment: Float64Array;
  /** Updates applied so far. */
  step: number;
}

/** Hyperparameters of Adam. */
export interface AdamSettings {
  /** Step size. */
  learningRate: number;
  /** Decay of the first moment. Default 0.9. */
  beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  beta2?: number;
  /** Added to the denominator. Default 1e-8. */
  epsilon?: number;
}

/** A fresh optimiser state for `dimension` weights. */
export function createAdamState(dimension: number): AdamState {
  return { firstMoment: new Float64Array(dimension), secondMoment: new Float64Array(dimension), step: 0 };
}

/** Applies one Adam step to `weights` from `gradient` (its touched slots only). Does not clear the gradient. */
export function adamStep(weights: Float64Array, state: AdamState, gradient: SparseGradient, settings: AdamSettings): void {
  const beta1 = settings.beta1 ?? 0.9;
  const beta2 = settings.beta2 ?? 0.999;
  const epsilon = settings.epsilon ?? 1e-8;
  state.step += 1;
  const correction1 = 1 - beta1 ** state.step;
  const correction2 = 1 - beta2 ** state.step;
  const { firstMoment, secondMoment } = state;
  for (const slot of gradient.touched) {
    const value = gradient.values[slot]!;
    const first = beta1 * firstMoment[slot]! + (1 - beta1) * value;
    const second = beta2 * secondMoment[slot]! + (1 - beta2) * value * value;
    firstMoment[slot] = first;
    secondMoment[slot] = second;
    weights[slot] = weights[slot]! - (settings.learningRate * (first / correction1)) / (Math.sqrt(second / correction2) + epsilon);
  }
}
