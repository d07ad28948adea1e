/**
 * The trace of a live run's task (spec §6): for each committed step, T's action, latency and tokens on the true
 * prefix, and A's guess on the same prefix, all read from the task's ledger (records with `prefix === 'true'`).
 * `TraceRecorder` (in `format.ts`) appends such traces to a file, one line per finished task.
 *
 * The trace format requires token counts; a count the provider did not report and that could not be estimated is
 * written as 0 with `tokensUnknown: true` on that call, and an estimated count carries `estimated: true`. A call
 * whose requests failed and were retried carries `failedAttempts` (those attempts are in the ledger, not here).
 */
import type { CallRecord, TaskInput, TaskResult } from '../core/types.js';
import type { Trace, TraceCall, TraceStep } from './schema.js';

/** What a trace says besides its steps. */
export interface TraceMetadata {
  /** The trace's id, e.g. `openagi/task-11/run-20250101T120000Z`. */
  id: string;
  /** The suite the trace belongs to, e.g. `openagi`. */
  suite: string;
  /** The models behind A and T, as named in the trace. */
  models: { approx: string; target: string };
  /** More top-level fields to keep (strategies, policy, …). */
  extra?: Record<string, unknown>;
}

/** The trace of a finished task, from its ledger. */
export function traceFromTaskResult(task: TaskInput, result: TaskResult, metadata: TraceMetadata): Trace {
  const failedAttempts = new Map<number, number>();
  for (const record of result.records) {
    if (record.attemptOf !== undefined) failedAttempts.set(record.attemptOf, (failedAttempts.get(record.attemptOf) ?? 0) + 1);
  }
  const traceCall = (record: CallRecord): TraceCall => {
    const call = traceCallOf(record);
    const attempts = failedAttempts.get(record.id);
    if (attempts !== undefined) call.failedAttempts = attempts;
    return call;
  };
  const steps: TraceStep[] = result.plan.map((_action, index) => {
    const step = index + 1;
    const target = result.records.find(
      (record) => record.role === 'target' && record.prefix === 'true' && record.step === step && record.status === 'committed',
    );
    if (target === undefined) {
      throw new Error(`task ${task.id}: the ledger has no committed target call for step ${step}`);
    }
    const approx = result.records.find(
      (record) => record.role === 'approx' && record.prefix === 'true' && record.step === step && record.action !== undefined,
    );
    return approx === undefined ? { target: traceCall(target) } : { target: traceCall(target), approx: traceCall(approx) };
  });
  const trace: Trace = {
    format: 'dsp-trace/1',
    id: metadata.id,
    suite: metadata.suite,
    task: task.text,
    timing: 'measured',
    models: metadata.models,
    terminal: result.endReason === 'terminal',
    steps,
  };
  // Extra fields never replace the fixed ones (the writer puts them after the fixed ones).
  for (const [key, value] of Object.entries(metadata.extra ?? {})) {
    if (!(key in trace)) trace[key] = value;
  }
  return trace;
}

function traceCallOf(record: CallRecord): TraceCall {
  const call: TraceCall = {
    action: record.action ?? null,
    latencyMs: Math.max(0, Math.round((record.endMs - record.startMs) * 10) / 10),
    inputTokens: record.usage.inputTokens ?? 0,
    outputTokens: record.usage.outputTokens ?? 0,
  };
  if (record.usage.reasoningTokens !== undefined) call.reasoningTokens = record.usage.reasoningTokens;
  if (record.usage.cachedInputTokens !== undefined) call.cachedInputTokens = record.usage.cachedInputTokens;
  if (record.usage.estimated === true) call.estimated = true;
  if (record.usage.inputTokens === undefined || record.usage.outputTokens === undefined) call.tokensUnknown = true;
  return call;
}
