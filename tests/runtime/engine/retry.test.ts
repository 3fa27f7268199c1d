import { backoffDelayMs, isRetryable, shouldRetry } from '../../../runtime/engine/retry.js';
import {
  CancelledError,
  OutputContractError,
  StepTimeoutError,
  ToolNotFoundError,
} from '../../../runtime/errors.js';
import type { RetryPolicy } from '../../../runtime/definition/types.js';

const exp: RetryPolicy = { attempts: 4, backoff: 'exponential', initialDelayMs: 1000, jitter: 0 };

describe('backoffDelayMs', () => {
  it('fixed waits initial_delay every time', () => {
    const fixed: RetryPolicy = { ...exp, backoff: 'fixed' };
    expect([1, 2, 3].map((n) => backoffDelayMs(fixed, n))).toEqual([1000, 1000, 1000]);
  });

  it('exponential doubles from initial_delay', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(exp, n))).toEqual([1000, 2000, 4000]);
  });

  it('max_delay caps each wait', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs({ ...exp, maxDelayMs: 1500 }, n))).toEqual([
      1000, 1500, 1500,
    ]);
  });

  it('jitter adds up to the fraction, driven by the random source', () => {
    expect(backoffDelayMs({ ...exp, jitter: 0.5 }, 1, () => 1)).toBe(1500);
    expect(backoffDelayMs({ ...exp, jitter: 0.5 }, 1, () => 0)).toBe(1000);
  });
});

describe('retry predicate', () => {
  it('does not retry cancellations or contract errors, retries timeouts and plain errors', () => {
    expect(isRetryable(new CancelledError())).toBe(false);
    expect(isRetryable(new OutputContractError('x'))).toBe(false);
    expect(isRetryable(new ToolNotFoundError('t', []))).toBe(false);
    expect(isRetryable(new StepTimeoutError('s', 5))).toBe(true);
    expect(isRetryable(new Error('boom'))).toBe(true);
  });

  it('stops at the attempt limit', () => {
    expect(shouldRetry(exp, 3, new Error('x'))).toBe(true);
    expect(shouldRetry(exp, 4, new Error('x'))).toBe(false);
  });
});
