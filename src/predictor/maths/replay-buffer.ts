/**
 * The replay buffer: whole segments, oldest evicted first once the buffer holds more than `capacity` steps
 * (default 2,500). A segment is never split, so every stored state keeps the states its λ-return needs.
 */
import type { Segment } from './segment.js';

/** Whole segments up to a capacity counted in steps. */
export class ReplayBuffer {
  private readonly stored: Segment[] = [];
  private storedSteps = 0;

  /** @param capacity the most steps held; the newest segment is always kept, even if it alone is larger. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  /** Steps held. */
  get steps(): number {
    return this.storedSteps;
  }

  /** Segments held, oldest first. */
  get segments(): readonly Segment[] {
    return this.stored;
  }

  /** Adds a segment (empty ones are ignored), evicting the oldest while over capacity. */
  add(segment: Segment): void {
    if (segment.steps.length === 0) return;
    this.stored.push(segment);
    this.storedSteps += segment.steps.length;
    while (this.storedSteps > this.capacity && this.stored.length > 1) {
      this.storedSteps -= this.stored.shift()!.steps.length;
    }
  }
}
