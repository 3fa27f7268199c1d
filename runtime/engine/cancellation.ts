/**
 * Cancellation flows downward: the run's AbortSignal → each step attempt's signal → whatever the
 * step does (fetch, child process, user function). These helpers keep that plumbing in one place so
 * the executor and step runner never hand-roll `addEventListener('abort')` bookkeeping.
 */
import { CancelledError, isAgentkernelError } from '../errors.js';

/** The error a cancelled run/step reports: the signal's reason when it is one of ours. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (isAgentkernelError(reason)) return reason;
  if (reason instanceof Error && reason.name !== 'AbortError')
    return new CancelledError(reason.message, { cause: reason });
  return new CancelledError();
}

/** True for anything that means "stopped on purpose" rather than "failed". */
export function isCancellation(error: unknown): boolean {
  if (isAgentkernelError(error)) return error.code === 'AR-CANCELLED';
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * A child scope: aborted when the parent aborts, or on its own through `abort(reason)`.
 * `dispose()` detaches it from the parent so a long run does not pile up listeners, one per step.
 */
export class CancellationScope {
  private readonly controller = new AbortController();
  private readonly detach: () => void;

  constructor(parent?: AbortSignal) {
    if (parent?.aborted) {
      this.controller.abort(parent.reason);
      this.detach = () => undefined;
      return;
    }
    const onAbort = (): void => this.controller.abort(parent?.reason);
    parent?.addEventListener('abort', onAbort, { once: true });
    this.detach = () => parent?.removeEventListener('abort', onAbort);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: Error): void {
    this.controller.abort(reason);
  }

  dispose(): void {
    this.detach();
  }
}

/**
 * Settles with the promise, or rejects as soon as the signal aborts — whichever comes first. This is
 * how a step that ignores its signal (a function that never resolves) still has its attempt ended:
 * the runner stops waiting for it, even though JavaScript cannot stop the code itself.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined); // the abandoned promise may still reject later: not unhandled
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with the cancellation as soon as the signal aborts (retry backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
