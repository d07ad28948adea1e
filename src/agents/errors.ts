/**
 * Errors of the agent adapters: a model call that failed, and a reply with no parsable action. Both extend
 * `DspError`, so `DspError.isInstance` recognises them across copies of the package.
 */
import { DspError } from '../core/errors.js';

/** A call to a language model failed (HTTP error, unreachable server, provider error). Never a cancellation. */
export class ModelCallError extends DspError {
  override readonly name = 'ModelCallError' as const;
  /** The model that was called, e.g. `gpt-4.1-mini`. */
  readonly model: string;
  /** The HTTP status of the failed response, when there was a response. */
  readonly statusCode: number | undefined;
  /**
   * Whether the failure is transient, so that repeating the call may succeed: HTTP 408, 409, 429 and 5xx, a
   * connection refused or reset, a reply stream that broke off, a timeout (`isTransientStatus`, `isNetworkFailure`);
   * a server's `x-should-retry` header overrides the status. Never true for 400, 401, 403, 404.
   */
  readonly retryable: boolean;
  /** How long the server asked to wait before a retry (`retry-after-ms` or `retry-after`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** True when the call was aborted because it ran past its timeout (`timeoutMs`); such a failure is transient. */
  readonly timedOut: boolean;

  constructor(options: {
    model: string;
    message: string;
    statusCode?: number;
    retryable?: boolean;
    retryAfterMs?: number;
    timedOut?: boolean;
    cause?: unknown;
  }) {
    const status = options.statusCode === undefined ? '' : ` (HTTP ${options.statusCode})`;
    super(`call to model ${options.model} failed${status}: ${options.message}`, { cause: options.cause });
    this.model = options.model;
    this.statusCode = options.statusCode;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.timedOut = options.timedOut ?? false;
  }
}

/** HTTP statuses worth a retry, as the OpenAI and AI SDKs judge them: 408, 409, 429 and every 5xx. */
export function isTransientStatus(statusCode: number): boolean {
  return statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/** Error codes of Node.js and undici for a connection that failed, was refused, reset or timed out. */
const networkFailureCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** True when an error, or any error in its `cause` chain, carries the code of a failed connection. */
export function isNetworkFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkFailureCodes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The wait a server asked for before a retry, in milliseconds: `retry-after-ms` (milliseconds), else `retry-after`
 * (seconds, or an HTTP date compared with `nowEpochMs`). Undefined when neither header is there or readable, or the
 * wait is negative. Header names are matched in lower case.
 */
export function retryAfterFromHeaders(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  nowEpochMs: number,
): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = Number.parseFloat(headers['retry-after-ms'] ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter === undefined || retryAfter === '') return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

/** A model's reply contained no action the action space could parse. */
export class NoActionError extends DspError {
  override readonly name = 'NoActionError' as const;
  /** The start of the reply (at most 200 characters), to show what the model said. */
  readonly replyExcerpt: string;
  /** Why parsing failed. */
  readonly reason: string;

  constructor(options: { reply: string; reason: string; model?: string; step?: number }) {
    const excerpt = excerptOf(options.reply);
    const where = [options.model === undefined ? undefined : `model ${options.model}`, options.step === undefined ? undefined : `step ${options.step}`]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`no parsable action in the reply${where === '' ? '' : ` (${where})`}: ${options.reason}; the reply was "${excerpt}"`);
    this.replyExcerpt = excerpt;
    this.reason = options.reason;
  }
}

/** True for a `ModelCallError`, even from another copy of the package. */
export function isModelCallError(error: unknown): error is ModelCallError {
  return DspError.isInstance(error) && error.name === 'ModelCallError';
}

/** True for a `NoActionError`, even from another copy of the package. */
export function isNoActionError(error: unknown): error is NoActionError {
  return DspError.isInstance(error) && error.name === 'NoActionError';
}

/** The first 200 characters of a text on one line, for messages. */
export function excerptOf(text: string, maxLength = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1)}…`;
}
