/**
 * The one HTTP path every provider uses: a POST with a per-request timeout, retries on 429 and 5xx
 * (and network failures) honouring `Retry-After`, cancellation by the caller's AbortSignal (which
 * aborts the socket, mid-stream included), and typed ProviderErrors carrying the provider's own
 * message. Secrets (API keys) are scrubbed from every error message this module builds.
 */
import { CancelledError, ProviderError, isAgentkernelError } from '../errors.js';
import type { JsonValue } from '../json.js';

export const DEFAULT_TIMEOUT_MS = 60_000;
/** Retries after the first attempt (the Python runtime uses 2). */
export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_RETRY_BASE_MS = 500;
/** A server asking for a longer wait than this fails now rather than blocking the run for minutes. */
export const MAX_RETRY_AFTER_MS = 60_000;

export interface HttpRetryInfo {
  attempt: number;
  status: number;
  delayMs: number;
  error: ProviderError;
}

export interface ProviderHttpOptions {
  provider: string;
  /** Per-attempt timeout in ms (the connection and the whole body/stream). */
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  signal?: AbortSignal;
  /** Values to scrub from error messages (the API key in use). */
  secrets?: readonly string[];
  /** Called before each retry's wait; tests use it to observe the Retry-After honoured. */
  onRetry?: (info: HttpRetryInfo) => void;
  /** Injectable wait (default: a timer that the signal interrupts). */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/**
 * A response that came back 2xx, plus the AbortSignal covering this attempt: readers of a streamed
 * body keep using it, so the attempt timeout and the caller's abort also stop a stream halfway.
 */
export interface ProviderResponse {
  response: Response;
  /** Clears the attempt timer; call when the body has been fully read. */
  done(): void;
}

/**
 * POSTs `body` as JSON to `url` and returns the first 2xx response. Non-2xx answers become
 * ProviderErrors with the provider's message; retryable ones are retried first.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: JsonValue,
  options: ProviderHttpOptions,
): Promise<ProviderResponse> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const sleep = options.sleep ?? sleepWithSignal;
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        controller.abort(
          new ProviderError(
            options.provider,
            0,
            `${options.provider}: no complete answer within ${timeoutMs}ms (timeout)`,
          ),
        ),
      timeoutMs,
    );
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    let error: ProviderError;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
        signal: controller.signal,
      });
      if (response.ok) return { response, done };
      const text = await response.text().catch(() => '');
      done();
      error = new ProviderError(
        options.provider,
        response.status,
        scrub(
          `${options.provider} API error (HTTP ${response.status}): ${providerMessage(text) || response.statusText}`,
          options.secrets,
        ),
        { details: { body: scrub(text.slice(0, 2000), options.secrets) } },
      );
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (caught) {
      done();
      if (options.signal?.aborted) throw abortError(options.signal);
      error = toProviderError(caught, options.provider, options.secrets, controller.signal);
    }
    if (!error.retryable || attempt > maxRetries) {
      if (attempt > 1) error.details.attempts = attempt;
      throw error;
    }
    if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) throw error;
    const delayMs =
      retryAfterMs ?? (options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS) * 2 ** (attempt - 1);
    options.onRetry?.({ attempt, status: error.status, delayMs, error });
    await sleep(delayMs, options.signal);
  }
}

/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns ms, or
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The human part of a provider error body: OpenAI/Gemini `{error:{message}}`, Anthropic `{error:{message}}`. */
export function providerMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      message?: unknown;
    };
    if (typeof parsed.error === 'string') return parsed.error;
    if (parsed.error && typeof parsed.error.message === 'string') return parsed.error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 500);
}

/** Replaces each secret value in `text` with `***`. */
export function scrub(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const secret of secrets ?? []) if (secret !== '') out = out.split(secret).join('***');
  return out;
}

/** The error to throw for an aborted signal: its reason if that is ours, else a CancelledError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (isAgentkernelError(reason)) return reason;
  return new CancelledError('LLM request cancelled', { cause: reason });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

function toProviderError(
  caught: unknown,
  provider: string,
  secrets: readonly string[] | undefined,
  attemptSignal: AbortSignal,
): ProviderError {
  // Our own timeout aborted the attempt: its reason is already the ProviderError to report.
  if (attemptSignal.aborted && attemptSignal.reason instanceof ProviderError)
    return attemptSignal.reason;
  const cause = caught instanceof Error ? caught : new Error(String(caught));
  const detail = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return new ProviderError(
    provider,
    0,
    scrub(`${provider}: request failed (${cause.message}${detail})`, secrets),
    { retryable: true },
  );
}

export function sleepWithSignal(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Reads a streamed body while mapping a mid-stream abort to the right error: the caller's abort
 * becomes its reason (a CancelledError), our timeout a ProviderError.
 */
export async function withStreamErrors<T>(
  provider: string,
  signal: AbortSignal | undefined,
  read: () => Promise<T>,
  done: () => void,
): Promise<T> {
  try {
    return await read();
  } catch (caught) {
    if (signal?.aborted) throw abortError(signal);
    if (caught instanceof ProviderError) throw caught;
    if (typeof caught === 'object' && caught !== null && (caught as Error).name === 'AbortError') {
      throw new ProviderError(provider, 0, `${provider}: stream interrupted (timeout)`);
    }
    if (caught instanceof ProviderError || isAgentkernelError(caught)) throw caught;
    throw new ProviderError(
      provider,
      0,
      `${provider}: stream failed (${caught instanceof Error ? caught.message : String(caught)})`,
      { cause: caught },
    );
  } finally {
    done();
  }
}
