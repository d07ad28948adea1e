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
 * A call whose agent gave its confidence in its action (A's, from the reply's token log-probabilities) carries it,
 * to six significant digits.
 *
 * With an environment (docs/tools.md), a call whose action calls a tool carries `tool`, read from the task's tool
 * records: T's is the execution that became the step's observation (its effect class, its latency, and the
 * observation as text); A's is T's when A guessed the same action, else the execution of A's guess launched in the
 * same round at the same step (no `latencyMs` when it never ran to its end: an irreversible guess, or one cancelled).
 */
import { canonicalAction } from '../core/actions.js';
import type { Action, CallRecord, EffectClass, TaskInput, TaskResult, ToolRecord } from '../core/types.js';
import type { Trace, TraceCall, TraceStep, TraceTool } from './schema.js';
import { maxCallTokens } from '../ledger/bounds.js';

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
   * The effect class of an action, `null` when it calls no tool: the run's `Environment.effectOf`. It gives A's
   * guesses that were never executed their `tool` field. Default: the effect of the action's tool records, if any.
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
  const tools = toolFields(result, options.effectOf);
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
    const call = (record: CallRecord, tool: TraceTool | undefined): TraceCall => {
      const traced = traceCall(record, (field, value) => options.onInvalidTokens?.({ step, role: record.role, field, value }));
      if (tool !== undefined) traced.tool = tool;
      const attempts = failedAttempts.get(record.id);
      if (attempts !== undefined) traced.failedAttempts = attempts;
      return traced;
    };
    const targetTool = tools.target(step);
    if (approx === undefined) return { target: call(target, targetTool) };
    const sameAction = canonicalAction(approx.action ?? null) === canonicalAction(target.action ?? null);
    return { target: call(target, targetTool), approx: call(approx, sameAction ? targetTool : tools.guess(approx)) };
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

/** The `tool` fields of T's steps and A's guesses, from the task's tool records (none without an environment). */
function toolFields(
  result: TaskResult,
  effectOf: TraceFromTaskResultOptions['effectOf'],
): { target: (step: number) => TraceTool | undefined; guess: (record: CallRecord) => TraceTool | undefined } {
  const records = result.toolRecords ?? [];
  if (records.length === 0 && effectOf === undefined) return { target: () => undefined, guess: () => undefined };
  const effectOfAction = (action: Action): EffectClass | null | undefined =>
    effectOf !== undefined ? effectOf(action) : records.find((record) => canonicalAction(record.action) === canonicalAction(action))?.effect;
  const ran = (record: ToolRecord): TraceTool => {
    const tool: TraceTool = { effect: record.effect };
    if (record.status !== 'cancelled' && Number.isFinite(record.endMs)) tool.latencyMs = roundedMs(record.endMs - record.startMs);
    // The model requests of the execution (TravelPlanner's Planner): replay bills them, `dsp serve` answers with them.
    if (record.model !== undefined && record.usage !== undefined) {
      tool.model = record.model;
      if (isTokenCount(record.usage.inputTokens)) tool.inputTokens = record.usage.inputTokens;
      if (isTokenCount(record.usage.outputTokens)) tool.outputTokens = record.usage.outputTokens;
    }
    return tool;
  };
  return {
    target: (step) => {
      const record = records.find((candidate) => candidate.status === 'committed' && candidate.committedStep === step);
      if (record === undefined) return undefined;
      const tool = ran(record);
      const observation = result.trajectory?.[step - 1]?.observation;
      if (observation !== undefined) tool.observation = typeof observation === 'string' ? observation : JSON.stringify(observation);
      return tool;
    },
    guess: (call) => {
      if (call.action === undefined) return undefined;
      const key = canonicalAction(call.action);
      const record = records.find(
        (candidate) => candidate.step === call.step && candidate.round === call.round && canonicalAction(candidate.action) === key,
      );
      if (record !== undefined) return ran(record);
      const effect = effectOfAction(call.action);
      return effect === null || effect === undefined ? undefined : { effect };
    },
  };
}

function roundedMs(durationMs: number): number {
  return Math.max(0, Math.round(durationMs * 10) / 10);
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
    latencyMs: roundedMs(record.endMs - record.startMs),
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
  };
  if (reasoningTokens !== undefined) call.reasoningTokens = reasoningTokens;
  if (record.usage.cachedInputTokens !== undefined) call.cachedInputTokens = record.usage.cachedInputTokens;
  // A trace holds a probability only (an agent's value outside [0, 1] is not one, and is left out), to six
  // significant digits: exp of a sum of log-probabilities carries noise in its last digits.
  if (record.confidence !== undefined && record.confidence >= 0 && record.confidence <= 1) {
    call.confidence = Number(record.confidence.toPrecision(6));
  }
  if (record.usage.estimated === true) call.estimated = true;
  if (inputTokens === undefined || outputTokens === undefined) call.tokensUnknown = true;
  return call;
}

/** A token count the trace format can hold: a whole number from 0 to 10⁹. */
function isTokenCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= maxCallTokens;
}
