/**
 * The value model: linear in the sparse features, `V̂(s) = Σ w_i·x_i`. Weights live in one `Float64Array`, so a
 * snapshot is a single copy and a prediction is a handful of multiply-adds (well under a microsecond).
 */
import type { SparseVector } from './features.js';

/** V̂ of a state from its features. */
export function predictValue(weights: Float64Array, features: SparseVector): number {
  const { indices, values } = features;
  let sum = 0;
  for (let index = 0; index < indices.length; index += 1) sum += weights[indices[index]!]! * values[index]!;
  return sum;
}

/**
 * A sparse gradient accumulator: a dense array plus the list of slots touched since the last reset, so applying
 * and clearing it costs only the touched slots.
 */
export class SparseGradient {
  readonly values: Float64Array;
  readonly touched: number[] = [];
  private readonly marked: Uint8Array;

  constructor(dimension: number) {
    this.values = new Float64Array(dimension);
    this.marked = new Uint8Array(dimension);
  }

  /** Adds `scale · x` for the feature vector `x`. */
  add(features: SparseVector, scale: number): void {
    const { indices, values } = features;
    for (let index = 0; index < indices.length; index += 1) {
      const slot = indices[index]!;
      if (this.marked[slot] === 0) {
        this.marked[slot] = 1;
        this.touched.push(slot);
      }
      this.values[slot] = this.values[slot]! + scale * values[index]!;
    }
  }

  /** Zeroes the touched slots. */
  clear(): void {
    for (const slot of this.touched) {
      this.values[slot] = 0;
      this.marked[slot] = 0;
    }
    this.touched.length = 0;
  }
}
