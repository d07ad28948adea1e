/**
 * The task's state as a chain of copy-on-write layers. Every execution that may write gets a fresh layer over the
 * state of its prefix (a fork); the layer is sealed when the execution ends. Committing a step makes its layer the
 * task's state; discarding a branch just drops its layers, so nothing it wrote is ever visible to anyone else.
 *
 * Each layer has a version: a fork starts with its parent's version (same contents) and every write gives it a new
 * one, so equal versions mean equal contents, which is what the memo of pure results is keyed by.
 */
import { DspError } from '../core/errors.js';
import type { StateStore } from '../core/environment.js';

/** A write to a state the writer may not change: a read-only view (a `pure` tool) or the layer of an ended execution. */
export class StateWriteError extends DspError {
  override readonly name = 'StateWriteError' as const;
}

/** A key deleted in a layer while a parent still holds it. */
const deleted = Symbol('deleted');
/** A key no layer holds. */
const absent = Symbol('absent');
/** Copies a value in or out of the store, so that no caller shares an object with it. */
function copy<T>(value: T): T {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}

/** One layer of state: its own writes over a sealed parent. */
export class StateLayer implements StateStore {
  private readonly writes = new Map<string, unknown>();
  private sealedReason: string | undefined;
  private ownVersion: string | undefined;

  private constructor(
    private readonly parent: StateLayer | undefined,
    private readonly nextVersion: () => string,
    private readonly baseVersion: string,
  ) {}

  /** A sealed root layer holding `entries`. `nextVersion` hands out fresh version names (one counter per task). */
  static root(entries: Iterable<readonly [string, unknown]>, nextVersion: () => string): StateLayer {
    const root = new StateLayer(undefined, nextVersion, nextVersion());
    for (const [key, value] of entries) root.writes.set(key, copy(value));
    root.seal('the initial state is only changed through tool executions');
    return root;
  }

  /** Names the contents: equal versions, equal contents. */
  get version(): string {
    return this.ownVersion ?? this.baseVersion;
  }

  /** A new writable layer over this one (which must be sealed, so the fork's view cannot change under it). */
  fork(): StateLayer {
    return new StateLayer(this, this.nextVersion, this.version);
  }

  /** No more writes; `reason` says why in the error a later write gets. */
  seal(reason: string): void {
    this.sealedReason ??= reason;
  }

  /** A view that reads this layer and refuses every write with `reason`. */
  readOnly(reason: string): StateStore {
    return readOnlyView(this, reason);
  }

  get(key: string): unknown {
    const slot = this.lookup(key);
    return slot === deleted || slot === absent ? undefined : copy(slot);
  }

  has(key: string): boolean {
    const slot = this.lookup(key);
    return slot !== deleted && slot !== absent;
  }

  set(key: string, value: unknown): this {
    this.assertWritable();
    this.writes.set(key, copy(value));
    this.ownVersion = this.nextVersion();
    return this;
  }

  delete(key: string): boolean {
    this.assertWritable();
    const existed = this.has(key);
    if (this.parent?.has(key) === true) this.writes.set(key, deleted);
    else this.writes.delete(key);
    if (existed) this.ownVersion = this.nextVersion();
    return existed;
  }

  get size(): number {
    return this.flatten().size;
  }

  *entries(): IterableIterator<[string, unknown]> {
    for (const [key, value] of this.flatten()) yield [key, copy(value)];
  }

  *keys(): IterableIterator<string> {
    yield* this.flatten().keys();
  }

  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }

  /** The contents as a plain map (values not copied: internal use). */
  private flatten(): Map<string, unknown> {
    const layers: StateLayer[] = [this];
    for (let layer = this.parent; layer !== undefined; layer = layer.parent) layers.push(layer);
    const contents = new Map<string, unknown>();
    for (let index = layers.length - 1; index >= 0; index -= 1) {
      for (const [key, slot] of layers[index]!.writes) {
        if (slot === deleted) contents.delete(key);
        else contents.set(key, slot);
      }
    }
    return contents;
  }

  private lookup(key: string): unknown {
    if (this.writes.has(key)) return this.writes.get(key);
    for (let layer = this.parent; layer !== undefined; layer = layer.parent) {
      if (layer.writes.has(key)) return layer.writes.get(key);
    }
    return absent;
  }

  private assertWritable(): void {
    if (this.sealedReason !== undefined) throw new StateWriteError(`the task state cannot be written: ${this.sealedReason}`);
  }
}

/** A view of `store` that reads it and refuses every write with `reason`. */
export function readOnlyView(store: StateStore, reason: string): StateStore {
  return new ReadOnlyState(store, reason);
}

class ReadOnlyState implements StateStore {
  constructor(
    private readonly layer: StateStore,
    private readonly reason: string,
  ) {}

  get(key: string): unknown {
    return this.layer.get(key);
  }

  has(key: string): boolean {
    return this.layer.has(key);
  }

  set(): this {
    throw new StateWriteError(`the task state cannot be written: ${this.reason}`);
  }

  delete(): boolean {
    throw new StateWriteError(`the task state cannot be written: ${this.reason}`);
  }

  get size(): number {
    return this.layer.size;
  }

  entries(): IterableIterator<[string, unknown]> {
    return this.layer.entries();
  }

  keys(): IterableIterator<string> {
    return this.layer.keys();
  }

  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.layer.entries();
  }
}
