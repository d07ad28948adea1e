/**
 * OpenTelemetry traces of a live run, through `@opentelemetry/api` only: without a registered SDK every span is a
 * no-op; `dsp run` registers one that exports OTLP/HTTP (`otlp.ts`) when the standard environment asks for it.
 *
 * The spans nest run → task → round → call → request:
 * - `dsp.run`, and one `dsp.task` per task, finished or failed;
 * - `dsp.round` per round (`dsp.round`, `dsp.k`, how it ended);
 * - `invoke_agent approx|target` per call of the ledger — failed attempts and cancelled calls included — with its
 *   final status (`dsp.call.status`), cost (`dsp.cost_usd`), whether it was speculative (`dsp.speculative`) and
 *   the GenAI usage attributes;
 * - `chat MODEL` per HTTP request of the call (a `react` step makes two; retries make more), a GenAI client span
 *   with `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.usage.input_tokens`,
 *   `gen_ai.usage.output_tokens` and `error.type` when it failed;
 * - `execute_tool TOOL` per tool execution of the ledger (docs/tools.md), under the round that launched it, with
 *   `gen_ai.tool.name`, its effect class, status, step and whether it ran on a guess; a tool's own model requests
 *   (TravelPlanner's Planner) are `chat` spans under it.
 *
 * A call's status and cost are known only once its task is over, so a task's spans are made when it ends, with
 * the times of the ledger (the run's clock, mapped to wall time): a collector receives each task as it finishes.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type HrTime, type Span, type Tracer } from '@opentelemetry/api';
import type { Clock } from '../core/clock.js';
import { describeCause } from '../core/errors.js';
import type { Action, CallRecord, Role, RoundRecord, TaskInput, TaskResult, ToolRecord, Usage } from '../core/types.js';
import { isModelCallError } from '../agents/errors.js';

/** One HTTP request of a call, as the live caller saw it. */
export interface RequestTrace {
  taskId: string;
  /** The ledger id of the call the request belongs to (`AgentCallOptions.callId`). */
  callId: number | undefined;
  role: Role;
  /** The kind of request of the strategy, e.g. `react-thought`. */
  kind: string;
  /** The model asked for. */
  model: string;
  /** The provider, e.g. `openai` (`gen_ai.provider.name`). */
  provider: string;
  speculative: boolean;
  /** 0 for the first attempt, 1 for the first retry… */
  attempt: number;
  /** On the run's clock, in milliseconds. */
  startMs: number;
  endMs: number;
  /** What it consumed: the reply's usage, or the estimate of a failed or cancelled request. */
  usage: Usage;
  /** The model that answered. */
  responseModel?: string;
  /** Why it failed; undefined when it answered. */
  error?: unknown;
}

/** The tracer's instrumentation scope. */
export const tracerName = 'dsp-agent';

/** Collects what a live run does and turns it into spans. */
export class RunTelemetry {
  private readonly tracer: Tracer;
  private readonly clock: Clock;
  /** Wall time minus clock time, in milliseconds. */
  private readonly epochOffsetMs: number;
  private runSpan: Span | undefined;
  private readonly taskStarts = new Map<string, number>();
  private readonly requests = new Map<string, RequestTrace[]>();

  constructor(options: { tracer?: Tracer; clock: Clock }) {
    this.tracer = options.tracer ?? trace.getTracer(tracerName);
    this.clock = options.clock;
    this.epochOffsetMs = Date.now() - options.clock.now();
  }

  /** Opens the run's span. */
  runStarted(attributes: Attributes): void {
    this.runSpan = this.tracer.startSpan('dsp.run', { kind: SpanKind.INTERNAL, attributes, startTime: this.time(this.clock.now()) }, ROOT_CONTEXT);
  }

  /** Closes the run's span with its figures. */
  runEnded(attributes: Attributes, failed: boolean): void {
    const span = this.runSpan;
    if (span === undefined) return;
    span.setAttributes(attributes);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'some tasks failed' });
    span.end(this.time(this.clock.now()));
    this.runSpan = undefined;
  }

  taskStarted(task: TaskInput): void {
    this.taskStarts.set(task.id, this.clock.now());
    this.requests.delete(task.id);
  }

  /** Records a request; its span is made with its task's. */
  requestEnded(request: RequestTrace): void {
    const list = this.requests.get(request.taskId);
    if (list === undefined) this.requests.set(request.taskId, [request]);
    else list.push(request);
  }

  /** Makes the spans of a finished task. */
  taskFinished(task: TaskInput, result: TaskResult): void {
    this.emitTask(task, result.records, result.rounds, result.toolRecords ?? [], {
      'dsp.task.status': 'finished',
      'dsp.task.steps': result.plan.length,
      'dsp.task.end_reason': result.endReason,
      // An unknown cost (an unpriced call) is left off the span, never sent as 0.
      ...(result.metrics.costUsd === null ? {} : { 'dsp.cost_usd': result.metrics.costUsd }),
      'dsp.speedup': result.metrics.speedup,
      'dsp.mean_k': result.metrics.meanK,
    });
  }

  /** Makes the spans of a task that failed, from the ledger its error carried (if any). */
  taskFailed(task: TaskInput, error: unknown, records: readonly CallRecord[] | undefined, toolRecords: readonly ToolRecord[] = []): void {
    const ledger = records ?? [];
    // A tool's model requests (TravelPlanner's Planner) are billed on its tool record.
    const toolsUsd = toolRecords.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
    this.emitTask(task, ledger, [], toolRecords, {
      'dsp.task.status': 'failed',
      'dsp.cost_usd': ledger.reduce((sum, record) => sum + (record.costUsd ?? 0), toolsUsd),
      'error.type': errorType(error),
    }, describeCause(error));
  }

  private emitTask(
    task: TaskInput,
    records: readonly CallRecord[],
    rounds: readonly RoundRecord[],
    tools: readonly ToolRecord[],
    attributes: Attributes,
    failure?: string,
  ): void {
    const now = this.clock.now();
    const startMs = this.taskStarts.get(task.id) ?? Math.min(now, ...records.map((record) => record.startMs));
    const endMs = Math.max(startMs, ...records.map((record) => record.endMs).filter(Number.isFinite), ...rounds.map((round) => round.endMs));
    const parent = this.runSpan === undefined ? ROOT_CONTEXT : trace.setSpan(ROOT_CONTEXT, this.runSpan);
    const taskSpan = this.tracer.startSpan(
      `dsp.task ${task.id}`,
      { kind: SpanKind.INTERNAL, startTime: this.time(startMs), attributes: { 'dsp.task.id': task.id, ...attributes } },
      parent,
    );
    const taskContext = trace.setSpan(ROOT_CONTEXT, taskSpan);
    const roundSpans = new Map<number, Span>();
    for (const round of rounds) {
      const span = this.tracer.startSpan(
        `dsp.round ${round.index}`,
        {
          kind: SpanKind.INTERNAL,
          startTime: this.time(round.startMs),
          attributes: {
            'dsp.round': round.index,
            'dsp.k': round.k,
            'dsp.round.start_step': round.startStep,
            'dsp.round.end': round.end,
            'dsp.round.accepted': round.acceptedCount,
            'dsp.round.committed': round.committedCount,
          },
        },
        taskContext,
      );
      roundSpans.set(round.index, span);
    }
    const requests = this.requests.get(task.id) ?? [];
    this.requests.delete(task.id);
    for (const record of records) {
      const round = roundSpans.get(record.round);
      const k = rounds.find((candidate) => candidate.index === record.round)?.k;
      const callSpan = this.tracer.startSpan(
        `invoke_agent ${record.role}`,
        { kind: SpanKind.INTERNAL, startTime: this.time(record.startMs), attributes: callAttributes(record, k) },
        round === undefined ? taskContext : trace.setSpan(ROOT_CONTEXT, round),
      );
      if (record.status === 'failed') callSpan.setStatus({ code: SpanStatusCode.ERROR, message: record.error ?? 'failed' });
      const callContext = trace.setSpan(ROOT_CONTEXT, callSpan);
      for (const request of requests) {
        if (request.callId !== record.id || request.role !== record.role || record.attemptOf !== undefined) continue;
        this.emitRequest(request, callContext);
      }
      callSpan.end(this.time(Number.isFinite(record.endMs) ? record.endMs : endMs));
    }
    // Requests of no agent call are a tool's model calls (TravelPlanner's Planner): under the committed execution
    // of that step's tool when there is one, else under the task.
    const toolContexts = new Map<number, ReturnType<typeof trace.setSpan>>();
    for (const record of tools) {
      const round = roundSpans.get(record.round);
      const span = this.tracer.startSpan(
        `execute_tool ${toolName(record.action)}`,
        { kind: SpanKind.INTERNAL, startTime: this.time(record.startMs), attributes: toolAttributes(record) },
        round === undefined ? taskContext : trace.setSpan(ROOT_CONTEXT, round),
      );
      if (record.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: record.error });
      if (record.usage !== undefined && record.status === 'committed') toolContexts.set(record.step, trace.setSpan(ROOT_CONTEXT, span));
      span.end(this.time(Number.isFinite(record.endMs) ? record.endMs : endMs));
    }
    const lastToolContext = [...toolContexts.values()].at(-1);
    for (const request of requests) if (request.callId === undefined) this.emitRequest(request, lastToolContext ?? taskContext);
    for (const round of rounds) roundSpans.get(round.index)!.end(this.time(round.endMs));
    if (failure !== undefined) taskSpan.setStatus({ code: SpanStatusCode.ERROR, message: failure });
    taskSpan.end(this.time(endMs));
    this.taskStarts.delete(task.id);
  }

  private emitRequest(request: RequestTrace, parent: ReturnType<typeof trace.setSpan>): void {
    const attributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': request.provider,
      'gen_ai.system': request.provider,
      'gen_ai.request.model': request.model,
      'gen_ai.request.temperature': 0,
      'dsp.request.kind': request.kind,
      'dsp.request.attempt': request.attempt,
      'dsp.speculative': request.speculative,
      ...usageAttributes(request.usage),
    };
    if (request.responseModel !== undefined) attributes['gen_ai.response.model'] = request.responseModel;
    if (request.error !== undefined) attributes['error.type'] = errorType(request.error);
    const span = this.tracer.startSpan(`chat ${request.model}`, { kind: SpanKind.CLIENT, startTime: this.time(request.startMs), attributes }, parent);
    if (request.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: describeCause(request.error) });
    span.end(this.time(request.endMs));
  }

  /** A time on the run's clock as OpenTelemetry's [seconds, nanoseconds] since the epoch. */
  private time(clockMs: number): HrTime {
    const epochMs = clockMs + this.epochOffsetMs;
    const seconds = Math.floor(epochMs / 1000);
    const nanoseconds = Math.min(999_999_999, Math.round((epochMs - seconds * 1000) * 1e6));
    return [seconds, nanoseconds];
  }
}

function callAttributes(record: CallRecord, k: number | undefined): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': record.role,
    'dsp.call.id': record.id,
    'dsp.call.status': record.status,
    'dsp.round': record.round,
    'dsp.step': record.step,
    'dsp.speculative': record.prefix === 'speculative',
    ...usageAttributes(record.usage),
  };
  if (k !== undefined) attributes['dsp.k'] = k;
  if (record.model !== undefined) attributes['gen_ai.request.model'] = record.model;
  if (record.costUsd !== undefined) attributes['dsp.cost_usd'] = record.costUsd;
  if (record.attemptOf !== undefined) attributes['dsp.attempt_of'] = record.attemptOf;
  if (record.abandoned === true) attributes['dsp.abandoned'] = true;
  if (record.usage.estimated === true) attributes['dsp.usage.estimated'] = true;
  if (record.error !== undefined) attributes['error.type'] = record.status === 'failed' ? 'failed' : 'discarded';
  return attributes;
}

/** A tool execution's span name: the tool of an action in the benchmark syntax (`Tool[args]`), or the names of a tool agent's calls. */
function toolName(action: Action): string {
  if (typeof action === 'string') return /^\s*(\w+)\s*\[/.exec(action)?.[1] ?? action.slice(0, 40);
  const calls = (action as { toolCalls?: unknown } | null)?.toolCalls;
  if (Array.isArray(calls)) return calls.map((call) => String((call as { toolName?: unknown }).toolName)).join(',');
  return 'tool';
}

function toolAttributes(record: ToolRecord): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': toolName(record.action),
    'dsp.tool.id': record.id,
    'dsp.tool.effect': record.effect,
    'dsp.tool.status': record.status,
    'dsp.round': record.round,
    'dsp.step': record.step,
    'dsp.speculative': record.prefix === 'speculative',
  };
  if (record.model !== undefined) attributes['gen_ai.request.model'] = record.model;
  if (record.usage !== undefined) Object.assign(attributes, usageAttributes(record.usage));
  if (record.costUsd !== undefined) attributes['dsp.cost_usd'] = record.costUsd;
  if (record.error !== undefined) attributes['error.type'] = 'tool_error';
  return attributes;
}

function usageAttributes(usage: Usage): Attributes {
  const attributes: Attributes = {};
  if (usage.inputTokens !== undefined) attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
  if (usage.outputTokens !== undefined) attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
  if (usage.cachedInputTokens !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) attributes['gen_ai.usage.reasoning.output_tokens'] = usage.reasoningTokens;
  return attributes;
}

/** `error.type`: the HTTP status of a failed model call, else the error's name. */
function errorType(error: unknown): string {
  if (isModelCallError(error)) return error.statusCode !== undefined ? String(error.statusCode) : error.timedOut ? 'timeout' : error.name;
  if (error instanceof Error) return error.name;
  return 'error';
}
