/**
 * `speculate`: an AI SDK tool agent made faster by speculative planning (docs/tools.md). A cheap model guesses the
 * next tool calls, the target model verifies them in parallel, and the tools run ahead of confirmation only as far
 * as their declared effect class allows. The committed steps are those the target model alone would take.
 *
 * A step is one model turn. Its action is the set of tool calls it makes (name and canonical JSON input, sorted),
 * or its final text; text a model writes beside its tool calls is not part of the step. Both models see the
 * trajectory as standard AI SDK messages: an assistant message of tool-call parts, then a `tool` message of
 * tool-result parts, with call ids of our own (`call_<step>_<n>`), so a confirmed guess and the target's own call
 * produce the same conversation, whoever made them.
 */
import { randomUUID } from 'node:crypto';
import type { LanguageModel, ModelMessage, ToolSet } from 'ai';
import { canonicalAction, exactMatch, type ActionsMatch } from '../core/actions.js';
import { RealClock, type Clock } from '../core/clock.js';
import { type EffectClass, type Environment, type StateStore, type Step, type ToolRecord } from '../core/environment.js';
import { InvalidInputError, describeCause, isTaskInterruptedError } from '../core/errors.js';
import type { KPolicy } from '../core/policy.js';
import type { Action, Agent, CallRecord, JsonValue, RoundRecord, TaskMetrics } from '../core/types.js';
import { checkStepLimits, runTask } from '../engine/run-task.js';
import { readOnlyView } from '../engine/state.js';
import { redactSecretsIn } from '../io/api-keys.js';
import type { PriceTable } from '../ledger/prices.js';
import { parsePolicySpec } from '../policies/registry.js';
import { createPolicy } from '../suite/create-policy.js';
import { TraceRecorder } from '../traces/format.js';
import { traceFromTaskResult } from '../traces/from-task-result.js';
import type { Trace } from '../traces/schema.js';
import { callLanguageModel, type AiSdkCallSettings, type ModelToolCall } from './ai-sdk.js';

/** Options of `speculate`. */
export interface SpeculateOptions<TOOLS extends ToolSet = ToolSet> {
  /** The cheap approximation model that guesses the next steps. */
  approx: LanguageModel;
  /** The target model: its steps are the ones committed. */
  target: LanguageModel;
  /** Ordinary AI SDK tools (`tool({ description, inputSchema, execute })`). */
  tools: TOOLS;
  /**
   * Each tool's effect class (docs/tools.md): `pure` (deterministic, no side effects: may run on a guess and its
   * result is reused), `sandboxed` (writes only the task state: runs on a guess against a fork of it),
   * `irreversible` (runs only once the target has confirmed the call). A tool not named here is irreversible.
   */
  effects?: Partial<Record<keyof TOOLS & string, EffectClass>>;
  /** A k-policy spec (`'dsp'`, `'fixed:4'`, `'additive'`, `'sequential'`) or a `KPolicy`. Default `'fixed:3'`. */
  policy?: string | KPolicy;
  /** The system prompt of both models. */
  system?: string;
  /** The most model turns (steps) a run may take. Default 20. */
  maxSteps?: number;
  /** The largest k any policy may choose. Default 8. */
  kMax?: number;
  /** Whether a guessed step is the target's. Default: exact equality of canonical forms (lossless). */
  actionsMatch?: ActionsMatch;
  /** Generation settings of both models (`streaming: false` for models that only generate). */
  settings?: AiSdkCallSettings;
  /** Settings of the approximation model only, laid over `settings`. */
  approxSettings?: AiSdkCallSettings;
  /** Settings of the target model only, laid over `settings`. */
  targetSettings?: AiSdkCallSettings;
  /** Prices for the ledger's costs. Default: the built-in table. */
  priceTable?: PriceTable;
  /** The clock of the ledger's times. Default: the machine's. */
  clock?: Clock;
  /**
   * A trace file each finished run is appended to, as one `dsp-trace/1` line with its tool fields (created with its
   * folders if missing), for `dsp bench --traces` to replay and `dsp serve --traces` to serve. Each line is written
   * with one write, flushed before `run` returns. Default: nothing is written (the trace is still in the result).
   */
  record?: string;
  /** The suite of the run's trace. Default `'speculate'`. */
  suite?: string;
}

/** Options of one run. */
export interface SpeculateRunOptions {
  /** Stops the run: every model call and tool execution in flight is aborted, and `run` rejects with its reason. */
  signal?: AbortSignal;
  /** The task state at the start (copied). Default empty. */
  state?: Iterable<readonly [string, unknown]>;
  /** The id of the run's trace, unique in its file. Default `<suite>/run-<UTC time>-<random>`. */
  traceId?: string;
}

/** One tool call of a step. */
export interface SpeculativeToolCall {
  toolCallId: string;
  toolName: string;
  input: JsonValue;
}

/** What one tool call returned (`output`), or why it failed (`error`). */
export type SpeculativeToolResult = SpeculativeToolCall & ({ output: unknown } | { error: string });

/** One committed step: the tool calls it made and their results, or (the last step) the final text. */
export interface SpeculativeStep {
  /** The final text on the last step; `''` on a tool step. */
  text: string;
  toolCalls: SpeculativeToolCall[];
  toolResults: SpeculativeToolResult[];
}

/** The outcome of `run`. */
export interface SpeculativeRunResult {
  /** The target model's final text (`''` when the run reached `maxSteps` first). */
  text: string;
  finishReason: 'stop' | 'max-steps';
  steps: SpeculativeStep[];
  /** The committed task state. */
  state: Map<string, unknown>;
  /** Latency, cost, wasted cost, the speedup estimate (sequential latency over latency) and more. */
  metrics: TaskMetrics;
  /** Every model call (`calls`), every tool execution (`tools`) and every round of speculation. */
  ledger: { calls: CallRecord[]; tools: ToolRecord[]; rounds: RoundRecord[] };
  /**
   * The run as a `dsp-trace/1` trace (docs/tools.md): each committed step's action (`{toolCalls}` or `{text}`),
   * latency, tokens and tool execution, and the approximation model's guess for it on the same prefix.
   */
  trace: Trace;
}

/** An agent built by `speculate`. */
export interface SpeculativeToolAgent {
  run(prompt: string, options?: SpeculateRunOptions): Promise<SpeculativeRunResult>;
  /** Releases the policy (a `dsp` policy's trainer) when `speculate` built it from a spec. */
  close(): Promise<void>;
}

/** What the task state looks like to a tool: `experimental_context` in its execute options. */
export interface SpeculativeToolContext {
  /** The task state: `pure` tools get a read-only view, others a fork that is kept only if the step is committed. */
  state: StateStore;
  /** True when the call is a guess that the target model has not confirmed yet (never for irreversible tools). */
  speculative: boolean;
}

/** A step's action: its tool calls (sorted canonically), or its final text. */
type ToolAgentAction = { toolCalls: ModelToolCall[] } | { text: string };

/** The engine's action as what this agent made it. */
function stepAction(action: Action): ToolAgentAction {
  return action as unknown as ToolAgentAction;
}

/** Defaults of `speculate`. */
export const speculateDefaults = { policy: 'fixed:3', maxSteps: 20 } as const;

/**
 * Builds a speculative tool agent.
 *
 * @example
 * const agent = speculate({ approx: openai('gpt-4.1-mini'), target: openai('gpt-4.1'), tools,
 *   effects: { weather: 'pure', notes: 'sandboxed' }, policy: 'fixed:4' });
 * const result = await agent.run('Plan my trip to Paris and mail it to Ada');
 */
// one piece: the environment, both agents and `run` close over the same tools, effects and message builder;
// split, each part would take all of them as arguments.
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
export function speculate<TOOLS extends ToolSet>(options: SpeculateOptions<TOOLS>): SpeculativeToolAgent {
  const { tools } = options;
  const effects = validateEffects(tools, options.effects ?? {});
  // Refused when the agent is built, not at its first run.
  checkStepLimits(options);
  const ownsPolicy = typeof options.policy !== 'object';
  const policy =
    typeof options.policy === 'object'
      ? options.policy
      : createPolicy(parsePolicySpec(options.policy ?? speculateDefaults.policy, 'policy'), {}, { deterministic: false });
  const effectOfTool = (toolName: string): EffectClass => effects.get(toolName) ?? 'irreversible';

  const agentFor = (model: LanguageModel, roleSettings: AiSdkCallSettings | undefined): Agent => {
    const settings = { ...options.settings, ...roleSettings };
    return async (context, { signal, reportPartialUsage }) => {
      const messages = await conversation(context.task.text, context.trajectory ?? [], tools);
      const reply = await callLanguageModel({
        ...settings,
        model,
        ...(options.system === undefined ? {} : { system: options.system }),
        messages,
        tools,
        signal,
        onPartialUsage: reportPartialUsage,
      });
      const action: ToolAgentAction =
        reply.toolCalls.length > 0 ? { toolCalls: canonicalCalls(reply.toolCalls) } : { text: reply.text };
      return { action: action as unknown as Action, usage: reply.usage, ...(reply.model === undefined ? {} : { model: reply.model }) };
    };
  };

  const environment: Environment = {
    effectOf: (action) => {
      const step = stepAction(action);
      if (!('toolCalls' in step)) return null;
      let effect: EffectClass = 'pure';
      for (const call of step.toolCalls) {
        // A call that cannot run (unknown tool, invalid input) runs nothing.
        if (call.error !== undefined) continue;
        const own = effectOfTool(call.toolName);
        if (rank[own] > rank[effect]) effect = own;
      }
      return effect;
    },
    execute: async (action, { signal, state, speculative, task, trajectory }) => {
      const { toolCalls } = stepAction(action) as { toolCalls: ModelToolCall[] };
      const stepNumber = trajectory.length + 1;
      const messages = await conversation(task.text, trajectory, tools);
      return Promise.all(
        toolCalls.map(async (call, index): Promise<JsonValue> => {
          const base = { toolCallId: callId(stepNumber, index), toolName: call.toolName, input: call.input };
          if (call.error !== undefined) return { ...base, error: call.error };
          const tool = tools[call.toolName];
          if (tool?.execute === undefined) return { ...base, error: `tool ${call.toolName} has no execute function` };
          const context: SpeculativeToolContext = {
            state: effectOfTool(call.toolName) === 'pure' ? readOnlyView(state, `tool ${call.toolName} is declared pure`) : state,
            speculative,
          };
          try {
            const output = await untilAborted(
              runToolExecute(tool.execute.bind(tool), call.input, {
                toolCallId: base.toolCallId,
                messages,
                abortSignal: signal,
                experimental_context: context,
              }),
              signal,
            );
            return { ...base, output: (output === undefined ? null : output) as JsonValue };
          } catch (error) {
            if (signal.aborted) throw error;
            return { ...base, error: describeCause(error) };
          }
        }),
      );
    },
  };

  const approx = agentFor(options.approx, options.approxSettings);
  const target = agentFor(options.target, options.targetSettings);
  // Made now, so that a file that cannot take a line is refused before any run is paid for.
  const recorder = options.record === undefined ? undefined : new TraceRecorder(options.record);
  const suite = options.suite ?? 'speculate';
  const traceExtra: Record<string, unknown> = {
    agent: 'speculate',
    effects: Object.fromEntries([...effects].sort(([a], [b]) => (a < b ? -1 : 1))),
    ...(typeof options.policy === 'object' ? {} : { policy: options.policy ?? speculateDefaults.policy }),
  };
  let runs = 0;

  return {
    async run(prompt, runOptions = {}) {
      runs += 1;
      const task = { id: `run-${runs}`, text: prompt };
      const result = await runTask({
        task,
        approx,
        target,
        policy,
        clock: options.clock ?? new RealClock(),
        environment,
        isTerminal: (action) => !('toolCalls' in stepAction(action)),
        actionsMatch: options.actionsMatch ?? exactMatch,
        maxSteps: options.maxSteps ?? speculateDefaults.maxSteps,
        ...(options.kMax === undefined ? {} : { kMax: options.kMax }),
        ...(options.priceTable === undefined ? {} : { priceTable: options.priceTable }),
        ...(runOptions.state === undefined ? {} : { initialState: runOptions.state }),
        ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
      }).catch((error: unknown) => {
        // A stopped run rejects with its signal's own reason, as documented for `run`.
        throw isTaskInterruptedError(error) ? error.reason : error;
      });
      const trajectory = result.trajectory ?? [];
      const steps = trajectory.map((step, index) => committedStep(step, index + 1));
      const lastStep = trajectory[trajectory.length - 1];
      const last = lastStep === undefined ? undefined : stepAction(lastStep.action);
      const trace = traceFromTaskResult(
        task,
        result,
        {
          id: runOptions.traceId ?? `${suite}/run-${utcStamp()}-${randomUUID().slice(0, 8)}`,
          suite,
          models: { approx: tracedModelName(options.approx), target: tracedModelName(options.target) },
          extra: traceExtra,
        },
        { effectOf: (action) => environment.effectOf(action) },
      );
      // What is written never holds a configured API key (a prompt or an observation might quote one).
      recorder?.append(redactSecretsIn(trace));
      return {
        text: last !== undefined && 'text' in last ? last.text : '',
        finishReason: result.endReason === 'terminal' ? 'stop' : 'max-steps',
        steps,
        state: result.state ?? new Map<string, unknown>(),
        metrics: result.metrics,
        ledger: { calls: result.records, tools: result.toolRecords ?? [], rounds: result.rounds },
        trace,
      };
    },
    async close() {
      if (ownsPolicy) await policy.close?.();
    },
  };
}

const rank: Record<EffectClass, number> = { pure: 0, sandboxed: 1, irreversible: 2 };

/** A model as a trace names it: `provider:modelId` (`openai:gpt-4.1`), or a gateway model's id. */
function tracedModelName(model: LanguageModel): string {
  if (typeof model === 'string') return model;
  return `${model.provider.split('.')[0]}:${model.modelId}`;
}

/** The time now in UTC, e.g. `20261207T101500Z`. */
function utcStamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function validateEffects(tools: ToolSet, effects: Partial<Record<string, EffectClass>>): Map<string, EffectClass> {
  const valid = new Map<string, EffectClass>();
  for (const [name, effect] of Object.entries(effects)) {
    if (effect === undefined) continue;
    if (!(name in tools)) {
      throw new InvalidInputError(`names tool "${name}", which is not in tools (${Object.keys(tools).join(', ')})`, { source: 'effects' });
    }
    if (!(effect in rank)) {
      throw new InvalidInputError(`tool "${name}" has effect "${String(effect)}"; expected pure, sandboxed or irreversible`, {
        source: 'effects',
      });
    }
    valid.set(name, effect);
  }
  return valid;
}

/** The id of the n-th (0-based) tool call of a step (1-based), the same whoever made the call. */
function callId(step: number, index: number): string {
  return `call_${step}_${index}`;
}

/**
 * A step's calls in canonical form: inputs with their keys sorted, calls sorted by their canonical text. Equal sets
 * of calls give equal actions and the same messages, whichever model made them and in whatever order.
 */
function canonicalCalls(calls: readonly ModelToolCall[]): ModelToolCall[] {
  return calls
    .map((call) => {
      const canonical = JSON.parse(canonicalAction(call as unknown as JsonValue)) as ModelToolCall;
      return { call: canonical, key: canonicalAction(canonical as unknown as JsonValue) };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ call }) => call);
}

/** The messages a model sees for the step after `trajectory`: the prompt, then each step's calls and results. */
async function conversation(prompt: string, trajectory: readonly Step[], tools: ToolSet): Promise<ModelMessage[]> {
  const messages: ModelMessage[] = [{ role: 'user', content: prompt }];
  for (const [index, step] of trajectory.entries()) {
    const action = stepAction(step.action);
    if (!('toolCalls' in action)) continue;
    const results = stepResults(step, index + 1);
    messages.push({
      role: 'assistant',
      content: results.map((result) => ({ type: 'tool-call', toolCallId: result.toolCallId, toolName: result.toolName, input: result.input })),
    });
    messages.push({
      role: 'tool',
      content: await Promise.all(
        results.map(async (result) => ({
          type: 'tool-result' as const,
          toolCallId: result.toolCallId,
          toolName: result.toolName,
          output: await modelOutput(result, tools),
        })),
      ),
    });
  }
  return messages;
}

/** The results of a tool step, from its observation (or, if the whole execution failed, its error). */
function stepResults(step: Step, stepNumber: number): SpeculativeToolResult[] {
  const { toolCalls } = stepAction(step.action) as { toolCalls: ModelToolCall[] };
  if (Array.isArray(step.observation)) return step.observation as SpeculativeToolResult[];
  return toolCalls.map((call, index) => ({
    toolCallId: callId(stepNumber, index),
    toolName: call.toolName,
    input: call.input,
    error: step.error ?? 'the tool calls returned nothing',
  }));
}

/** A result as the model sees it, as the AI SDK's own tool loop sends it. */
async function modelOutput(result: SpeculativeToolResult, tools: ToolSet): Promise<ToolResultOutput> {
  if ('error' in result) return { type: 'error-text', value: result.error };
  const tool = tools[result.toolName];
  if (tool?.toModelOutput !== undefined) {
    return tool.toModelOutput({ toolCallId: result.toolCallId, input: result.input, output: result.output });
  }
  return typeof result.output === 'string' ? { type: 'text', value: result.output } : { type: 'json', value: (result.output ?? null) as JsonValue };
}

type ToolResultOutput = Extract<Extract<ModelMessage, { role: 'tool' }>['content'][number], { type: 'tool-result' }>['output'];

function committedStep(step: Step, stepNumber: number): SpeculativeStep {
  const action = stepAction(step.action);
  if (!('toolCalls' in action)) return { text: action.text, toolCalls: [], toolResults: [] };
  const toolResults = stepResults(step, stepNumber);
  return {
    text: '',
    toolCalls: toolResults.map(({ toolCallId, toolName, input }) => ({ toolCallId, toolName, input })),
    toolResults,
  };
}

type ToolExecute = NonNullable<ToolSet[string]['execute']>;

/** Runs a tool's `execute`: a value, a promise, or a stream of preliminary outputs whose last one is the result. */
async function runToolExecute(execute: ToolExecute, input: unknown, options: Parameters<ToolExecute>[1]): Promise<unknown> {
  const returned: unknown = execute(input, options);
  if (returned !== null && typeof returned === 'object' && Symbol.asyncIterator in returned) {
    let last: unknown;
    for await (const output of returned as AsyncIterable<unknown>) last = output;
    return last;
  }
  return returned;
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts (a tool may ignore its signal). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let removeListener = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    removeListener = () => signal.removeEventListener('abort', onAbort);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, aborted]);
  } finally {
    removeListener();
  }
}
