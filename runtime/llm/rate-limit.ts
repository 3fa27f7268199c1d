/**
 * runtime.yaml `llm.limits.rate_limit_rpm`: at most N model requests in any 60-second window,
 * shared by every run of a project in this process (as in the Python runtime). A request over the
 * limit waits for the oldest one to leave the window; the wait is cancellable by the run's signal.
 */
import { sleepWithSignal } from './http.js';

export const RATE_WINDOW_MS = 60_000;

export class RateLimiter {
  private readonly sent: number[] = [];

  constructor(
    readonly requestsPerMinute: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = sleepWithSignal,
  ) {}

  /** Resolves when a request may be sent (and counts it); returns how long it waited in ms. */
  async acquire(signal?: AbortSignal): Promise<number> {
    if (this.requestsPerMinute <= 0) return 0;
    let waited = 0;
    for (;;) {
      const t = this.now();
      while (this.sent.length > 0 && t - this.sent[0]! >= RATE_WINDOW_MS) this.sent.shift();
      if (this.sent.length < this.requestsPerMinute) {
        this.sent.push(t);
        return waited;
      }
      const wait = RATE_WINDOW_MS - (t - this.sent[0]!);
      waited += wait;
      await this.sleep(wait, signal);
    }
  }
}

const shared = new Map<string, RateLimiter>();

/** The process-wide limiter of a project (keyed by project directory and limit). */
export function sharedRateLimiter(
  projectDir: string,
  requestsPerMinute: number,
): RateLimiter | undefined {
  if (requestsPerMinute <= 0) return undefined;
  const key = `${projectDir}\0${requestsPerMinute}`;
  let limiter = shared.get(key);
  if (!limiter) shared.set(key, (limiter = new RateLimiter(requestsPerMinute)));
  return limiter;
}
