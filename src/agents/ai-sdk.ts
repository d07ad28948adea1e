/**
 * The AI SDK adapter (exported as `dsp-agent/ai-sdk` by src/ai-sdk.ts): agents and model calls from any AI SDK 6 `LanguageModel`.
 *
 * - Cancellation: the engine's `AbortSignal` is passed to the SDK as `abortSignal` (the HTTP request is
 *   cancelled), and the call rejects with the signal's reason at once, even if the model ignores the signal.
 * - Usage: the provider's report, mapped field by field; an undefined field means unknown, never zero.
 *   Reasoning tokens are kept (they are already part of `outputTokens`), and so are the prompt tokens read from
 *   the provider's cache (`cachedInputTokens`, part of `inputTokens`).
 * - Estimates: a cancelled call is billed by an estimate marked `estimated`: the prompt counted with a bundled
 *   tokenizer, and the output tokens streamed before the abort. The estimate is sent through the engine's
 *   `reportPartialUsage` while the reply streams and once more when the call is cancelled. A provider that reports
 *   no usage is estimated the same way (`estimateMissingUsage`, default on).
 * - Log-probabilities: with `logprobs: true` the request asks the provider for its reply's token log-probabilities
 *   where it offers them (`logprobsRequestFor`), and the reply carries them (`ModelReply.logprobs`), read from the
 *   SDK's `providerMetadata`, streamed or not. A provider that offers none gives none, never an error.
 * - The SDK's own retries are off (`maxRetries: 0`): a retry inside the SDK would hide latency and cost from the
 *   ledger. The caller decides: a failure says whether it is transient (`ModelCallError.retryable`, and the wait
 *   the server asked for in `retryAfterMs`), and live runs retry with every attempt in the ledger (`src/live/`).
 */
import {
  APICallError,
  InvalidResponseDataError,
  JSONParseError,
  RetryError,
  generateText,
  streamText,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
  type ToolSet,
} from 'ai';
import type { JsonValue } from '../core/types.js';
import { maxTimerDelayMs } from '../core/clock.js';
import { DspError, InvalidInputError } from '../core/errors.js';
import type { Agent, Usage } from '../core/types.js';
import type { ActionSpace } from './action-space.js';
import { ModelCallError, isNetworkFailure, isTransientStatus, retryAfterFromHeaders } from './errors.js';
import {
  type ModelCaller,
  type ModelReply,
  type ParseFailure,
  type PlanningStrategy,
  type StrategyName,
  createStrategyAgent,
} from './strategies.js';
import {
  type EncodingName,
  type TokenCounter,
  countPromptTokens,
  encodingForModel,
  loadTokenCounter,
  loadedTokenCounter,
} from './tokenizer.js';
import { compactUsage } from './usage.js';
import { logprobsFromProviderMetadata, logprobsRequestFor, type LogprobsRequest, type TokenLogprob } from './logprobs.js';

/** Generation settings of the adapter. */
export interface AiSdkCallSettings {
  /** Retries of a failed request inside the SDK. Default 0: every attempt is one ledger call, and you decide. */
  maxRetries?: number;
  /** Sampling temperature. Default 0 (as deterministic as the provider allows: speculation needs a steady T). */
  temperature?: number;
  /** Largest reply, in tokens. Default: the provider's. */
  maxOutputTokens?: number;
  /** Provider-specific options, passed through to the SDK as `providerOptions`. */
  providerOptions?: Parameters<typeof streamText>[0]['providerOptions'];
  /**
   * Ask the provider for the log-probabilities of the reply's tokens, where it offers them: OpenAI, DeepSeek and the
   * `openai-compatible` models of `createLanguageModel` (`logprobsRequestFor`). The reply then carries `logprobs`,
   * and a strategy agent turns them into its confidence in its action. Default false. A provider that offers none
   * (Anthropic; a reasoning model; a server that ignores the field) gives none, never an error.
   */
  logprobs?: boolean;
  /**
   * Fill in usage the provider did not report with tokenizer estimates (marked `estimated`). Default true.
   * When false, unreported fields stay undefined (unknown).
   */
  estimateMissingUsage?: boolean;
  /** The tokenizer for estimates. Default: `encodingForModel(model name)`. */
  encoding?: EncodingName;
  /** The model name reported to the ledger for pricing. Default: the model's `modelId`. */
  modelName?: string;
  /**
   * Stream the reply (default true): usage is reported while it streams, so a cancelled call is billed what it
   * produced. Set false for a model that only generates (`doGenerate`); a cancelled call is then billed its prompt.
   */
  streaming?: boolean;
  /**
   * The longest a call may take, in milliseconds, from the request to the end of the reply: past it the HTTP
   * request is aborted and the call fails with a transient `ModelCallError` (`timedOut`), billed by its estimate
   * like a cancelled call. Default: no limit.
   */
  timeoutMs?: number;
}

/** One call of `callLanguageModel`. */
export interface LanguageModelCall extends AiSdkCallSettings {
  model: LanguageModel;
  system?: string;
  /** The user message; or give `messages`. */
  prompt?: string;
  /** The conversation (user, assistant and tool messages), instead of `prompt`. */
  messages?: ModelMessage[];
  /**
   * Tools the model may call. Their `execute` is never run here: the reply's tool calls are returned, for the
   * caller to execute.
   */
  tools?: ToolSet;
  /** Cancels the call; the promise then rejects with `signal.reason` (a timeout rejects with `ModelCallError`). */
  signal?: AbortSignal;
  /** Receives the usage so far, estimated, while the reply streams and once more if the call is cancelled. */
  onPartialUsage?: (usage: Usage) => void;
}

/** A tool call in a model's reply: the tool's name and its input, parsed and validated against its schema. */
export interface ModelToolCall {
  toolName: string;
  input: JsonValue;
  /** Set when the call cannot run (no such tool, input not valid): why. */
  error?: string;
}

/** A model's reply with the tool calls it made. */
export interface LanguageModelReply extends ModelReply {
  toolCalls: ModelToolCall[];
}

export type { TokenLogprob };

/** The name of a `LanguageModel`: its `modelId`, or the string itself for a gateway model id. */
export function modelNameOf(model: LanguageModel): string {
  return typeof model === 'string' ? model : model.modelId;
}

/** Maps the SDK's usage to ours: each field copied, undefined kept as unknown. */
export function mapLanguageModelUsage(usage: LanguageModelUsage | undefined): Usage {
  if (usage === undefined) return {};
  return compactUsage({
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    reasoningTokens: usage.outputTokenDetails?.reasoningTokens ?? usage.reasoningTokens,
    cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens ?? usage.cachedInputTokens,
  });
}

/**
 * Calls a language model once (streaming unless `streaming: false`) and returns its reply text, tool calls and
 * usage. Rejects with the signal's reason when cancelled, with `ModelCallError` when the model fails.
 */
// one piece: the request, the stream tally, the abort race and the timeout share the call's mutable state
// (tally, finish usage, listeners), which must be released in one `finally`.
// eslint-disable-next-line max-lines-per-function -- must stay one piece, see the comment above
export async function callLanguageModel(call: LanguageModelCall): Promise<LanguageModelReply> {
  const { model, timeoutMs } = call;
  call.signal?.throwIfAborted();
  const modelName = call.modelName ?? modelNameOf(model);
  if (timeoutMs !== undefined && !(timeoutMs > 0 && timeoutMs <= maxTimerDelayMs)) {
    throw new InvalidInputError(`timeoutMs must be a number of milliseconds from 1 to ${maxTimerDelayMs}, got ${timeoutMs}`);
  }
  // The timeout aborts the request like a cancellation, with a transient failure as the reason.
  const timeout = timeoutMs === undefined ? undefined : new AbortController();
  const timer =
    timeout === undefined
      ? undefined
      : setTimeout(() => {
          timeout.abort(
            new ModelCallError({ model: modelName, message: `no complete reply within ${timeoutMs} ms`, retryable: true, timedOut: true }),
          );
        }, timeoutMs);
  const signal =
    timeout === undefined ? call.signal : call.signal === undefined ? timeout.signal : AbortSignal.any([call.signal, timeout.signal]);
  const encoding = call.encoding ?? encodingForModel(modelName);
  const conversation = conversationOf(call);
  const messageTexts = [
    ...(call.system === undefined ? [] : [call.system]),
    ...conversation.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))),
  ];
  const stream = new StreamTally(messageTexts, encoding);
  const toolCalls: ModelToolCall[] = [];
  const tools = call.tools === undefined ? undefined : withoutExecution(call.tools);

  const report = (): void => {
    const partial = stream.partialUsage(loadedTokenCounter(encoding));
    if (partial !== undefined) call.onPartialUsage?.(partial);
  };

  let active = true;
  if (loadedTokenCounter(encoding) === undefined) {
    // Build the tokenizer in the background and catch up on the estimate once it is ready, so that a call
    // cancelled while it streams has been reporting its usage (a live run preloads it to avoid the stall).
    void loadTokenCounter(encoding).then(
      () => {
        if (active) report();
      },
      () => undefined,
    );
  }

  let finishUsage: LanguageModelUsage | undefined;
  let providerMetadata: unknown;
  const providerOptions = call.logprobs === true ? withLogprobsRequest(call.providerOptions, model) : call.providerOptions;
  const request = {
    model,
    ...(call.system === undefined ? {} : { system: call.system }),
    messages: conversation,
    ...(tools === undefined ? {} : { tools }),
    ...(signal === undefined ? {} : { abortSignal: signal }),
    maxRetries: call.maxRetries ?? 0,
    temperature: call.temperature ?? 0,
    ...(call.maxOutputTokens === undefined ? {} : { maxOutputTokens: call.maxOutputTokens }),
    ...(providerOptions === undefined ? {} : { providerOptions }),
  };
  const generate = async (): Promise<void> => {
    const result = await generateText(request);
    for (const part of result.content) {
      if (part.type === 'tool-call') toolCalls.push(toolCallOf(part));
    }
    stream.addText(result.text, loadedTokenCounter(encoding));
    finishUsage = result.totalUsage;
    providerMetadata = result.providerMetadata;
  };
  const consume = async (): Promise<void> => {
    const result = streamText({
      ...request,
      // Errors reach us as stream parts; the SDK's default handler would also print them.
      onError: () => undefined,
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          stream.addText(part.text, loadedTokenCounter(encoding));
          report();
          break;
        case 'reasoning-delta':
          stream.addReasoning(part.text, loadedTokenCounter(encoding));
          report();
          break;
        case 'tool-input-delta':
          stream.addToolInput(part.delta, loadedTokenCounter(encoding));
          report();
          break;
        case 'tool-call':
          toolCalls.push(toolCallOf(part));
          break;
        case 'finish-step':
          // One step: the tools are never executed here, so the model is called once.
          providerMetadata = part.providerMetadata;
          break;
        case 'finish':
          finishUsage = part.totalUsage;
          break;
        case 'error':
          throw part.error;
        case 'abort':
          throw signal?.reason ?? new Error('the model call was aborted');
        default:
          break;
      }
    }
  };

  let removeAbortListener = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    if (signal === undefined) return;
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    removeAbortListener = () => signal.removeEventListener('abort', onAbort);
  });
  const consuming = call.streaming === false ? generate() : consume();
  try {
    // Race the stream against the signal: a model that ignores the signal must not hold the call open.
    await Promise.race([consuming, aborted]);
  } catch (error) {
    if (signal?.aborted) {
      consuming.catch(() => undefined);
      const counter = await loadTokenCounter(encoding);
      call.onPartialUsage?.(stream.partialUsage(counter)!);
      throw signal.reason;
    }
    throw toModelCallError(error, modelName);
  } finally {
    active = false;
    removeAbortListener();
    clearTimeout(timer);
  }

  let usage = mapLanguageModelUsage(finishUsage);
  if ((call.estimateMissingUsage ?? true) && (usage.inputTokens === undefined || usage.outputTokens === undefined)) {
    const estimate = stream.partialUsage(await loadTokenCounter(encoding))!;
    usage = {
      ...usage,
      inputTokens: usage.inputTokens ?? estimate.inputTokens,
      outputTokens: usage.outputTokens ?? estimate.outputTokens,
      estimated: true,
    };
  }
  const logprobs = call.logprobs === true ? logprobsFromProviderMetadata(providerMetadata) : undefined;
  return { text: stream.text, toolCalls, usage, model: modelName, ...(logprobs === undefined ? {} : { logprobs }) };
}

/** The call's provider options with the request for log-probabilities of the model's provider merged in. */
function withLogprobsRequest(providerOptions: AiSdkCallSettings['providerOptions'], model: LanguageModel): AiSdkCallSettings['providerOptions'] {
  const request: LogprobsRequest | undefined = typeof model === 'string' ? undefined : logprobsRequestFor(model.provider);
  if (request === undefined) return providerOptions;
  const merged = { ...providerOptions };
  for (const [provider, options] of Object.entries(request)) merged[provider] = { ...options, ...providerOptions?.[provider] };
  return merged;
}

function conversationOf(call: LanguageModelCall): ModelMessage[] {
  if (call.messages !== undefined) return call.messages;
  if (call.prompt !== undefined) return [{ role: 'user', content: call.prompt }];
  throw new TypeError('callLanguageModel needs a prompt or messages');
}

/** The tools as the model sees them: schemas only, so the SDK never runs them (or their input hooks) itself. */
function withoutExecution(tools: ToolSet): ToolSet {
  const described: ToolSet = {};
  for (const [name, tool] of Object.entries(tools)) {
    const schema: Record<string, unknown> = { ...tool };
    for (const key of ['execute', 'onInputStart', 'onInputDelta', 'onInputAvailable', 'needsApproval']) delete schema[key];
    described[name] = schema as ToolSet[string];
  }
  return described;
}

/** A tool call part of the SDK as ours: an invalid call (unknown tool, bad input) keeps its input and says why. */
function toolCallOf(part: { toolName: string; input: unknown; invalid?: boolean; error?: unknown }): ModelToolCall {
  const input = (part.input === undefined ? null : part.input) as JsonValue;
  if (part.invalid === true) {
    return { toolName: part.toolName, input, error: part.error instanceof Error ? part.error.message : String(part.error) };
  }
  return { toolName: part.toolName, input };
}

/** Counts what a call sent and what streamed back, for estimates. */
class StreamTally {
  text = '';
  private reasoningText = '';
  private countedOutputTokens = 0;
  private countedReasoningTokens = 0;
  /** Characters of output not counted yet (streamed before the tokenizer was ready). */
  private uncountedText = '';
  private inputTokens: number | undefined;

  constructor(
    private readonly messages: readonly string[],
    private readonly encoding: EncodingName,
  ) {}

  addText(delta: string, counter: TokenCounter | undefined): void {
    this.text += delta;
    this.count(delta, counter, false);
  }

  addReasoning(delta: string, counter: TokenCounter | undefined): void {
    this.reasoningText += delta;
    this.count(delta, counter, true);
  }

  /** A tool call's input as it streams: output tokens, not part of the reply's text. */
  addToolInput(delta: string, counter: TokenCounter | undefined): void {
    this.count(delta, counter, false);
  }

  /** Estimated usage so far; undefined while the tokenizer is not built yet. */
  partialUsage(counter: TokenCounter | undefined): Usage | undefined {
    if (counter === undefined || counter.encoding !== this.encoding) return undefined;
    this.inputTokens ??= countPromptTokens(counter, this.messages);
    if (this.uncountedText !== '') {
      this.countedOutputTokens += counter.count(this.uncountedText);
      this.uncountedText = '';
    }
    const usage: Usage = { inputTokens: this.inputTokens, outputTokens: this.countedOutputTokens, estimated: true };
    if (this.reasoningText !== '') usage.reasoningTokens = this.countedReasoningTokens;
    return usage;
  }

  private count(delta: string, counter: TokenCounter | undefined, reasoning: boolean): void {
    if (counter === undefined || counter.encoding !== this.encoding) {
      // Reasoning and text are billed alike; only the reasoning share is lost before the tokenizer is ready.
      this.uncountedText += delta;
      return;
    }
    // Deltas are counted one by one: providers stream about a token per delta, so the sum is close to the count
    // of the whole text, at a fraction of the work.
    const tokens = counter.count(delta);
    this.countedOutputTokens += tokens;
    if (reasoning) this.countedReasoningTokens += tokens;
  }
}

/**
 * Wraps any failure of the SDK in a `ModelCallError` (dsp errors pass through), judging whether it is transient:
 * by the HTTP status of an error response (`isTransientStatus`) unless the server's `x-should-retry` header says
 * otherwise; with no error response, by the error codes of a failed connection (`isNetworkFailure`), which covers a
 * reply cut mid-stream, and by whether a reply stream broke off (`isBrokenStream`, `streamedProviderError`).
 */
export function toModelCallError(error: unknown, modelName: string, nowEpochMs = Date.now()): DspError {
  if (DspError.isInstance(error)) return error;
  const last = RetryError.isInstance(error) ? error.lastError : error;
  if (APICallError.isInstance(last)) {
    const headers = lowerCaseKeys(last.responseHeaders);
    const shouldRetry = headers?.['x-should-retry'];
    const statusCode = last.statusCode;
    const options: ConstructorParameters<typeof ModelCallError>[0] = {
      model: modelName,
      message: statusCode === undefined ? `${last.message} (${last.url})` : last.message,
      // A status below 400 means the reply started and then broke (say, a connection reset mid-stream).
      retryable:
        statusCode !== undefined && statusCode >= 400
          ? shouldRetry === 'true' || (shouldRetry !== 'false' && isTransientStatus(statusCode))
          : last.isRetryable || isNetworkFailure(last),
      cause: error,
    };
    if (statusCode !== undefined) options.statusCode = statusCode;
    const retryAfterMs = retryAfterFromHeaders(headers, nowEpochMs);
    if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
    return new ModelCallError(options);
  }
  if (last instanceof Error) {
    return new ModelCallError({ model: modelName, message: last.message, retryable: isNetworkFailure(last) || isBrokenStream(last), cause: error });
  }
  return streamedProviderError(last, modelName, error);
}

/**
 * A reply stream that broke off: an event that is not JSON (a stream cut inside an event) or a stream that ended
 * without a finish reason (cut between events, or with no choice at all). Transient, like a connection reset
 * mid-stream: the same request may well be answered in full. A whole reply body that is not JSON is not (it comes
 * as an `APICallError` with its status).
 */
function isBrokenStream(error: Error): boolean {
  return JSONParseError.isInstance(error) || InvalidResponseDataError.isInstance(error);
}

/**
 * An error a provider sent inside a reply stream that had started (OpenAI's `data: {"error": {...}}`), which the
 * SDK hands on as the plain object: its message is the provider's, and it is transient unless its status (`code`
 * or `status`, when a number) says otherwise, as a server failure mid-reply is.
 */
function streamedProviderError(value: unknown, modelName: string, cause: unknown): ModelCallError {
  const fields = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const text = (key: string): string | undefined => (typeof fields[key] === 'string' ? fields[key] : undefined);
  const status = [fields.code, fields.status].find((field): field is number => typeof field === 'number');
  const kind = [text('type'), text('code')].filter((part) => part !== undefined).join(', ');
  const message =
    text('message') === undefined
      ? `the reply stream carried an error: ${JSON.stringify(value) ?? String(value)}`
      : `${text('message')}${kind === '' ? '' : ` (${kind})`}`;
  return new ModelCallError({ model: modelName, message, retryable: status === undefined || isTransientStatus(status), cause });
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
}

/** A `ModelCaller` (for strategies) that calls an AI SDK `LanguageModel`. */
export function createModelCaller(model: LanguageModel, settings: AiSdkCallSettings = {}): ModelCaller {
  return (request, options) =>
    callLanguageModel({
      ...settings,
      model,
      // An empty system message is not sent (the TravelPlanner prompt is one user message, as the benchmark's).
      ...(request.system === '' ? {} : { system: request.system }),
      prompt: request.prompt,
      signal: options.signal,
      onPartialUsage: options.onPartialUsage,
    });
}

/** Options of `createAiSdkAgent`. */
export interface AiSdkAgentOptions extends AiSdkCallSettings {
  model: LanguageModel;
  actionSpace: ActionSpace;
  /** The planning strategy. Default `direct`. */
  strategy?: StrategyName | PlanningStrategy;
  /** What to do with a reply with no parsable action (see `createStrategyAgent`). Default `throw`. */
  onUnparsable?: 'mismatch' | 'throw';
  /** Told about every reply with no parsable action. */
  onParseFailure?: (failure: ParseFailure) => void;
}

/**
 * An engine `Agent` from an AI SDK `LanguageModel`.
 *
 * @example
 * const target = createAiSdkAgent({ model: openai('gpt-4.1'), actionSpace: openAgiActionSpace, strategy: 'react' });
 */
export function createAiSdkAgent(options: AiSdkAgentOptions): Agent {
  const { model, actionSpace, strategy, onUnparsable, onParseFailure, ...settings } = options;
  const agentOptions: Parameters<typeof createStrategyAgent>[0] = {
    strategy: strategy ?? 'direct',
    actionSpace,
    callModel: createModelCaller(model, settings),
  };
  if (onUnparsable !== undefined) agentOptions.onUnparsable = onUnparsable;
  if (onParseFailure !== undefined) agentOptions.onParseFailure = onParseFailure;
  return createStrategyAgent(agentOptions);
}

