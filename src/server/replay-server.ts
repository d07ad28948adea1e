/**
 * `dsp serve`: a local OpenAI-compatible server that replays recorded traces, so that live agents (and the whole
 * live stack: provider, HTTP, streaming, cancellation) can run against known answers at known latencies.
 *
 * Routes (loopback only):
 * - `POST /v1/chat/completions` — models `approx` and `target`; streaming (SSE) and non-streaming; `usage` always
 *   included (in the last SSE chunk when streaming), with `prompt_tokens_details.cached_tokens` when the trace
 *   records `cachedInputTokens`. The last user message must start with our prompt header
 *   (`dsp-prompt/1`, see `agents/prompt-format.ts`), or the request offers `tools`: a tool agent's step is then
 *   answered in OpenAI's native format, an assistant message with `tool_calls` or the final text
 *   (`tool-answers.ts`). The reply waits the recorded latency divided by `speed`;
 *   a streamed reply sends its first words after `firstTokenShare` of that time and the rest spread until the end.
 * - `GET /v1/models` — the two models.
 * - `GET /stats` — request counters, including requests the client aborted before the reply ended.
 *
 * A last user message that is a TravelPlanner ReAct prompt (the benchmark's own format) is answered instead by
 * `travelplanner-answers.ts`, by the same rules.
 *
 * A request's OpenAI `tool_choice` is honoured as far as a recording can (`tool-choice.ts`): a recorded step it
 * forbids (tool calls under `"none"`, the final text under `"required"`, a call of another function than the one it
 * names) is refused with a 400 (`param` `tool_choice`, code `tool_choice_not_recorded`) that says what was asked and
 * what the recording holds, never answered as if allowed; a malformed value, or one that asks for tools the request
 * does not offer, is a 400 too.
 *
 * A request with `logprobs: true` (and optionally `top_logprobs`) gets `choices[0].logprobs.content` — in each
 * chunk for the chunk's text when streaming — derived from the recorded call's `confidence`, when the trace has
 * one for the call that spells the action (`logprobs-answers.ts`); otherwise the answer has no `logprobs`, as
 * every answer to a request that does not ask.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealClock, type Clock } from '../core/clock.js';
import { InvalidInputError, describeCause, isInvalidInputError } from '../core/errors.js';
import type { Role } from '../core/types.js';
import { type CallKind, parsePromptHeader } from '../agents/prompt-format.js';
import { answerPlannerPrompt, answerTravelPlannerPrompt, isPlannerPrompt, isTravelPlannerPrompt } from './travelplanner-answers.js';
import type { Trace } from '../traces/schema.js';
import { isReplayLookupError, type ReplayAnswer, TraceBook } from './replay-answers.js';
import { isToolRequest, readToolConversation, type ToolReplayAnswer, ToolTraceBook, toolCallDeltas } from './tool-answers.js';
import { type ChatTokenLogprob, type LogprobsAsked, logprobsAskedIn, replyLogprobs } from './logprobs-answers.js';
import { type ToolChoice, offeredToolNames, toolChoiceIn, toolChoiceRequestConflict, toolChoiceViolation } from './tool-choice.js';

/** Options of `startReplayServer`. */
export interface ReplayServerOptions {
  traces: readonly Trace[];
  /** The address to listen on; loopback only. Default `127.0.0.1`. */
  host?: string;
  /** The port; 0 picks a free one. Default 0. */
  port?: number;
  /** Recorded latencies are divided by this factor (10 = ten times faster), at least `minReplaySpeed`. Default 1. */
  speed?: number;
  /** Share of a streamed reply's latency before its first words. Default 0.25. */
  firstTokenShare?: number;
  /** The clock to wait on. Default: the real clock. */
  clock?: Clock;
}

/** Counters of one role. */
export interface RoleStats {
  requests: number;
  completed: number;
  aborted: number;
}

/** Counters of a replay server since it started. */
export interface ReplayStats {
  /** Chat-completion requests received (valid or not). */
  requests: number;
  /** Replies sent to the end. */
  completed: number;
  /** Requests whose client went away (cancelled the call) before the reply ended. */
  aborted: number;
  /** Requests answered with an error status. */
  failed: number;
  /** Requests on a prefix the trace never saw (speculation past a wrong guess). */
  offTrace: number;
  byRole: Record<Role, RoleStats>;
  /**
   * Requests per strategy sub-call; `tools` counts native tool-calling requests (with OpenAI `tools`), `planner`
   * TravelPlanner's planner prompts.
   */
  byCall: Partial<Record<CallKind | 'tools' | 'planner', number>>;
}

/** A running replay server. */
export interface ReplayServer {
  /** The OpenAI-compatible base URL, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** A snapshot of the counters. */
  stats(): ReplayStats;
  /** Stops listening and drops open connections (pending replies are abandoned). */
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);
const maxBodyBytes = 1 << 20;
const servedModels: readonly Role[] = ['approx', 'target'];

/** True for an address only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Throws `InvalidInputError` unless `host` is a loopback address, naming `source` (default `host`; a command passes
 * its option, e.g. `--host`).
 */
export function checkLoopbackHost(host: string, source = 'host'): void {
  if (!isLoopbackHost(host)) {
    throw new InvalidInputError(`"${host}" is not a loopback address; dsp serve listens on 127.0.0.1, ::1 or localhost only`, {
      source,
    });
  }
}

/** An HTTP error answered in OpenAI's error shape; `param` names the request field at fault, when one is. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * The smallest `speed`: the longest call a trace may record (a day) slowed down by it (20 days) must still fit one
 * timer wait (2^31 − 1 ms, some 24.8 days), which would otherwise fire at once, replaying fast what was asked slow.
 */
export const minReplaySpeed = 0.05;

/** Starts a replay server; resolves once it listens. */
// one piece: the request handler closes over the server's traces, counters and open responses, which `close()`
// must see as they are.
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const host = options.host ?? '127.0.0.1';
  checkLoopbackHost(host);
  const speed = options.speed ?? 1;
  if (!(speed >= minReplaySpeed) || !Number.isFinite(speed)) {
    throw new InvalidInputError(`must be a number ≥ ${minReplaySpeed} (${1 / minReplaySpeed} times slower), got ${speed}`, { source: 'speed' });
  }
  const firstTokenShare = options.firstTokenShare ?? 0.25;
  if (!(firstTokenShare >= 0 && firstTokenShare <= 1)) {
    throw new InvalidInputError(`firstTokenShare must be between 0 and 1, got ${firstTokenShare}`);
  }
  const clock = options.clock ?? new RealClock();
  const book = new TraceBook(options.traces);
  const toolBook = new ToolTraceBook(options.traces);
  const stats: ReplayStats = {
    requests: 0,
    completed: 0,
    aborted: 0,
    failed: 0,
    offTrace: 0,
    byRole: { approx: emptyRoleStats(), target: emptyRoleStats() },
    byCall: {},
  };
  let responseCounter = 0;

  /** The replay's answer to a request: a native tool-calling request, a TravelPlanner ReAct prompt, or our header. */
  const chooseAnswer = (body: unknown, prompt: string, role: Role): ReplayAnswer | ToolReplayAnswer => {
    try {
      if (isToolRequest(body)) {
        stats.byCall.tools = (stats.byCall.tools ?? 0) + 1;
        return toolBook.answer(role, readToolConversation((body as { messages: unknown }).messages));
      }
      if (isPlannerPrompt(prompt)) {
        // TravelPlanner's planner call: the recorded plan, else a stated placeholder.
        stats.byCall.planner = (stats.byCall.planner ?? 0) + 1;
        return answerPlannerPrompt(book, prompt);
      }
      if (isTravelPlannerPrompt(prompt)) {
        // The TravelPlanner benchmark's own ReAct prompt, read by its module.
        const replay = answerTravelPlannerPrompt(book, role, prompt);
        stats.byCall[replay.kind] = (stats.byCall[replay.kind] ?? 0) + 1;
        return replay.answer;
      }
      const header = parsePromptHeader(prompt, 'the last user message');
      stats.byCall[header.kind] = (stats.byCall[header.kind] ?? 0) + 1;
      return book.answer(role, header);
    } catch (error) {
      if (isInvalidInputError(error)) throw new HttpError(400, error.message, 'invalid_prompt');
      if (isReplayLookupError(error)) throw new HttpError(404, error.message, 'not_in_traces');
      throw error;
    }
  };

  const handleChat = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const gone = new AbortController();
    // Known once the body is read; the close handler may run before.
    const caller: { role?: Role } = {};
    response.on('close', () => {
      if (!response.writableFinished) {
        stats.aborted += 1;
        if (caller.role !== undefined) stats.byRole[caller.role].aborted += 1;
        gone.abort(new Error('client closed the connection'));
      }
    });
    const body = await readJsonBody(request);
    const { model, prompt, stream, logprobs: logprobsAsked, toolChoice } = readChatRequest(body);
    if (!(servedModels as readonly string[]).includes(model)) {
      throw new HttpError(404, `model "${model}" does not exist; this server serves ${servedModels.join(' and ')}`, 'model_not_found');
    }
    const role = model as Role;
    caller.role = role;
    stats.byRole[role].requests += 1;
    const answer = chooseAnswer(body, prompt, role);
    if (!answer.onTrace) stats.offTrace += 1;
    const toolCalls = 'toolCalls' in answer ? answer.toolCalls : [];
    if (toolChoice !== undefined) {
      // A recording cannot answer anything else: a step the request forbids is refused, never sent as if allowed.
      const violation = toolChoiceViolation(toolChoice, { toolNames: toolCalls.map((call) => call.function.name), text: answer.text });
      if (violation !== undefined) throw new HttpError(400, violation, 'tool_choice_not_recorded', 'tool_choice');
    }
    const totalMs = answer.latencyMs / speed;
    const id = `chatcmpl-replay-${++responseCounter}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = openAiUsage(answer);
    const stopReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';
    /** The tokens of the reply's pieces with their log-probabilities, when asked for and recorded. */
    const logprobsOf = (pieces: readonly string[]): ChatTokenLogprob[][] | undefined =>
      answerLogprobs(answer, toolCalls.length > 0, pieces, logprobsAsked);

    if (!stream) {
      await clock.sleep(totalMs, gone.signal);
      sendJson(response, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: toolCalls.length > 0 ? { role: 'assistant', content: null, tool_calls: toolCalls } : { role: 'assistant', content: answer.text },
            ...withLogprobs(logprobsOf([answer.text])?.[0]),
            finish_reason: stopReason,
          },
        ],
        usage,
      });
    } else {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.flushHeaders();
      const chunk = (delta: Record<string, unknown>, finishReason: string | null, tokens?: ChatTokenLogprob[]): string =>
        sse({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, ...withLogprobs(tokens), finish_reason: finishReason }] });
      const textPieces = splitReply(answer.text);
      const pieceLogprobs = logprobsOf(textPieces);
      const pieces = toolCalls.length > 0 ? toolCallDeltas(toolCalls) : textPieces.map((content) => ({ content }));
      const firstMs = totalMs * firstTokenShare;
      let elapsedMs = 0;
      for (let index = 0; index < pieces.length; index += 1) {
        const dueMs = firstMs + ((totalMs - firstMs) * index) / pieces.length;
        await clock.sleep(dueMs - elapsedMs, gone.signal);
        elapsedMs = dueMs;
        response.write(chunk(index === 0 ? { role: 'assistant', ...pieces[index] } : pieces[index]!, null, pieceLogprobs?.[index]));
      }
      await clock.sleep(totalMs - elapsedMs, gone.signal);
      response.write(chunk({}, stopReason));
      response.write(sse({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }));
      response.end('data: [DONE]\n\n');
    }
    stats.completed += 1;
    stats.byRole[role].completed += 1;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    try {
      if (path === '/v1/chat/completions') {
        if (request.method !== 'POST') throw new HttpError(405, 'use POST', 'method_not_allowed');
        await handleChat(request, response);
      } else if (path === '/v1/models' && request.method === 'GET') {
        sendJson(response, 200, {
          object: 'list',
          data: servedModels.map((id) => ({ id, object: 'model', created: 0, owned_by: 'dsp-replay' })),
        });
      } else if (path === '/stats' && request.method === 'GET') {
        sendJson(response, 200, snapshot(stats));
      } else {
        throw new HttpError(404, `no route ${request.method ?? 'GET'} ${path}; try POST /v1/chat/completions`, 'not_found');
      }
    } catch (error) {
      if (response.destroyed || response.writableEnded) return;
      stats.failed += request.method === 'POST' && path === '/v1/chat/completions' ? 1 : 0;
      if (error instanceof HttpError) {
        const param = error.param === undefined ? {} : { param: error.param };
        sendJson(response, error.status, { error: { message: error.message, type: 'invalid_request_error', ...param, code: error.code } });
      } else if (response.headersSent) {
        response.destroy();
      } else {
        sendJson(response, 500, { error: { message: describeCause(error), type: 'server_error', code: 'internal' } });
      }
    }
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}/v1`,
    host: address.address,
    port: address.port,
    stats: () => snapshot(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

function emptyRoleStats(): RoleStats {
  return { requests: 0, completed: 0, aborted: 0 };
}

function snapshot(stats: ReplayStats): ReplayStats {
  return structuredClone(stats);
}

function openAiUsage(answer: ReplayAnswer): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    prompt_tokens: answer.usage.inputTokens,
    completion_tokens: answer.usage.outputTokens,
    total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
  };
  if (answer.usage.reasoningTokens !== undefined) {
    usage.completion_tokens_details = { reasoning_tokens: answer.usage.reasoningTokens };
  }
  if (answer.usage.cachedInputTokens !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: answer.usage.cachedInputTokens };
  }
  return usage;
}

/** A reply cut into at most 8 pieces at word boundaries, for streaming. */
function splitReply(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [text];
  const size = Math.ceil(words.length / 8);
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += size) pieces.push(words.slice(index, index + size).join(''));
  return pieces.length === 0 ? [''] : pieces;
}

function sse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBodyBytes) throw new HttpError(413, `request body over ${maxBodyBytes} bytes`, 'body_too_large');
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'the request body is not JSON', 'invalid_json');
  }
}

/**
 * The log-probabilities of a text reply's pieces: when the request asked for them and the answer has a recorded
 * confidence and the place of the action in its text; never for tool calls (OpenAI gives none for them either).
 */
function answerLogprobs(
  answer: ReplayAnswer,
  hasToolCalls: boolean,
  pieces: readonly string[],
  asked: LogprobsAsked | undefined,
): ChatTokenLogprob[][] | undefined {
  if (asked === undefined || hasToolCalls || answer.confidence === undefined || answer.actionSpan === undefined) return undefined;
  return replyLogprobs(pieces, answer.actionSpan, answer.confidence, asked);
}

/** A choice's `logprobs` field, when there are tokens to give; nothing otherwise (the answer stays as it was). */
function withLogprobs(tokens: ChatTokenLogprob[] | undefined): { logprobs?: { content: ChatTokenLogprob[]; refusal: null } } {
  return tokens === undefined ? {} : { logprobs: { content: tokens, refusal: null } };
}

/** What the server reads of a chat-completion request. */
interface ChatRequest {
  model: string;
  /** The last user message's text. */
  prompt: string;
  stream: boolean;
  /** What is asked of log-probabilities, if anything. */
  logprobs: LogprobsAsked | undefined;
  /** The request's `tool_choice`, when it has one. */
  toolChoice: ToolChoice | undefined;
}

/** Reads a chat-completion request; a malformed one is an `HttpError` 400 that says what is wrong. */
function readChatRequest(body: unknown): ChatRequest {
  if (typeof body !== 'object' || body === null) throw new HttpError(400, 'the request body must be a JSON object', 'invalid_request');
  const { model, messages, stream } = body as { model?: unknown; messages?: unknown; stream?: unknown };
  if (typeof model !== 'string') throw new HttpError(400, 'the request has no "model"', 'invalid_request');
  if (!Array.isArray(messages)) throw new HttpError(400, 'the request has no "messages" list', 'invalid_request');
  const lastUser = [...(messages as unknown[])].reverse().find(
    (message): message is { role: string; content: unknown } =>
      typeof message === 'object' && message !== null && (message as { role?: unknown }).role === 'user',
  );
  if (lastUser === undefined) throw new HttpError(400, 'the request has no user message', 'invalid_request');
  const { tools } = body as { tools?: unknown };
  if (tools !== undefined && tools !== null && !Array.isArray(tools)) {
    // Read as no tools, it would be answered in our own prompt format, which a tool agent cannot use.
    throw new HttpError(
      400,
      `tools: must be a list of tools such as [{"type": "function", "function": {"name": "…"}}], got ${JSON.stringify(tools)}`,
      'invalid_request',
      'tools',
    );
  }
  let logprobs: LogprobsAsked | undefined;
  try {
    logprobs = logprobsAskedIn(body);
  } catch (error) {
    throw new HttpError(400, (error as Error).message, 'invalid_request');
  }
  const toolChoice = readToolChoice(body);
  return { model, prompt: messageText(lastUser.content), stream: stream === true, logprobs, toolChoice };
}

/** The request's `tool_choice`: a 400 naming the field when it is malformed or asks for tools the request does not offer. */
function readToolChoice(body: object): ToolChoice | undefined {
  let toolChoice: ToolChoice | undefined;
  try {
    toolChoice = toolChoiceIn(body);
  } catch (error) {
    if (!isInvalidInputError(error)) throw error;
    throw new HttpError(400, error.message, 'invalid_request', 'tool_choice');
  }
  const conflict = toolChoice === undefined ? undefined : toolChoiceRequestConflict(toolChoice, offeredToolNames(body));
  if (conflict !== undefined) throw new HttpError(400, conflict, 'invalid_request', 'tool_choice');
  return toolChoice;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text'
          ? textOf((part as { text?: unknown }).text)
          : '',
      )
      .join('');
  }
  throw new HttpError(400, 'the user message has no text content', 'invalid_request');
}
