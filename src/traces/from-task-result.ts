/**
 * The trace of a live run's task (spec §6): for each committed step, T's action, latency and tokens on the true
 * prefix, and A's guess on the same prefix, all read from the task's ledger (records with `prefix === 'true'`).
 * `TraceRecorder` (in `format.ts`) appends such traces to a file, one line per finished task.
 *
 * The trace format requires token counts; a count the provider did not report and that could not be estimated is
 * written as 0 with `tokensUnknown: true` on that call, and an estimated count carries `estimated: true`. A count
 * a provider reported that is not a whole number ≥ 0 (negative, fractional, not finite) is treated the same way, as
 * not reported, and told to `onInvalidTokens`: the trace stays readable (the reader refuses such counts) and no
 * wrong figure is kept. (Refusing the trace instead would lose a task already run and paid for.)
 * A call whose requests failed and were retried carries `failedAttempts` (those attempts are in the ledger, not here).
 *
 * A task run with an environment (docs/tools.md) also records each call's tool execution on the step's true prefix
 * (`tool`: effect class, latency, observation), read from the task's tool records, so that replay overlaps tool time
 * as the run did: T's from the execution that became the committed step's observation; A's from the execution of its
 * guess at that step (the observation only when it is T's action too), or the effect class alone for a guess that
 * never ran (an irreversible call T did not confirm, or one cancelled before it returned).
 */
import { canonicalAction } from '../core/actions.js';
import type { EffectClass } from '../core/environment.js';
import type { Action, CallRecord, Step, TaskInput, TaskResult, ToolRecord } from '../core/types.js';
import type { Trace, TraceCall, TraceStep, TraceTool } from './schema.js';

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

/** A token count a provider reported that a trace cannot hold. */
export interface InvalidTokenCount {
  step: number;
  role: 'approx' | 'target';
  field: 'inputTokens' | 'outputTokens' | 'reasoningTokens';
  value: number;
}

/** Options of `traceFromTaskResult`. */
export interface TraceFromTaskResultOptions {
  /** Told about every reported count that is not a whole number ≥ 0 (written as unknown). */
  onInvalidTokens?: (problem: InvalidTokenCount) => void;
  /**
   * The environment's effect class of an action (`Environment.effectOf`), for a guess of A that was never executed.
   * Without it such a guess records no `tool` field (replay then treats it as irreversible).
   */
  effectOf?: (action: Action) => EffectClass | null;
}

/** The trace of a finished task, from its ledger. */
export function traceFromTaskResult(
  task: TaskInput,
  result: TaskResult,
  metadata: TraceMetadata,
  options: TraceFromTaskResultOptions = {},
): Trace {
  const failedAttempts = new Map<number, number>();
  for (const record of result.records) {
    if (record.attemptOf !== undefined) failedAttempts.set(record.attemptOf, (failedAttempts.get(record.attemptOf) ?? 0) + 1);
  }
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
    const call = (record: CallRecord): TraceCall => {
      const traced = traceCall(record, (field, value) => options.onInvalidTokens?.({ step, role: record.role, field, value }));
      const attempts = failedAttempts.get(record.id);
      if (attempts !== undefined) traced.failedAttempts = attempts;
      return traced;
    };
    const traced: TraceStep = approx === undefined ? { target: call(target) } : { target: call(target), approx: call(approx) };
    if (result.toolRecords !== undefined) {
      const targetTool = committedTool(result.toolRecords, result.trajectory?.[index], step);
      if (targetTool !== undefined) traced.target.tool = targetTool;
      if (approx !== undefined && traced.approx !== undefined) {
        const approxTool = guessTool(result.toolRecords, approx, result.trajectory?.[index], options.effectOf);
        if (approxTool !== undefined) traced.approx.tool = approxTool;
      }
    }
    return traced;
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

function traceCall(record: CallRecord, onInvalid: (field: InvalidTokenCount['field'], value: number) => void): TraceCall {
  const count = (field: InvalidTokenCount['field']): number | undefined => {
    const value = record.usage[field];
    if (value === undefined || (Number.isInteger(value) && value >= 0)) return value;
    onInvalid(field, value);
    return undefined;
  };
  const inputTokens = count('inputTokens');
  const outputTokens = count('outputTokens');
  const reasoningTokens = count('reasoningTokens');
  const call: TraceCall = {
    action: record.action ?? null,
    latencyMs: Math.max(0, Math.round((record.endMs - record.startMs) * 10) / 10),
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
  };
  if (reasoningTokens !== undefined) call.reasoningTokens = reasoningTokens;
  if (record.usage.cachedInputTokens !== undefined) call.cachedInputTokens = record.usage.cachedInputTokens;
  if (record.usage.estimated === true) call.estimated = true;
  if (inputTokens === undefined || outputTokens === undefined) call.tokensUnknown = true;
  return call;
}

/** The execution that became step `step`'s observation, as a trace's `tool` field. */
function committedTool(records: readonly ToolRecord[], committed: Step | undefined, step: number): TraceTool | undefined {
  const record = records.find((candidate) => candidate.status === 'committed' && candidate.committedStep === step);
  if (record === undefined) return undefined;
  const tool: TraceTool = { effect: record.effect, latencyMs: toolLatencyMs(record) };
  const observation = observationText(committed);
  if (observation !== undefined) tool.observation = observation;
  return tool;
}

/**
 * The execution of A's guess at its step, on the true prefix: the one its round ran for that step (or a memoized
 * pure result that served it); the effect class alone when it never returned.
 */
function guessTool(
  records: readonly ToolRecord[],
  approx: CallRecord,
  committed: Step | undefined,
  effectOf: ((action: Action) => EffectClass | null) | undefined,
): TraceTool | undefined {
  const key = canonicalAction(approx.action ?? null);
  const sameCall = (record: ToolRecord): boolean => canonicalAction(record.action) === key;
  const record =
    records.find((candidate) => candidate.step === approx.step && candidate.round === approx.round && sameCall(candidate)) ??
    records.find((candidate) => candidate.committedStep === approx.step && sameCall(candidate));
  if (record === undefined || record.status === 'cancelled') {
    const effect = record?.effect ?? effectOf?.(approx.action ?? null) ?? null;
    return effect === null ? undefined : { effect };
  }
  const tool: TraceTool = { effect: record.effect, latencyMs: toolLatencyMs(record) };
  const observation = committed !== undefined && canonicalAction(committed.action) === key ? observationText(committed) : undefined;
  if (observation !== undefined) tool.observation = observation;
  return tool;
}

function toolLatencyMs(record: ToolRecord): number {
  return Math.max(0, Math.round((record.endMs - record.startMs) * 1000) / 1000);
}

/** A step's observation as text (its failure message when the execution threw); undefined when it has none. */
function observationText(step: Step | undefined): string | undefined {
  if (step === undefined) return undefined;
  if (step.error !== undefined) return step.error;
  if (step.observation === undefined) return undefined;
  return typeof step.observation === 'string' ? step.observation : JSON.stringify(step.observation);
}
