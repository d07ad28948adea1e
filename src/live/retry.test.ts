import { APICallError, InvalidResponseDataError, JSONParseError } from 'ai';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/rng.js';
import { ModelCallError, NoActionError } from '../agents/errors.js';
import { toModelCallError } from '../agents/ai-sdk.js';
import { decideRetry, retryDefaults, retryDelayMs } from './retry.js';

/** An HTTP failure as the AI SDK reports it, mapped the way the adapter maps it. */
function httpFailure(statusCode: number, headers: Record<string, string> = {}): unknown {
  return toModelCallError(
    new APICallError({ message: `status ${statusCode}`, url: 'http://127.0.0.1/v1', requestBodyValues: {}, statusCode, responseHeaders: headers }),
    'gpt-4.1',
    Date.UTC(2025, 9, 1, 12, 0, 0),
  );
}

const noJitter = () => 0;

function retried(error: unknown, options: { speculative?: boolean; retriesDone?: number; cancelled?: boolean } = {}): boolean {
  return decideRetry(
    { error, retriesDone: options.retriesDone ?? 0, speculative: options.speculative ?? false, cancelled: options.cancelled ?? false },
    {},
    noJitter,
  ).retry;
}

describe('which failures are retried', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 529])('HTTP %i is transient', (status) => {
    expect(retried(httpFailure(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 413, 422])('HTTP %i is not', (status) => {
    expect(retried(httpFailure(status))).toBe(false);
  });

  it('a refused or reset connection and a reply cut mid-stream are transient', () => {
    const refused = new APICallError({
      message: 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:9',
      url: 'http://127.0.0.1:9/v1',
      requestBodyValues: {},
      isRetryable: true,
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(retried(toModelCallError(refused, 'm'))).toBe(true);
    // undici's "terminated" with a socket error as its cause, behind a 200 whose stream broke.
    const cut = new APICallError({
      message: 'Failed to process successful response',
      url: 'http://127.0.0.1/v1',
      requestBodyValues: {},
      statusCode: 200,
      cause: new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }),
    });
    expect(retried(toModelCallError(cut, 'm'))).toBe(true);
    expect(retried(toModelCallError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'm'))).toBe(true);
  });

  it('a reply stream that broke off is transient, and an error event keeps the provider\'s message', () => {
    const cutInsideEvent = new JSONParseError({ text: '{"choices":[{"delta":{"content":"<tool>Im', cause: new SyntaxError('Unterminated string') });
    expect(retried(toModelCallError(cutInsideEvent, 'm'))).toBe(true);
    expect(retried(toModelCallError(new InvalidResponseDataError({ data: undefined, message: 'Response stream ended without a finish reason.' }), 'm'))).toBe(true);
    const errorEvent = toModelCallError({ message: 'The server had an error while processing your request.', type: 'server_error' }, 'm');
    expect(errorEvent.message).toBe('call to model m failed: The server had an error while processing your request. (server_error)');
    expect(retried(errorEvent)).toBe(true);
    expect(retried(toModelCallError({ message: 'slow down', code: 429 }, 'm'))).toBe(true);
    expect(retried(toModelCallError({ message: 'context too long', code: 400 }, 'm'))).toBe(false);
    expect(toModelCallError({ code: 'overloaded' }, 'm').message).toBe('call to model m failed: the reply stream carried an error: {"code":"overloaded"}');
  });

  it('a reply with no parsable action and any error that is not a model call failure are not', () => {
    expect(retried(new NoActionError({ reply: 'Hard to say.', reason: 'no tag' }))).toBe(false);
    expect(retried(new Error('a bug'))).toBe(false);
    const broken = new APICallError({ message: 'bad JSON', url: 'u', requestBodyValues: {}, statusCode: 200 });
    expect(retried(toModelCallError(broken, 'm'))).toBe(false);
  });

  it('the server’s x-should-retry header overrides the status', () => {
    expect(retried(httpFailure(503, { 'x-should-retry': 'false' }))).toBe(false);
    expect(retried(httpFailure(400, { 'X-Should-Retry': 'true' }))).toBe(true);
  });

  it('nothing is retried once the call was cancelled (its round moved on)', () => {
    expect(retried(httpFailure(503), { cancelled: true })).toBe(false);
    expect(retried(httpFailure(503), { cancelled: true, speculative: true })).toBe(false);
  });

  it('stops after the allowed retries (2 by default)', () => {
    expect(retryDefaults.retries).toBe(2);
    expect(retried(httpFailure(500), { retriesDone: 1 })).toBe(true);
    expect(retried(httpFailure(500), { retriesDone: 2 })).toBe(false);
    const decision = decideRetry({ error: httpFailure(500), retriesDone: 2, speculative: false, cancelled: false }, { retries: 5 }, noJitter);
    expect(decision.retry).toBe(true);
    expect(decideRetry({ error: httpFailure(500), retriesDone: 0, speculative: false, cancelled: false }, { retries: 0 }, noJitter)).toEqual({
      retry: false,
      reason: 'no-retries-left',
    });
  });

  it('a speculative request refused with 429 is not retried; a committed one is; other failures are retried either way', () => {
    expect(decideRetry({ error: httpFailure(429), retriesDone: 0, speculative: true, cancelled: false }, {}, noJitter)).toEqual({
      retry: false,
      reason: 'speculative-rate-limited',
    });
    expect(retried(httpFailure(429), { speculative: false })).toBe(true);
    expect(retried(httpFailure(503), { speculative: true })).toBe(true);
  });
});

describe('how long to wait before a retry', () => {
  it('honours retry-after-ms, then retry-after in seconds or as an HTTP date', () => {
    const wait = (headers: Record<string, string>): unknown => {
      const decision = decideRetry({ error: httpFailure(429, headers), retriesDone: 0, speculative: false, cancelled: false }, {}, noJitter);
      return decision.retry ? decision.delayMs : decision;
    };
    expect(wait({ 'retry-after-ms': '1500' })).toBe(1500);
    expect(wait({ 'retry-after-ms': '250', 'retry-after': '9' })).toBe(250);
    expect(wait({ 'retry-after': '3' })).toBe(3000);
    // httpFailure's clock reads 2025-10-01 12:00:00 UTC.
    expect(wait({ 'retry-after': 'Wed, 01 Oct 2025 12:00:07 GMT' })).toBe(7000);
    // No header: the first backoff, 500 ms.
    expect(wait({})).toBe(500);
    // Longer than a minute: ignored, the backoff instead (the AI SDK does the same).
    expect(wait({ 'retry-after': '120' })).toBe(500);
  });

  it('backs off exponentially up to the cap, with jitter in [1 − jitter, 1] from the injected random source', () => {
    expect([0, 1, 2, 3, 4, 5].map((retriesDone) => retryDelayMs(retriesDone, undefined, {}, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000,
    ]);
    const random = seededRandom(7);
    const draws = seededRandom(7);
    for (let retriesDone = 0; retriesDone < 6; retriesDone += 1) {
      const base = Math.min(500 * 2 ** retriesDone, 8000);
      const delay = retryDelayMs(retriesDone, undefined, {}, random);
      expect(delay).toBe(base * (1 - 0.25 * draws()));
      expect(delay).toBeGreaterThan(0.75 * base - 1e-9);
      expect(delay).toBeLessThanOrEqual(base);
    }
    expect(retryDelayMs(1, undefined, { initialDelayMs: 10, maxDelayMs: 15, jitter: 0 }, seededRandom(1))).toBe(15);
  });
});

describe('ModelCallError', () => {
  it('keeps the status and the requested wait', () => {
    const error = httpFailure(429, { 'retry-after-ms': '40' }) as ModelCallError;
    expect(error.statusCode).toBe(429);
    expect(error.retryAfterMs).toBe(40);
    expect(error.retryable).toBe(true);
  });
});
