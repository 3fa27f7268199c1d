/**
 * Where a cell's output goes. The execute handler creates one OutputSink per execute_request
 * (bound to that request's parent header) and runs the cell inside `outputContext.run(sink, …)`.
 * Anything that prints later — a timer, a promise, a background workflow — still finds the sink of
 * the cell that started it through AsyncLocalStorage, so late output lands in the right cell.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A MIME bundle: mime type → data (string for text types and base64 images, JSON otherwise). */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  metadata?: Record<string, unknown>;
  /** Display id for later `update_display_data` (sent as `transient.display_id`). */
  displayId?: string;
  /** True sends `update_display_data` for `displayId` instead of a new `display_data`. */
  update?: boolean;
}

export interface OutputSink {
  stream(name: 'stdout' | 'stderr', text: string): void;
  display(data: MimeBundle, options?: DisplayOptions): void;
  clearOutput(wait: boolean): void;
  /**
   * Asks the frontend for a line of input over the stdin channel (input_request/input_reply).
   * Rejects with a clear error when the request did not allow stdin (e.g. nbconvert).
   */
  input(prompt: string, password: boolean): Promise<string>;
  /**
   * Aborted when the cell that owns this sink is interrupted (while it runs; not after it ended).
   * Work the cell awaits can stop with it: a `runWorkflow` without a signal of its own uses it.
   */
  readonly signal?: AbortSignal;
}

export const outputContext = new AsyncLocalStorage<OutputSink>();

/** The sink of the cell whose async context we are in, if any. */
export function currentSink(): OutputSink | undefined {
  return outputContext.getStore();
}

let blockingDepth = 0;

/**
 * Runs `block`, which blocks this thread until it returns (`runWorkflowSync` waits in
 * Atomics.wait while its worker runs). Sinks normally coalesce stream text until the next tick,
 * which never comes while the thread is blocked; inside `whileBlocking` they send it at once, so a
 * blocked cell's output appears live (IOPub itself is sent by the socket worker thread).
 */
export function whileBlocking<T>(block: () => T): T {
  blockingDepth += 1;
  try {
    return block();
  } finally {
    blockingDepth -= 1;
  }
}

/** True while some caller on this thread is inside `whileBlocking`. */
export function isBlocking(): boolean {
  return blockingDepth > 0;
}
