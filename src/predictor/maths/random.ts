/**
 * A seeded generator whose state can be saved and restored, so a trainer loaded from disk draws the same numbers
 * it would have drawn had it never stopped. SplitMix32-style, like `util/rng.ts`.
 */
export class SeededRandom {
  /** The 32-bit state; save it to resume the sequence. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  }

  /** A uniform whole number in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Shuffles `items` in place (Fisher–Yates). */
  shuffle<T>(items: T[]): T[] {
    for (let index = items.length - 1; index > 0; index -= 1) {
      const other = this.below(index + 1);
      const swap = items[index]!;
      items[index] = items[other]!;
      items[other] = swap;
    }
    return items;
  }
}
