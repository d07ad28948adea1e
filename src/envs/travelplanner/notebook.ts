/**
 * The task's notebook, kept in the task's state: what `NotebookWrite` stores and what the `Planner` reads. The
 * state is any `Map`-like store (a `Map`, or the engine's copy-on-write fork of one), so a write on a speculative
 * branch lands in that branch's store only.
 *
 * Entries are numbered from 0 in the order they were written, as in the benchmark, whose notebook is a list: the
 * key of entry `i` is `notebook/i`, its value `{ description, content }`. Writing the same description twice adds a
 * second entry, as the benchmark does.
 */
import { pythonText } from './table-text.js';

/** The store the environment reads and writes: a `Map<string, unknown>` has this shape. */
export interface TravelPlannerState {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  entries(): Iterable<[string, unknown]>;
}

/** One notebook entry. */
export interface NotebookEntry {
  /** The `Short Description` the agent gave. */
  readonly description: string;
  /** The data stored: the latest search's table or message as text, or `null` when nothing had been searched. */
  readonly content: string | null;
}

const keyPrefix = 'notebook/';

/** The state key of entry `index`. */
export function notebookKey(index: number): string {
  return `${keyPrefix}${index}`;
}

/** The notebook's entries in index order (other keys of the state are ignored). */
export function notebookEntries(state: TravelPlannerState): NotebookEntry[] {
  const entries: [number, NotebookEntry][] = [];
  for (const [key, value] of state.entries()) {
    if (!key.startsWith(keyPrefix)) continue;
    const index = Number(key.slice(keyPrefix.length));
    if (Number.isInteger(index) && isNotebookEntry(value)) entries.push([index, value]);
  }
  return entries.sort(([left], [right]) => left - right).map(([, entry]) => entry);
}

/** Appends an entry and returns its index. */
export function writeNotebookEntry(state: TravelPlannerState, entry: NotebookEntry): number {
  const index = notebookEntries(state).length;
  state.set(notebookKey(index), { description: entry.description, content: entry.content });
  return index;
}

/**
 * The notebook as the benchmark hands it to its planner: Python's `str` of the list of
 * `{'index': i, 'Short Description': …, 'Content': …}` dicts.
 */
export function notebookText(entries: readonly NotebookEntry[]): string {
  return pythonText(entries.map((entry, index) => ({ index, 'Short Description': entry.description, Content: entry.content })));
}

function isNotebookEntry(value: unknown): value is NotebookEntry {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.description === 'string' && (typeof candidate.content === 'string' || candidate.content === null);
}
