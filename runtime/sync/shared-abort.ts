/**
 * An abort controller whose "aborted" bit lives in shared memory, so ANY thread can cancel a run
 * that `runWorkflowSync` is blocking on. A plain AbortSignal cannot do that: its owner thread is
 * the blocked one, so neither a timer nor a message on that thread can fire to abort it.
 *
 * ```ts
 * const ctrl = new SharedAbortController();
 * otherWorker.postMessage(ctrl.buffer);              // there: SharedAbortController.abortBuffer(buffer)
 * runWorkflowSync('wf.yaml', { signal: ctrl.signal }); // ends CANCELLED when the other thread aborts
 * ```
 */

const controllersBySignal = new WeakMap<AbortSignal, SharedAbortController>();

export class SharedAbortController {
  /** Post this to other threads; `SharedAbortController.abortBuffer(buffer)` aborts from there. */
  readonly buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  private readonly flag = new Int32Array(this.buffer);
  private readonly local = new AbortController();

  constructor() {
    controllersBySignal.set(this.local.signal, this);
  }

  /** An ordinary AbortSignal (also usable with the async API); in sync with the shared flag on read. */
  get signal(): AbortSignal {
    this.syncFromBuffer();
    return this.local.signal;
  }

  get aborted(): boolean {
    return Atomics.load(this.flag, 0) !== 0 || this.local.signal.aborted;
  }

  abort(reason?: unknown): void {
    SharedAbortController.abortBuffer(this.buffer);
    if (!this.local.signal.aborted) this.local.abort(reason);
  }

  /** Aborts from any thread that holds the buffer; wakes every thread waiting on it. */
  static abortBuffer(buffer: SharedArrayBuffer): void {
    const flag = new Int32Array(buffer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }

  /** The controller behind `signal`, if it came from a SharedAbortController. */
  static forSignal(signal: AbortSignal): SharedAbortController | undefined {
    return controllersBySignal.get(signal);
  }

  /** Brings the local AbortSignal up to date after another thread set the flag. */
  syncFromBuffer(): void {
    if (Atomics.load(this.flag, 0) !== 0 && !this.local.signal.aborted) {
      this.local.abort(new Error('Aborted from another thread'));
    }
  }
}
