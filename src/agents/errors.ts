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
  /** Whether the provider said the call may succeed if repeated (rate limit, overload, network error). */
  readonly retryable: boolean;

  constructor(options: { model: string; message: string; statusCode?: number; retryable?: boolean; cause?: unknown }) {
    const status = options.statusCode === undefined ? '' : ` (HTTP ${options.statusCode})`;
    super(`call to model ${options.model} failed${status}: ${options.message}`, { cause: options.cause });
    this.model = options.model;
    this.statusCode = options.statusCode;
    this.retryable = options.retryable ?? false;
  }
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
