/**
 * Retry policy arithmetic (pure). The step runner asks two questions after a failed attempt: may
 * this error be retried at all, and how long to wait before the next attempt.
 */
import type { RetryPolicy } from '../definition/types.js';
import type { ErrorCode } from '../errors.js';
import { isAgentkernelError } from '../errors.js';
import { isCancellation } from './cancellation.js';

/** Attempts when a step has no `retry` block. */
export const DEFAULT_MAX_ATTEMPTS = 1;

/**
 * Errors that would fail the same way on every attempt: retrying only burns the backoff time.
 * Timeouts, thrown user errors and missing state paths stay retryable, as in the Python runtime.
 */
const NON_RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AR-CANCELLED',
  'AR-WORKFLOW-VALIDATION',
  'AR-OUTPUT-CONTRACT',
  'AR-FUNCTION-RESOLUTION',
  'AR-TOOL-NOT-FOUND',
  'AR-NO-PROVIDER',
  'AR-AGENT-VALIDATION',
  'AR-INPUT-VALIDATION',
  'AR-CONFIG-VALIDATION',
  // Agent steps (G): a spent LLM budget or a refused tool request fails the same way every time.
  'AR-LLM-LIMIT',
  'AR-TOOL-DENIED',
]);

export function isRetryable(error: unknown): boolean {
  if (isCancellation(error)) return false;
  // A provider error knows whether resending can help (429/5xx yes; 400/401/404 no) (added by G).
  if (isAgentkernelError(error) && error.code === 'AR-PROVIDER')
    return (error as { retryable?: unknown }).retryable !== false;
  if (isAgentkernelError(error)) return !NON_RETRYABLE_CODES.has(error.code);
  return true;
}

/**
 * The wait after failed attempt `failedAttempt` (1-based), before attempt `failedAttempt + 1`.
 *
 * - fixed: `initialDelay` every time.
 * - exponential: `initialDelay × 2^(n-1)`, so attempts=3, initial_delay=1s waits 1s then 2s.
 *
 * The Python runtime waits 0 after the first failure and `initial_delay × 2^(n-2)` after later
 * ones (0s then 1s for the same policy), which makes `initial_delay` mean "the second wait" and
 * retries the first failure immediately with no backoff at all. We take the conventional reading:
 * `initial_delay` is the first wait. Attempt 1 itself always starts immediately.
 *
 * `maxDelayMs` caps the wait (after jitter); `jitter` adds up to that fraction of the delay at
 * random, so many runs failing together do not retry in lockstep.
 */
export function backoffDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, failedAttempt);
  let delay =
    policy.backoff === 'exponential' ? policy.initialDelayMs * 2 ** (n - 1) : policy.initialDelayMs;
  if (policy.jitter > 0 && delay > 0) delay += delay * policy.jitter * random();
  if (policy.maxDelayMs !== undefined) delay = Math.min(delay, policy.maxDelayMs);
  return Math.max(0, Math.round(delay));
}

/** True when another attempt is allowed after `failedAttempt` failed with `error`. */
export function shouldRetry(policy: RetryPolicy, failedAttempt: number, error: unknown): boolean {
  return failedAttempt < policy.attempts && isRetryable(error);
}
