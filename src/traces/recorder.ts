/**
 * Recording live runs as `dsp-trace/1` lines (spec §6): for each committed step, T's action, latency and tokens on
 * the true prefix, and A's guess on the same prefix, all read from the task's ledger (records with
 * `prefix === 'true'`). Lines are appended and flushed one task at a time, so an interrupted run leaves a valid,
 * truncated recording.
 *
 * The trace format requires token counts; a count the provider did not report and that could not be estimated is
 * written as 0 with `tokensUnknown: true` on that call, and an estimated count carries `estimated: true`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CallRecord, TaskInput, TaskResult } from '../core/types.js';
import type { Trace, TraceCall, TraceStep } from './schema.js';

/** What a trace says besides its steps. */
export interface TraceMetadata {
  /** The trace's id, e.g. `openagi/task-11/run-20250101T120000Z`. */
  id: string;
  suite: string;
  models: { approx: string; target: string };
  /** More top-level fields to keep (strategies, policy, …). */
  extra?: Record<string, unknown>;
}

/** The trace of a finished task, from its ledger. */
export function traceFromTaskResult(task: TaskInput, result: TaskResult, metadata: TraceMetadata): Trace {
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
    steps,
    terminal: result.endReason === 'terminal',
  };
  // Extra fields follow the fixed ones and never replace them.
  for (const [key, value] of Object.entries(metadata.extra ?? {})) {
    if (!(key in trace)) trace[key] = value;
  }
  return trace;
}

function traceCall(record: CallRecord): TraceCall {
  const call: TraceCall = {
    action: record.action ?? null,
    latencyMs: Math.max(0, Math.round((record.endMs - record.startMs) * 10) / 10),
    inputTokens: record.usage.inputTokens ?? 0,
    outputTokens: record.usage.outputTokens ?? 0,
  };
  if (record.usage.reasoningTokens !== undefined) call.reasoningTokens = record.usage.reasoningTokens;
  if (record.usage.estimated === true) call.estimated = true;
  if (record.usage.inputTokens === undefined || record.usage.outputTokens === undefined) call.tokensUnknown = true;
  return call;
}

/** Appends traces to a JSON Lines file, one synchronous write per trace (so each line is on disk when it returns). */
export class TraceRecorder {
  /** Traces written so far. */
  written = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  append(trace: Trace): void {
    appendFileSync(this.path, `${JSON.stringify(trace)}\n`, 'utf8');
    this.written += 1;
  }
}
