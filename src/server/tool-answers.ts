/**
 * What the replay server answers to a native tool-calling request (a chat completion that carries OpenAI `tools`),
 * decided from traces of tool agents alone (pure, no I/O).
 *
 * A tool agent's step is one model turn, written in a trace as the action `speculate()` commits (docs/tools.md):
 * `{"toolCalls": [{"input": …, "toolName": "…"}, …]}` (each call's input with its keys sorted, the calls sorted by
 * their canonical text; a call the client could not parse also carries `error`), or `{"text": "…"}`, the final
 * text that ends the run. The request says where the agent is with standard messages, as `@ai-sdk/openai-compatible`
 * sends them: the first user message is the task; each assistant message is a step (its `tool_calls`, or its text);
 * `tool` messages (the results) and system messages are not part of the plan. The answer comes, as for prompts in
 * our own format (`replay-answers.ts`), from the trace of that task whose recorded plan shares the longest start with
 * the request's steps, at the step after them: the recorded call of the request's role there (a prefix the trace
 * never saw gets the same step's record; past the last step, the last step's). A step's calls are one model call,
 * so the reply carries the whole record: its latency and its tokens.
 *
 * The reply is a step in OpenAI's format: an assistant message whose `tool_calls` are the recorded calls (ids
 * `call_<step>_<n>`, `function.arguments` the input as JSON text, `finish_reason` `tool_calls`), or the recorded
 * text as `content` (`finish_reason` `stop`).
 */
import { canonicalAction } from '../core/actions.js';
import { InvalidInputError } from '../core/errors.js';
import type { Action, JsonValue, Role } from '../core/types.js';
import type { Trace, TraceCall } from '../traces/schema.js';
import type { ReplayAnswer } from './replay-answers.js';
import { ReplayLookupError, TracesByTask, recordAfterPrefix, sharedStartOf } from './trace-lookup.js';

/** One call of a tool-agent step as a trace writes it. */
export interface TracedToolCall {
  toolName: string;
  input: JsonValue;
  /** Set when the client could not run the call (unknown tool, input not valid): why. */
  error?: string;
}

/** A tool-agent step's action as a trace writes it: its tool calls, or the final text. */
export type ToolAgentAction = { toolCalls: TracedToolCall[] } | { text: string };

/** One tool call of a reply, in OpenAI's chat-completions format. */
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The replay's answer to a tool-calling request. */
export interface ToolReplayAnswer extends ReplayAnswer {
  /** The reply's tool calls; empty when the step is text (`text`). */
  toolCalls: ChatToolCall[];
  finishReason: 'tool_calls' | 'stop';
}

/** A tool-agent conversation as the server reads it from a request. */
export interface ToolConversation {
  /** The first user message's text. */
  task: string;
  /** The steps so far: one per assistant message. */
  steps: ToolAgentAction[];
}

/** True for a chat-completion request that offers tools (a non-empty `tools` list). */
export function isToolRequest(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const tools = (body as { tools?: unknown }).tools;
  return Array.isArray(tools) && tools.length > 0;
}

/** An action as a tool-agent step (`{toolCalls: [...]}` or `{text: "..."}`), or undefined when it is not one. */
export function toolAgentActionOf(action: Action): ToolAgentAction | undefined {
  if (action === null || typeof action !== 'object' || Array.isArray(action)) return undefined;
  const keys = Object.keys(action);
  if (keys.length !== 1) return undefined;
  if (keys[0] === 'text') return typeof action.text === 'string' ? { text: action.text } : undefined;
  const calls = action.toolCalls;
  if (keys[0] !== 'toolCalls' || !Array.isArray(calls)) return undefined;
  const valid = calls.every(
    (call) => call !== null && typeof call === 'object' && !Array.isArray(call) && typeof call.toolName === 'string' && 'input' in call,
  );
  return valid ? { toolCalls: calls as unknown as TracedToolCall[] } : undefined;
}

/**
 * The task and the steps of a chat-completion request's `messages` (OpenAI format). Throws `InvalidInputError`
 * naming the message when one is not what a chat-completions client sends.
 */
export function readToolConversation(messages: unknown): ToolConversation {
  if (!Array.isArray(messages)) throw new InvalidInputError('expected a list', { source: 'messages' });
  let task: string | undefined;
  const steps: ToolAgentAction[] = [];
  messages.forEach((message: unknown, index) => {
    const source = `messages[${index}]`;
    if (message === null || typeof message !== 'object') throw new InvalidInputError('expected an object', { source });
    const { role, content, tool_calls: toolCalls } = message as { role?: unknown; content?: unknown; tool_calls?: unknown };
    if (role === 'user' && task === undefined) task = contentText(content, source);
    if (role !== 'assistant' || task === undefined) return;
    if (Array.isArray(toolCalls) && toolCalls.length > 0) {
      steps.push({ toolCalls: toolCalls.map((call: unknown, callIndex) => requestToolCall(call, `${source}.tool_calls[${callIndex}]`)) });
    } else {
      steps.push({ text: contentText(content ?? '', source) });
    }
  });
  if (task === undefined) throw new InvalidInputError('no user message (the first one holds the task)', { source: 'messages' });
  return { task, steps };
}

/** Recorded tool-agent traces indexed by task, answering tool-calling requests. */
export class ToolTraceBook {
  private readonly traces: TracesByTask;

  constructor(traces: readonly Trace[]) {
    this.traces = new TracesByTask(traces, (trace) => trace.steps.every((step) => toolAgentActionOf(step.target.action) !== undefined));
  }

  /** The answer to a request of `role`; throws `ReplayLookupError` when the traces cannot answer it. */
  answer(role: Role, conversation: ToolConversation): ToolReplayAnswer {
    const candidates = this.traces.of(conversation.task);
    if (candidates === undefined) {
      const shown = conversation.task.length > 200 ? `${conversation.task.slice(0, 200)}…` : conversation.task;
      const tasks = this.traces.size;
      throw new ReplayLookupError(
        `no tool-agent trace for the task "${shown}" (the request's first user message); ` +
          `the traces hold ${tasks} tool-agent task${tasks === 1 ? '' : 's'}`,
      );
    }
    const prefix = conversation.steps.map(stepKey);
    const { trace, step, call, onTrace } = recordAfterPrefix(
      candidates,
      prefix.length,
      (recorded) => sharedStartOf(recorded, prefix, (action, key) => stepKey(action) === key),
      role,
    );
    const action = toolAgentActionOf(call.action);
    const toolCalls = action !== undefined && 'toolCalls' in action ? replyToolCalls(action.toolCalls, step) : [];
    return {
      traceId: trace.id,
      step,
      onTrace,
      action: call.action,
      text: toolCalls.length > 0 ? '' : replyText(call.action),
      toolCalls,
      finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      latencyMs: call.latencyMs,
      usage: recordedUsage(call),
    };
  }
}

/**
 * The deltas of a streamed reply's tool calls, as OpenAI streams them: per call, its id, name and empty arguments,
 * then its arguments in up to 4 pieces.
 */
export function toolCallDeltas(toolCalls: readonly ChatToolCall[]): Array<Record<string, unknown>> {
  const deltas: Array<Record<string, unknown>> = [];
  toolCalls.forEach((call, index) => {
    deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    const text = call.function.arguments;
    const size = Math.max(1, Math.ceil(text.length / 4));
    for (let start = 0; start < text.length; start += size) {
      deltas.push({ tool_calls: [{ index, function: { arguments: text.slice(start, start + size) } }] });
    }
  });
  return deltas;
}

/** A step as the prefix comparison sees it: the calls' names and inputs (an `error` is the client's, not the model's). */
function stepKey(action: Action | ToolAgentAction): string {
  const step = toolAgentActionOf(action as Action);
  if (step !== undefined && 'toolCalls' in step) {
    const calls = step.toolCalls.map((call) => canonicalAction({ toolName: call.toolName, input: call.input })).sort();
    return `calls:${calls.join(',')}`;
  }
  return `text:${canonicalAction(action as Action)}`;
}

function replyToolCalls(calls: readonly TracedToolCall[], step: number): ChatToolCall[] {
  return calls.map((call, index) => ({
    id: `call_${step}_${index}`,
    type: 'function',
    function: {
      name: call.toolName,
      // A call the client could not parse is replayed as the text it failed on, so that it fails the same way.
      arguments: call.error !== undefined && typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
    },
  }));
}

function replyText(action: Action): string {
  const step = toolAgentActionOf(action);
  if (step !== undefined && 'text' in step) return step.text;
  return typeof action === 'string' ? action : JSON.stringify(action);
}

function recordedUsage(call: TraceCall): ReplayAnswer['usage'] {
  const usage: ReplayAnswer['usage'] = { inputTokens: call.inputTokens, outputTokens: call.outputTokens };
  const { reasoningTokens, cachedInputTokens } = call as { reasoningTokens?: unknown; cachedInputTokens?: unknown };
  if (isCount(reasoningTokens)) usage.reasoningTokens = Math.min(reasoningTokens, usage.outputTokens);
  if (isCount(cachedInputTokens)) usage.cachedInputTokens = Math.min(cachedInputTokens, usage.inputTokens);
  return usage;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function requestToolCall(call: unknown, source: string): TracedToolCall {
  const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
  if (typeof fn?.name !== 'string') throw new InvalidInputError('expected a function call with a name', { source });
  const text = typeof fn.arguments === 'string' ? fn.arguments : '';
  let input: JsonValue;
  try {
    input = JSON.parse(text === '' ? '{}' : text) as JsonValue;
  } catch {
    // As the AI SDK keeps a call whose arguments are not JSON: the text itself.
    input = text;
  }
  return { toolName: fn.name, input };
}

function contentText(content: unknown, source: string): string {
  if (typeof content === 'string') return content;
  if (content === null) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part !== null && typeof part === 'object' && (part as { type?: unknown }).type === 'text' && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .join('');
  }
  throw new InvalidInputError('expected text content', { source });
}
