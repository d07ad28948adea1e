/**
 * The lookup every replay answer shares (pure): traces indexed by their task text, and the recorded call that
 * answers a request of a role after a plan prefix — from the trace of the task whose recorded plan shares the
 * longest start with the prefix (the first such trace on a tie), at the step after the prefix; past the trace's
 * last step, the last step's record. Each answer module says how a request's prefix compares with a trace's steps.
 */
import { DspError } from '../core/errors.js';
import type { Action, Role } from '../core/types.js';
import type { Trace, TraceCall } from '../traces/schema.js';

/** A request the replay cannot answer (no trace for the task, no record for the role). */
export class ReplayLookupError extends DspError {
  override readonly name = 'ReplayLookupError' as const;
}

/** True for a `ReplayLookupError`, even from another copy of the package. */
export function isReplayLookupError(error: unknown): error is ReplayLookupError {
  return DspError.isInstance(error) && error.name === 'ReplayLookupError';
}

/** A task text with runs of white space made single, for lookups. */
export function normalizeTaskText(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** The recorded call that answers a request, and where it comes from. */
export interface RecordedAnswer {
  trace: Trace;
  /** The 1-based step of the record used. */
  step: number;
  call: TraceCall;
  /** True when the prefix is the trace's recorded plan so far (a call a sequential run would make). */
  onTrace: boolean;
}

/** Traces indexed by their task text. */
export class TracesByTask {
  private readonly byTask = new Map<string, Trace[]>();

  constructor(traces: readonly Trace[], include: (trace: Trace) => boolean = () => true) {
    for (const trace of traces) {
      if (!include(trace)) continue;
      const key = normalizeTaskText(trace.task);
      const list = this.byTask.get(key) ?? [];
      list.push(trace);
      this.byTask.set(key, list);
    }
  }

  /** How many tasks the traces hold. */
  get size(): number {
    return this.byTask.size;
  }

  /** The traces of a task, or undefined when there is none. */
  of(task: string): readonly Trace[] | undefined {
    return this.byTask.get(normalizeTaskText(task));
  }
}

/**
 * The record of `role` after a prefix of `prefixLength` steps, among `candidates` (the traces of one task);
 * `sharedStart` says how many first steps of a trace's plan equal the prefix's. Throws `ReplayLookupError` when the
 * chosen trace has no record of the role at that step.
 */
export function recordAfterPrefix(
  candidates: readonly Trace[],
  prefixLength: number,
  sharedStart: (trace: Trace) => number,
  role: Role,
): RecordedAnswer {
  let best = candidates[0]!;
  let bestShared = -1;
  for (const trace of candidates) {
    const shared = sharedStart(trace);
    if (shared > bestShared) {
      best = trace;
      bestShared = shared;
    }
  }
  const index = Math.min(prefixLength, best.steps.length - 1);
  const record = best.steps[index]!;
  const call: TraceCall | undefined = role === 'target' ? record.target : record.approx;
  if (call === undefined) throw new ReplayLookupError(`trace ${best.id} has no ${role} record at step ${index + 1}`);
  return { trace: best, step: index + 1, call, onTrace: bestShared === prefixLength && prefixLength < best.steps.length };
}

/** How many first steps of the trace's plan are the prefix's, step by step as `same` compares them. */
export function sharedStartOf<T>(trace: Trace, prefix: readonly T[], same: (recorded: Action, step: T) => boolean): number {
  let shared = 0;
  while (shared < prefix.length && shared < trace.steps.length && same(trace.steps[shared]!.target.action, prefix[shared]!)) {
    shared += 1;
  }
  return shared;
}
